package dev.latchkey.daemon.transport;

import dev.latchkey.protocol.LineReader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One client connection of the daemon, with what the server needs to know about it from another
 * thread to keep a few clients from starving the rest ({@link SocketServer}): whether its client
 * has left a line unfinished, and for how long; whether a request of it is being served; and
 * since when it has given the daemon nothing to do.
 *
 * <p>All of it is seen in the bytes read: a line is unfinished when bytes arrived after the last
 * {@code \n}. Times are {@link System#nanoTime()}; the reading thread writes them, the server's
 * watch reads them.
 */
final class WatchedConnection {
    /**
     * How fast the rest of a line past {@link LineReader#MAX_LINE} is read. The time it takes
     * counts as waiting for the line, so with the {@link SocketServer#LINE_DEADLINE_NANOS} deadline
     * a line of up to some 10 MiB is read past and its connection kept; a longer one is cut off,
     * having cost the daemon a few reads a second rather than all the CPU it could take.
     */
    static final long OVERLONG_BYTES_PER_SECOND = 1024 * 1024;
    private static final int OVERLONG_READ = 16 * 1024;
    private final SocketChannel channel;
    private final InputStream input;
    private volatile long readingSince; // when the read in progress began; 0: none
    private volatile boolean inLine; // bytes came after the last newline
    private volatile long waitedForLine; // time spent in reads for the unfinished line, finished reads only
    private volatile long lastProgress;
    private long lineBytes; // bytes read since the last newline; the reading thread's own
    private volatile boolean serving;

    WatchedConnection(SocketChannel channel) {
        this.channel = channel;
        this.input = new Watched(Channels.newInputStream(channel));
        this.lastProgress = System.nanoTime();
    }

    SocketChannel channel() {
        return channel;
    }

    /** The client's bytes, watched as they are read. */
    InputStream input() {
        return input;
    }

    /** {@code handler}, marking this connection busy while it serves a request. */
    RequestHandler serving(RequestHandler handler) {
        return line -> {
            serving = true;
            try {
                return handler.handle(line);
            } finally {
                lastProgress = System.nanoTime();
                serving = false;
            }
        };
    }

    /**
     * Whether the server has spent more than {@code deadlineNanos} waiting for the rest of a line
     * the client began: a client that sends a byte now and then, however often, or stops in the
     * middle. Only time spent blocked reading counts: while the server serves earlier lines of a
     * pipelining client, the rest of its line is waiting to be read, not late.
     */
    boolean lineOverdue(long now, long deadlineNanos) {
        if (!inLine) {
            return false;
        }
        long reading = readingSince;
        return waitedForLine + (reading == 0 ? 0 : now - reading) > deadlineNanos;
    }

    /** Whether a request of this connection is being served; such a connection is never closed to make room. */
    boolean isServing() {
        return serving;
    }

    /** Since when the client has given the daemon nothing to do: its last answered request, or its connection. */
    long idleSince() {
        return lastProgress;
    }

    void shutdownInput() {
        try {
            channel.shutdownInput();
        } catch (IOException e) {
            // already closed by its client
        }
    }

    /** Ends the connection; its thread, blocked reading, sees the end of the stream. */
    void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closed either way
        }
    }

    /** Notes when reads wait and whether the bytes so far end inside a line. */
    private final class Watched extends InputStream {
        private final InputStream in;

        Watched(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            long start = System.nanoTime();
            readingSince = start;
            int n;
            try {
                if (lineBytes > LineReader.MAX_LINE) {
                    // Past the limit: already answered, read at a pace that takes little from the others.
                    length = Math.min(length, OVERLONG_READ);
                    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(length) / OVERLONG_BYTES_PER_SECOND);
                }
                n = in.read(buffer, offset, length);
            } finally {
                readingSince = 0;
                if (inLine) {
                    waitedForLine += System.nanoTime() - start;
                }
            }
            if (n > 0) {
                int lastNewline = -1;
                for (int i = offset + n - 1; i >= offset; i--) {
                    if (buffer[i] == '\n') {
                        lastNewline = i;
                        break;
                    }
                }
                if (lastNewline >= 0) {
                    waitedForLine = 0; // a line was finished; what follows it, if anything, starts afresh
                    lineBytes = offset + n - 1 - lastNewline;
                } else {
                    lineBytes += n;
                }
                inLine = lastNewline != offset + n - 1;
            }
            return n;
        }
    }
}
