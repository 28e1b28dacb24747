package dev.latchkey.daemon.door.keyring;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.PrettyPrinter;
import dev.latchkey.daemon.door.BoundedInput;
import dev.latchkey.daemon.door.HelperJson;
import dev.latchkey.daemon.door.Utf8Input;
import dev.latchkey.daemon.door.WipeableBuffer;
import dev.latchkey.protocol.Secret;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What python-keyring's CLI reads and prints, as pip reads it: {@code set} takes the password on
 * stdin, one line (pip writes it and a newline; keyring strips one newline); {@code get} prints the
 * password and a newline, or in {@code creds} mode the user name and the password on a line each;
 * {@code --output json} prints {@code {"password": ...}} or {@code {"username": ..., "password": ...}}
 * with Python's separators, as {@code json.dumps} writes them. Nothing found is exit status 1 and
 * no output, which is the door's to do.
 */
final class KeyringMessages {
    private static final int MAX_PASSWORD_INPUT = HelperJson.MAX_DOCUMENT;

    private KeyringMessages() {
    }

    /** The password {@code set} reads from stdin. */
    static Secret readPassword(InputStream in) throws KeyringProtocolException, IOException {
        byte[] bytes = BoundedInput.read(in, MAX_PASSWORD_INPUT);
        char[] chars = null;
        try {
            if (bytes.length > MAX_PASSWORD_INPUT) {
                throw new KeyringProtocolException("the password on stdin is longer than " + MAX_PASSWORD_INPUT + " bytes");
            }
            int length = bytes.length > 0 && bytes[bytes.length - 1] == '\n' ? bytes.length - 1 : bytes.length;
            try {
                chars = Utf8Input.chars(bytes, 0, length);
            } catch (CharacterCodingException e) {
                throw new KeyringProtocolException("the password on stdin is not valid UTF-8");
            }
            if (chars.length == 0) {
                throw new KeyringProtocolException("the password on stdin is empty");
            }
            for (char c : chars) {
                if (c == '\n' || c == '\r' || c == '\0') {
                    throw new KeyringProtocolException("the password on stdin is more than one line, or holds a NUL");
                }
            }
            return Secret.copyOf(chars);
        } finally {
            Arrays.fill(bytes, (byte) 0);
            if (chars != null) {
                Arrays.fill(chars, '\0');
            }
        }
    }

    /** {@code get}'s answer in {@code password} mode. A fresh array the caller owns and should wipe. */
    static byte[] password(Secret password, KeyringCommand.Output output) throws KeyringProtocolException, IOException {
        if (output == KeyringCommand.Output.JSON) {
            return HelperJson.line(PythonSeparators.INSTANCE, new PasswordDocument(null, password));
        }
        return lines(null, password);
    }

    /** {@code get}'s answer in {@code creds} mode. A fresh array the caller owns and should wipe. */
    static byte[] credentials(String username, Secret password, KeyringCommand.Output output)
            throws KeyringProtocolException, IOException {
        if (output == KeyringCommand.Output.JSON) {
            return HelperJson.line(PythonSeparators.INSTANCE, new PasswordDocument(username, password));
        }
        return lines(username, password);
    }

    /**
     * {@code {"password": ...}}, or with a user name {@code {"username": ..., "password": ...}}; a
     * class rather than a lambda, since a get is on the cold path (docs/architecture.md).
     */
    private static final class PasswordDocument implements HelperJson.Document {
        private final String username;
        private final Secret password;

        PasswordDocument(String username, Secret password) {
            this.username = username;
            this.password = password;
        }

        @Override
        public void write(JsonGenerator json) throws IOException {
            json.writeStartObject();
            if (username != null) {
                json.writeStringField("username", username);
            }
            json.writeFieldName("password");
            char[] chars = password.exposeChars();
            json.writeString(chars, 0, chars.length);
            json.writeEndObject();
        }
    }

    /** Plain output, a value a line: one that holds a line break would read back as two. */
    private static byte[] lines(String username, Secret password) throws KeyringProtocolException {
        char[] secret = password.exposeChars();
        for (char c : secret) {
            if (c == '\n' || c == '\r') {
                throw new KeyringProtocolException("the password holds a line break, which plain output cannot carry (--output json can)");
            }
        }
        if (username != null && (username.indexOf('\n') >= 0 || username.indexOf('\r') >= 0)) {
            throw new KeyringProtocolException("the user name holds a line break, which plain output cannot carry");
        }
        WipeableBuffer out = new WipeableBuffer();
        if (username != null) {
            out.writeBytes((username + "\n").getBytes(StandardCharsets.UTF_8));
        }
        out.writeUtf8(secret);
        out.write('\n');
        return out.takeBytes();
    }

    /** Python's {@code json.dumps} separators: {@code ", "} between entries, {@code ": "} after a name; no newlines. */
    private enum PythonSeparators implements PrettyPrinter {
        INSTANCE;

        @Override
        public void writeRootValueSeparator(JsonGenerator g) {
        }

        @Override
        public void writeStartObject(JsonGenerator g) throws IOException {
            g.writeRaw('{');
        }

        @Override
        public void writeEndObject(JsonGenerator g, int entries) throws IOException {
            g.writeRaw('}');
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeStartArray(JsonGenerator g) throws IOException {
            g.writeRaw('[');
        }

        @Override
        public void writeEndArray(JsonGenerator g, int values) throws IOException {
            g.writeRaw(']');
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }

        @Override
        public void beforeArrayValues(JsonGenerator g) {
        }

        @Override
        public void beforeObjectEntries(JsonGenerator g) {
        }
    }
}
