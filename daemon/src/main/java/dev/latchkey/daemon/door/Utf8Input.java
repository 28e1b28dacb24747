package dev.latchkey.daemon.door;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Bytes a client sent, as text, only when they are UTF-8 as RFC 3629 defines it (the JDK's
 * decoder, set to report, refuses overlong forms, encoded surrogates and code points past
 * U+10FFFF): a malformed value is refused rather than turned into a different one. For the other
 * tools' helper protocols, whose values become registry keys and tokens.
 */
public final class Utf8Input {
    private Utf8Input() {
    }

    /** The {@code length} bytes from {@code offset} as a string; throws when they are not UTF-8. */
    public static String text(byte[] bytes, int offset, int length) throws CharacterCodingException {
        return decoder().decode(ByteBuffer.wrap(bytes, offset, length)).toString();
    }

    /**
     * The {@code length} bytes from {@code offset} as characters in an array the caller owns and
     * should wipe (a secret); throws when they are not UTF-8, leaving nothing decoded behind.
     */
    public static char[] chars(byte[] bytes, int offset, int length) throws CharacterCodingException {
        CharBuffer decoded = decoder().decode(ByteBuffer.wrap(bytes, offset, length));
        char[] copy = Arrays.copyOfRange(decoded.array(), decoded.position(), decoded.limit());
        Arrays.fill(decoded.array(), '\0');
        return copy;
    }

    /** Whether {@code text} holds a control character (C0 or DEL), which no name a helper protocol carries may. */
    public static boolean hasControlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    private static CharsetDecoder decoder() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }
}
