package dev.latchkey.caller;

import dev.latchkey.protocol.Secret;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Standard output for an invocation that prints a token ({@code latchkey get}), kept in memory
 * that is wiped: when it grows, when the token is taken out, and on {@link #close()}. Unlike a
 * {@code ByteArrayOutputStream}, it leaves no copy behind as it grows, and it refuses more than a
 * token's worth of bytes.
 */
final class SecretOutput extends OutputStream {
    /** A token is one line of at most 64 KiB (as {@code latchkey store} takes it), and its newline. */
    private static final int LIMIT = 64 * 1024 + 1;

    private byte[] bytes = new byte[256];
    private int length;

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int offset, int count) throws IOException {
        if (length + count > LIMIT) {
            throw new IOException("latchkey printed more than a token");
        }
        if (length + count > bytes.length) {
            byte[] larger = Arrays.copyOf(bytes, Math.min(LIMIT, Math.max(bytes.length * 2, length + count)));
            Arrays.fill(bytes, (byte) 0);
            bytes = larger;
        }
        System.arraycopy(b, offset, bytes, length, count);
        length += count;
    }

    /** What was printed, without the line break that ends it, as a secret; the memory here is wiped. */
    Secret takeLine() {
        int end = length;
        if (end > 0 && bytes[end - 1] == '\n') {
            end--;
        }
        Secret secret = Secret.fromUtf8(bytes, 0, end);
        close();
        return secret;
    }

    @Override
    public void close() {
        Arrays.fill(bytes, (byte) 0);
        length = 0;
    }
}
