package dev.latchkey.daemon.door.git;

import dev.latchkey.daemon.door.Utf8Input;
import dev.latchkey.protocol.LineReader;
import dev.latchkey.protocol.Secret;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What git tells a credential helper on stdin for {@code get}, {@code store} and {@code erase}:
 * {@code key=value} lines up to the end of input (git sends no blank line; a blank line also ends
 * the description, as in git's own reader). Attributes git does not know yet are ignored, as git
 * ignores them. {@code url=} stands for the attributes it splits into and clears every one read
 * before it. {@code capability[]}, {@code wwwauth[]} and {@code state[]} may come several times and
 * keep their order; any other attribute given twice keeps its last value.
 *
 * <p>Absent attributes are null; an empty one ({@code username=}) is the empty string, which git
 * means (t0303 stores and returns an empty username and password). A
 * {@code password_expiry_utc} that is not a positive number of seconds is taken as absent, as git
 * takes 0 and overflow.
 *
 * <p>Refused: a NUL byte anywhere, a line without {@code =}, a value that is not UTF-8, a
 * {@code url=} git itself would refuse (no scheme, a newline in a part), a line over
 * {@link #MAX_LINE} bytes and a description over {@link #MAX_DESCRIPTION}. git's reader has no
 * limit of its own (its lines are strbufs that grow as needed); these bounds only keep a hostile
 * writer from filling the daemon's memory. The lines git sends are short except a
 * {@code wwwauth[]}, which repeats one {@code WWW-Authenticate} header of the server (some hundred
 * bytes in practice; t0303 sends one of about a kilobyte), so a line is allowed what a line of
 * latchkey's own protocol is, 64 KiB.
 */
record CredentialDescription(String protocol, String host, String path, String username, Secret password,
                             String authtype, Secret credential, boolean ephemeral, Long passwordExpiryUtc,
                             Secret oauthRefreshToken, List<String> capabilities, List<String> wwwauth,
                             List<String> state) implements AutoCloseable {
    static final int MAX_LINE = LineReader.MAX_LINE;
    static final int MAX_DESCRIPTION = 1024 * 1024;

    /** Reads a description up to the end of {@code in} (or a blank line). */
    static CredentialDescription read(InputStream in) throws GitProtocolException, IOException {
        LineReader lines = new LineReader(in);
        Attributes attributes = new Attributes();
        long total = 0;
        try {
            while (true) {
                int length = lines.readLine();
                if (length == LineReader.END_OF_STREAM) {
                    break;
                }
                if (length == LineReader.TOO_LONG) {
                    throw new GitProtocolException("a line of the credential description is longer than "
                            + MAX_LINE / 1024 + " KiB");
                }
                try {
                    total += length + 1;
                    if (total > MAX_DESCRIPTION) {
                        throw new GitProtocolException("the credential description is longer than "
                                + MAX_DESCRIPTION / (1024 * 1024) + " MiB");
                    }
                    if (length == 0) {
                        break;
                    }
                    attributes.take(lines.buffer(), length);
                } finally {
                    lines.wipe(length);
                }
            }
        } catch (GitProtocolException | IOException | RuntimeException e) {
            attributes.wipe();
            throw e;
        }
        return attributes.description();
    }

    /** Whether git announced that it takes {@code authtype}/{@code credential} in a reply (git 2.46 and later). */
    boolean takesAuthtype() {
        return capabilities.contains("authtype");
    }

    /** Wipes the secrets it holds. */
    @Override
    public void close() {
        for (Secret secret : new Secret[] {password, credential, oauthRefreshToken}) {
            if (secret != null && !secret.isWiped()) {
                secret.wipe();
            }
        }
    }

    /** The attributes read so far, in the shape git's own {@code struct credential} keeps them. */
    private static final class Attributes {
        String protocol;
        String host;
        String path;
        String username;
        Secret password;
        String authtype;
        Secret credential;
        boolean ephemeral;
        Long passwordExpiryUtc;
        Secret oauthRefreshToken;
        final List<String> capabilities = new ArrayList<>();
        final List<String> wwwauth = new ArrayList<>();
        final List<String> state = new ArrayList<>();

        void take(byte[] line, int length) throws GitProtocolException {
            int equals = -1;
            for (int i = 0; i < length; i++) {
                if (line[i] == 0) {
                    throw new GitProtocolException("a line of the credential description holds a NUL byte");
                }
                if (equals < 0 && line[i] == '=') {
                    equals = i;
                }
            }
            if (equals < 0) {
                throw new GitProtocolException("a line of the credential description has no '=' (git sends key=value lines)");
            }
            String key = new String(line, 0, equals, StandardCharsets.ISO_8859_1);
            int from = equals + 1;
            int to = length;
            switch (key) {
                case "protocol" -> protocol = text(key, line, from, to);
                case "host" -> host = text(key, line, from, to);
                case "path" -> path = text(key, line, from, to);
                case "username" -> username = text(key, line, from, to);
                case "password" -> password = replace(password, secret(key, line, from, to));
                case "authtype" -> authtype = text(key, line, from, to);
                case "credential" -> credential = replace(credential, secret(key, line, from, to));
                case "oauth_refresh_token" -> oauthRefreshToken = replace(oauthRefreshToken, secret(key, line, from, to));
                case "ephemeral" -> ephemeral = bool(key, text(key, line, from, to));
                case "password_expiry_utc" -> passwordExpiryUtc = seconds(text(key, line, from, to));
                case "capability[]" -> capabilities.add(text(key, line, from, to));
                case "wwwauth[]" -> wwwauth.add(text(key, line, from, to));
                case "state[]" -> state.add(text(key, line, from, to));
                case "url" -> fromUrl(CredentialUrl.split(line, from, to));
                default -> {
                    // Unknown to this version: ignored, as git ignores what it does not know.
                }
            }
        }

        /** As git's credential_from_url: everything read so far is cleared first. */
        private void fromUrl(CredentialUrl url) {
            wipe();
            protocol = url.protocol();
            host = url.host();
            path = url.path();
            username = url.username();
            password = url.password();
            authtype = null;
            credential = null;
            ephemeral = false;
            passwordExpiryUtc = null;
            oauthRefreshToken = null;
            capabilities.clear();
            wwwauth.clear();
            state.clear();
        }

        CredentialDescription description() {
            return new CredentialDescription(protocol, host, path, username, password, authtype, credential, ephemeral,
                    passwordExpiryUtc, oauthRefreshToken, List.copyOf(capabilities), List.copyOf(wwwauth), List.copyOf(state));
        }

        void wipe() {
            for (Secret secret : new Secret[] {password, credential, oauthRefreshToken}) {
                if (secret != null && !secret.isWiped()) {
                    secret.wipe();
                }
            }
        }

        private static Secret replace(Secret old, Secret value) {
            if (old != null && !old.isWiped()) {
                old.wipe();
            }
            return value;
        }
    }

    static String text(String key, byte[] bytes, int from, int to) throws GitProtocolException {
        try {
            return Utf8Input.text(bytes, from, to - from);
        } catch (CharacterCodingException e) {
            throw new GitProtocolException("the value of " + key + " is not valid UTF-8");
        }
    }

    static Secret secret(String key, byte[] bytes, int from, int to) throws GitProtocolException {
        try {
            char[] chars = Utf8Input.chars(bytes, from, to - from);
            try {
                return Secret.copyOf(chars);
            } finally {
                Arrays.fill(chars, '\0');
            }
        } catch (CharacterCodingException e) {
            throw new GitProtocolException("the value of " + key + " is not valid UTF-8");
        }
    }

    /** git's config booleans, as git_config_bool reads {@code ephemeral=}. */
    private static boolean bool(String key, String value) throws GitProtocolException {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "on" -> true;
            case "", "0", "false", "no", "off" -> false;
            default -> throw new GitProtocolException("the value of " + key + " is not a boolean");
        };
    }

    /** Seconds since the epoch; null for what git takes as none (0, not a number, too large). */
    private static Long seconds(String value) {
        // a loop, not a regular expression: it may come with a get, which is on the cold path
        if (value.isEmpty() || value.length() > 19) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return null;
            }
        }
        try {
            long seconds = Long.parseLong(value);
            return seconds > 0 ? seconds : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
