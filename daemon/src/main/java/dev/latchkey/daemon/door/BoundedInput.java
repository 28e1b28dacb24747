package dev.latchkey.daemon.door;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** Reads what a helper protocol passes on stdin, up to a bound, so that a hostile writer cannot fill memory. */
public final class BoundedInput {
    private BoundedInput() {
    }

    /**
     * Everything {@code in} holds when that is at most {@code max} bytes; otherwise {@code max + 1}
     * bytes, which tells the caller it was too long (the rest is not read). The caller owns, and
     * should wipe, the result: it may hold a secret.
     */
    public static byte[] read(InputStream in, int max) throws IOException {
        byte[] buffer = new byte[Math.min(max + 1, 8192)];
        int length = 0;
        while (length <= max) {
            if (length == buffer.length) {
                byte[] larger = Arrays.copyOf(buffer, Math.min(max + 1, buffer.length * 2));
                Arrays.fill(buffer, (byte) 0);
                buffer = larger;
            }
            int n = in.read(buffer, length, buffer.length - length);
            if (n < 0) {
                break;
            }
            length += n;
        }
        byte[] result = Arrays.copyOf(buffer, length);
        Arrays.fill(buffer, (byte) 0);
        return result;
    }

    /** How many of {@code bytes} come before one final line break ({@code \n} or {@code \r\n}), which clients may add. */
    public static int withoutLineBreak(byte[] bytes) {
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\n') {
            length--;
            if (length > 0 && bytes[length - 1] == '\r') {
                length--;
            }
        }
        return length;
    }
}
