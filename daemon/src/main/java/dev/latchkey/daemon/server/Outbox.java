package dev.latchkey.daemon.server;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A connection's answers not yet written to its socket: {@link ProtocolSession} writes a batch of
 * them here, and the loop sends them with as few {@code write}s as the client's reading allows.
 * The answers carry tokens, so every byte is wiped once sent, and a buffer outgrown or given back.
 * The memory its buffer takes is also counted in a total shared by all the connections of a loop,
 * which bounds them together ({@link ConnectionLoop}).
 */
final class Outbox extends OutputStream {
    private static final int FIRST_SIZE = 512;
    private final AtomicLong heldByAll;
    private byte[] bytes = new byte[FIRST_SIZE];
    private int start;
    private int end;

    /** {@code heldByAll}: the bytes the buffers of this outbox and of the others that share it take. */
    Outbox(AtomicLong heldByAll) {
        this.heldByAll = heldByAll;
        heldByAll.addAndGet(FIRST_SIZE);
    }

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

    /** The bytes its buffer takes: what waits to be sent, and the room grown for it. */
    int held() {
        return bytes.length;
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
            replace(new byte[FIRST_SIZE]); // the larger one is all zeros by now
        }
        return true;
    }

    /** Forgets what was not sent, wiped, and lets go of its buffer: the connection is over. */
    @Override
    public void close() {
        Arrays.fill(bytes, start, end, (byte) 0);
        start = 0;
        end = 0;
        replace(new byte[0]);
    }

    private void room(int more) {
        if (end + more <= bytes.length) {
            return;
        }
        int held = end - start;
        byte[] next = held + more <= bytes.length ? bytes : new byte[Math.max(bytes.length * 2, held + more)];
        System.arraycopy(bytes, start, next, 0, held);
        Arrays.fill(bytes, next == bytes ? held : 0, bytes.length, (byte) 0);
        replace(next);
        start = 0;
        end = held;
    }

    private void replace(byte[] next) {
        heldByAll.addAndGet(next.length - bytes.length);
        bytes = next;
    }
}
