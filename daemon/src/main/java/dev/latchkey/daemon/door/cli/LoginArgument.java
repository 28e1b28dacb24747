package dev.latchkey.daemon.door.cli;

import dev.latchkey.daemon.door.UsageException;
import dev.latchkey.daemon.service.Logins;

/**
 * The login a command line names with {@code --login URL}: written as {@code latchkey list} shows
 * it, {@code SCHEME://USER@HOST[:PORT][/PATH]}, the user and scheme optional, and naming exactly
 * that login (no part taken as "any"). The user name ends at the last {@code @} before the host,
 * so a user name that is an e-mail address needs no escape; a {@code %XX} in it is decoded, for a
 * user name holding {@code /}. A {@code :} in it is refused: that is a password, which never goes on
 * a command line (and is never repeated in a message).
 */
final class LoginArgument {
    private LoginArgument() {
    }

    static Logins.Login parse(String url) throws UsageException {
        String rest = url;
        String protocol = null;
        int scheme = rest.indexOf("://");
        if (scheme >= 0) {
            protocol = rest.substring(0, scheme);
            rest = rest.substring(scheme + 3);
        }
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? null : trimSlashes(rest.substring(slash + 1));
        int at = authority.lastIndexOf('@');
        if (at >= 0 && authority.lastIndexOf(':', at) >= 0) {
            throw new UsageException("--login names a login without its password (USER@HOST, not USER:PASSWORD@HOST): "
                    + "the password comes on stdin");
        }
        String username = at < 0 ? null : decode(authority.substring(0, at));
        String host = authority.substring(at + 1);
        if (host.isEmpty()) {
            throw new UsageException("--login takes a login as `latchkey list` shows it, SCHEME://USER@HOST[:PORT][/PATH]; "
                    + "this one has no host");
        }
        try {
            return new Logins.Login(protocol, host, path, username);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--login: " + e.getMessage());
        }
    }

    private static String trimSlashes(String path) {
        int end = path.length();
        while (end > 0 && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(0, end);
    }

    private static String decode(String text) throws UsageException {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                int high = i + 2 < text.length() ? Character.digit(text.charAt(i + 1), 16) : -1;
                int low = high >= 0 ? Character.digit(text.charAt(i + 2), 16) : -1;
                if (low < 0) {
                    throw new UsageException("--login: a % in the user name is followed by two hex digits (%40 for @, %2F for /)");
                }
                out.append((char) (high << 4 | low));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
