package dev.latchkey.daemon.store;

import java.util.Locale;
import java.util.Optional;

/**
 * A login: the site it is for (a scheme, a host with its port, and optionally a path) and the user
 * name, as git's credential helpers key what they keep; docker's and pip's keys are the same with
 * no scheme. Any part but the host may be absent. A login never matches a registry's token: a
 * password for {@code https://github.com} is not crates.io's token, whose index URL is on that host.
 *
 * @param protocol the URL scheme ({@code https}, {@code http}), lower case; null when the client gives none
 * @param host     the host, with {@code :port} when not the scheme's own
 * @param path     the path without its leading {@code /}; null for the whole site
 * @param username null when the login has none
 */
public record LoginKey(String protocol, String host, String path, String username) implements CredentialKey {
    /** How a login's {@link #canonical()} form begins, which no index URL does. */
    public static final String PREFIX = "login:";

    public LoginKey {
        if (protocol != null) {
            protocol = protocol.toLowerCase(Locale.ROOT);
            if (!isScheme(protocol)) {
                throw new IllegalArgumentException("a URL scheme is letters, digits, +, - and .");
            }
        }
        if (host == null || host.isEmpty() || !printable(host) || host.indexOf('/') >= 0 || host.indexOf('@') >= 0
                || host.indexOf(' ') >= 0) {
            throw new IllegalArgumentException("a host is a name or address with an optional port, without spaces, / or @");
        }
        host = host.toLowerCase(Locale.ROOT);
        if (path != null && path.isEmpty()) {
            path = null;
        }
        if (path != null && !printable(path)) {
            throw new IllegalArgumentException("a path holds no control characters");
        }
        if (username != null && !printable(username)) {
            throw new IllegalArgumentException("a user name holds no control characters");
        }
    }

    /** A loop, not a stream: a key is made on every read of a login, in a fresh process (docs/architecture.md, the cold path). */
    private static boolean isScheme(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isLetterOrDigit(c) && c != '+' && c != '-' && c != '.') {
                return false;
            }
        }
        return true;
    }

    private static boolean printable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** The site, without the user: {@code https://host/path}, or {@code host/path} without a scheme. */
    public String site() {
        return (protocol != null ? protocol + "://" : "") + host + (path != null ? "/" + path : "");
    }

    @Override
    public String displayName() {
        return (protocol != null ? protocol + "://" : "") + (username != null ? username + "@" : "") + host
                + (path != null ? "/" + path : "");
    }

    /**
     * {@code login:SCHEME://USER@HOST/PATH}, each part present only when the key has it, the user
     * name percent-encoded where it holds {@code %}, {@code @}, {@code /} or {@code :}.
     */
    @Override
    public String canonical() {
        return PREFIX + (protocol != null ? protocol + ":" : "") + "//" + (username != null ? encode(username) + "@" : "") + host
                + (path != null ? "/" + path : "");
    }

    /** The key of a {@link #canonical()} form. */
    public static LoginKey parse(String canonical) {
        if (!canonical.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a login's key");
        }
        String rest = canonical.substring(PREFIX.length());
        String protocol = null;
        int slashes = rest.indexOf("//");
        if (slashes < 0) {
            throw new IllegalArgumentException("a login's key has // before its host");
        }
        if (slashes > 0) {
            if (rest.charAt(slashes - 1) != ':') {
                throw new IllegalArgumentException("a login's scheme ends with :");
            }
            protocol = rest.substring(0, slashes - 1);
        }
        rest = rest.substring(slashes + 2);
        String username = null;
        int at = rest.indexOf('@');
        int slash = rest.indexOf('/');
        if (at >= 0 && (slash < 0 || at < slash)) {
            username = decode(rest.substring(0, at));
            rest = rest.substring(at + 1);
            slash = rest.indexOf('/');
        }
        String host = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? null : rest.substring(slash + 1);
        return new LoginKey(protocol, host, path, username);
    }

    /** The key of {@code text} when it is a login's canonical form; empty for anything else (an item someone else named). */
    public static Optional<LoginKey> tryParse(String text) {
        try {
            return Optional.of(parse(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String encode(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%' || c == '@' || c == '/' || c == ':') {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The inverse of {@link #encode}: only the characters it escapes are ever escaped. */
    private static String decode(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            int code = i + 2 < text.length() ? Integer.parseInt(text.substring(i + 1, i + 3), 16) : -1;
            if (code != '%' && code != '@' && code != '/' && code != ':') {
                throw new IllegalArgumentException("a login's user name has a broken % escape");
            }
            out.append((char) code);
            i += 2;
        }
        return out.toString();
    }
}
