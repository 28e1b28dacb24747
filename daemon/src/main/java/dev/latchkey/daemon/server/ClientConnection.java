package dev.latchkey.daemon.server;

import dev.latchkey.daemon.door.latchkey.ProtocolSession;
import dev.latchkey.protocol.LineBuffer;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client of the daemon's socket, as the {@link ConnectionLoop} serves it: the bytes of its
 * requests not yet framed into lines, its answers not yet sent, and what the loop needs to keep
 * a few clients from starving the rest. It belongs to one thread at a time, the loop's, or, while
 * a slow request of it is served, the thread that serves it; it is handed between them through
 * the loop's queue, which orders what each did before.
 */
final class ClientConnection {
    final SocketChannel channel;
    final ProtocolSession session;
    final LineBuffer lines = new LineBuffer();
    final Outbox out;
    SelectionKey key;
    /** When the unfinished line held began to arrive ({@link System#nanoTime()}); meaningful while {@link LineBuffer#inLine()}. */
    long lineSince;
    /** Since when the client has given the daemon nothing to do: its last answered request, or its connection. */
    long idleSince;
    /** While the rest of an over-long line is read at a pace: when reading may go on; 0 otherwise. */
    long pausedUntil;
    /** Answers are waiting for room, or a slow request was being served: its requests are not being read. */
    boolean notReading;
    /** Read at this wake-up and not yet answered, or its held back lines to be answered next. */
    boolean inRound;
    /** Lines it sent are held back unanswered until the answers waiting for it are sent ({@link ConnectionLoop}). */
    boolean linesWaiting;
    /** The client has ended its side; the connection is closed once its answers are sent. */
    boolean ended;
    /** A request of it is being served on a thread the loop gave it; it is not the loop's until given back. */
    volatile boolean away;
    /** Closed, and counted as ended. */
    boolean done;
    /** A line of it has been read: only the first may open a relayed invocation. */
    boolean sawLine;
    /** Its first line opened a relayed invocation: the connection is no longer the loop's. */
    boolean handedOver;

    /** {@code heldByAll}: what the answers waiting for all the loop's connections take, this one's included from now on. */
    ClientConnection(SocketChannel channel, ProtocolSession session, AtomicLong heldByAll, long now) {
        this.channel = channel;
        this.session = session;
        this.out = new Outbox(heldByAll);
        this.idleSince = now;
    }

    /** Whether the client left a line unfinished for longer than {@code deadlineNanos} (slow to send, or stopped in the middle). */
    boolean lineOverdue(long now, long deadlineNanos) {
        return lines.inLine() && now - lineSince > deadlineNanos;
    }

    /** Ends the connection and forgets what it held. */
    void close() {
        lines.wipe();
        out.close();
        closeChannel();
    }

    /** Ends the connection, leaving its buffers to the thread that holds them. */
    void closeChannel() {
        try {
            channel.close();
        } catch (IOException e) {
            // closed either way
        }
    }
}
