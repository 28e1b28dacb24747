package dev.latchkey.daemon.server;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;

/**
 * A connection's answers not yet written to its socket: {@link ProtocolSession} writes a batch of
 * them here, and the loop sends them with as few {@code write}s as the client's reading allows.
 * The answers carry tokens, so every byte is wiped once sent, and a buffer outgrown or given back.
 */
final class Outbox extends OutputStream {
    private static final int FIRST_SIZE = 512;
    private byte[] bytes = new byte[FIRST_SIZE];
    private int start;
    private int end;

    @Override
    public void write(int b) {
        room(1);
        bytes[end++] = (byte) b;
    }

    @Override
    public void write(byte[] b) {
        write(b, 0, b.length);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        room(len);
        System.arraycopy(b, off, bytes, end, len);
        end += len;
    }

    boolean isEmpty() {
        return start == end;
    }

    /** Writes what the channel takes now, without waiting; whether everything was written. */
    boolean sendTo(WritableByteChannel channel) throws IOException {
        if (start < end) {
            int sent = channel.write(ByteBuffer.wrap(bytes, start, end - start));
            Arrays.fill(bytes, start, start + sent, (byte) 0);
            start += sent;
        }
        if (start < end) {
            return false;
        }
        start = 0;
        end = 0;
        if (bytes.length > FIRST_SIZE) {
            bytes = new byte[FIRST_SIZE]; // the larger one is all zeros by now
        }
        return true;
    }

    /** Forgets what was not sent, wiped. */
    void wipe() {
        Arrays.fill(bytes, start, end, (byte) 0);
        start = 0;
        end = 0;
    }

    private void room(int more) {
        if (end + more <= bytes.length) {
            return;
        }
        int held = end - start;
        byte[] next = held + more <= bytes.length ? bytes : new byte[Math.max(bytes.length * 2, held + more)];
        System.arraycopy(bytes, start, next, 0, held);
        Arrays.fill(bytes, next == bytes ? held : 0, bytes.length, (byte) 0);
        bytes = next;
        start = 0;
        end = held;
    }
}
