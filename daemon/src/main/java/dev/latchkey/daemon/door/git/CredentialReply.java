package dev.latchkey.daemon.door.git;

import dev.latchkey.daemon.door.WipeableBuffer;
import dev.latchkey.protocol.Secret;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A helper's answer to git's {@code get}: only attributes git knows, one {@code key=value} line
 * each, in the order git's own credential_write uses. A value that holds a line break or NUL is
 * refused, not sent: git would read the rest of it as another attribute (a newline) or drop part
 * of it (git strips a carriage return at the end of a line and refuses one inside since 2.47).
 * {@code authtype} and {@code credential} (git 2.46) go together and bring
 * {@code capability[]=authtype} with them; send them only when git announced that capability
 * ({@link CredentialDescription#takesAuthtype()}). An empty reply is valid: git goes on to its next
 * helper or its prompt.
 */
final class CredentialReply {
    private String username;
    private Secret password;
    private Long passwordExpiryUtc;
    private Secret oauthRefreshToken;
    private String authtype;
    private Secret credential;
    private boolean ephemeral;
    private boolean quit;

    CredentialReply username(String value) {
        this.username = value;
        return this;
    }

    CredentialReply password(Secret value) {
        this.password = value;
        return this;
    }

    /** When the password stops working, in seconds since the epoch (git 2.40 and later). */
    CredentialReply passwordExpiryUtc(long seconds) {
        this.passwordExpiryUtc = seconds;
        return this;
    }

    CredentialReply oauthRefreshToken(Secret value) {
        this.oauthRefreshToken = value;
        return this;
    }

    /** A pre-encoded {@code Authorization} value ({@code Basic} and its base64, {@code Bearer} and a token). */
    CredentialReply authorization(String authtype, Secret credential) {
        this.authtype = Objects.requireNonNull(authtype, "authtype");
        this.credential = Objects.requireNonNull(credential, "credential");
        return this;
    }

    /** The {@link #authorization} is for this request only: git must not store it. */
    CredentialReply ephemeral() {
        this.ephemeral = true;
        return this;
    }

    /** git asks no further helper and does not prompt. */
    CredentialReply quit() {
        this.quit = true;
        return this;
    }

    /** The reply as git reads it, UTF-8: a fresh array the caller owns and should wipe once written. */
    byte[] toBytes() throws GitProtocolException {
        if (ephemeral && authtype == null) {
            throw new GitProtocolException("ephemeral applies to an authtype and credential, and there is none");
        }
        Lines lines = new Lines();
        try {
            if (authtype != null) {
                lines.add("capability[]", "authtype");
                lines.add("authtype", authtype);
                lines.add("credential", credential);
                if (ephemeral) {
                    lines.add("ephemeral", "1");
                }
            }
            lines.add("username", username);
            lines.add("password", password);
            lines.add("oauth_refresh_token", oauthRefreshToken);
            lines.add("password_expiry_utc", passwordExpiryUtc == null ? null : Long.toString(passwordExpiryUtc));
            if (quit) {
                lines.add("quit", "1");
            }
            return lines.takeBytes();
        } finally {
            lines.wipe();
        }
    }

    /** The reply being written, in a buffer that is wiped once copied out. */
    private static final class Lines extends WipeableBuffer {
        void add(String key, String value) throws GitProtocolException {
            if (value != null) {
                add(key, value.toCharArray());
            }
        }

        void add(String key, Secret value) throws GitProtocolException {
            if (value != null) {
                add(key, value.exposeChars());
            }
        }

        private void add(String key, char[] value) throws GitProtocolException {
            for (char c : value) {
                if (c == '\n' || c == '\r' || c == '\0') {
                    throw new GitProtocolException("the " + key + " cannot be sent to git: it holds a line break or NUL");
                }
            }
            writeBytes(key.getBytes(StandardCharsets.US_ASCII));
            write('=');
            writeUtf8(value);
            write('\n');
        }
    }
}
