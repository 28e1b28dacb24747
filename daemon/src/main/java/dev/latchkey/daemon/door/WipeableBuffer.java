package dev.latchkey.daemon.door;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A buffer for output that holds a secret (a helper protocol's answer): what it hands out is a
 * copy, and its own bytes are wiped when it does, or when told to.
 */
public class WipeableBuffer extends ByteArrayOutputStream {
    /** Appends {@code chars} as UTF-8; the temporary encoding is wiped. */
    public void writeUtf8(char[] chars) {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(chars));
        write(encoded.array(), encoded.position(), encoded.remaining());
        Arrays.fill(encoded.array(), (byte) 0);
    }

    /** What was written, as a fresh array the caller owns and should wipe; this buffer is wiped. */
    public byte[] takeBytes() {
        byte[] bytes = toByteArray();
        wipe();
        return bytes;
    }

    public void wipe() {
        Arrays.fill(buf, (byte) 0);
        reset();
    }
}
