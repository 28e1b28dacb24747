package dev.latchkey.protocol;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * A token held as characters the process owns, so it can be wiped after use.
 *
 * <p>{@link #toString()} never shows the value: a secret that reaches a log line or an exception
 * message by accident shows up as {@code <redacted>}. Equality is by value, in constant time.
 */
public final class Secret implements AutoCloseable {
    private final char[] chars;
    private boolean wiped;

    private Secret(char[] chars) {
        this.chars = chars;
    }

    /** A secret holding a copy of {@code length} characters of {@code source} from {@code offset}. */
    public static Secret copyOf(char[] source, int offset, int length) {
        return new Secret(Arrays.copyOfRange(source, offset, offset + length));
    }

    public static Secret copyOf(char[] source) {
        return copyOf(source, 0, source.length);
    }

    /**
     * A secret from a string some library handed us (a TOML parser, an environment variable).
     * The string itself cannot be wiped; prefer {@link #copyOf(char[])} where the caller owns the chars.
     */
    public static Secret fromString(String value) {
        return new Secret(value.toCharArray());
    }

    /** A secret from UTF-8 bytes; the caller still owns, and should wipe, {@code utf8}. */
    public static Secret fromUtf8(byte[] utf8, int offset, int length) {
        CharBuffer decoded = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(utf8, offset, length));
        char[] copy = Arrays.copyOfRange(decoded.array(), decoded.position(), decoded.limit());
        Arrays.fill(decoded.array(), '\0');
        return new Secret(copy);
    }

    public int length() {
        return live().length;
    }

    public boolean isEmpty() {
        return live().length == 0;
    }

    /**
     * The characters themselves, not a copy: for writers (JSON, TOML, a native call) that must
     * emit the value. The caller must not keep or change the array.
     */
    public char[] exposeChars() {
        return live();
    }

    /** A fresh UTF-8 copy, which the caller owns and should wipe. */
    public byte[] toUtf8() {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(live()));
        byte[] copy = Arrays.copyOfRange(encoded.array(), encoded.position(), encoded.limit());
        Arrays.fill(encoded.array(), (byte) 0);
        return copy;
    }

    /**
     * The value as a {@code String}, for the few APIs that take nothing else (a TOML value handed to
     * the parser library, an HTTP header in tests). A string cannot be wiped: avoid where possible.
     */
    public String reveal() {
        return new String(live());
    }

    /** Why this value cannot be a token, or {@code null} when it can. Never quotes the value. */
    public String problem() {
        char[] value = live();
        if (value.length == 0) {
            return "the token is empty";
        }
        for (char c : value) {
            // cargo's own rule (crates_io::check_token): printable ASCII and tab, nothing else.
            if (c != '\t' && (c < 0x20 || c > 0x7e)) {
                return "the token contains a character that is not printable ASCII (a newline, NUL or other control or non-ASCII character)";
            }
        }
        return null;
    }

    public boolean isWiped() {
        return wiped;
    }

    /** Overwrites the characters; the secret is unusable afterwards. */
    public void wipe() {
        Arrays.fill(chars, '\0');
        wiped = true;
    }

    @Override
    public void close() {
        wipe();
    }

    private char[] live() {
        if (wiped) {
            throw new IllegalStateException("this secret was wiped and cannot be used again");
        }
        return chars;
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof Secret that)) {
            return false;
        }
        byte[] mine = toUtf8();
        byte[] theirs = that.toUtf8();
        try {
            return MessageDigest.isEqual(mine, theirs);
        } finally {
            Arrays.fill(mine, (byte) 0);
            Arrays.fill(theirs, (byte) 0);
        }
    }

    @Override
    public int hashCode() {
        return chars.length; // deliberately weak: a hash of the value would leak bits of it
    }

    @Override
    public String toString() {
        return "<redacted>";
    }
}
