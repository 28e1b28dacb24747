package dev.latchkey.daemon.server;

import dev.latchkey.daemon.audit.AuditBatch;
import dev.latchkey.daemon.door.HandBack;
import dev.latchkey.daemon.door.latchkey.ProtocolSession;
import dev.latchkey.daemon.service.Batch;
import dev.latchkey.protocol.Dialect;
import dev.latchkey.protocol.ErrorKind;
import dev.latchkey.protocol.Incoming;
import dev.latchkey.protocol.LineBuffer;
import dev.latchkey.protocol.LineReader;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.ResponseCodec;
import dev.latchkey.protocol.relay.RelayHeader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Serves every connection of the daemon's socket from one thread, on a selector. Each wake-up
 * reads what all the ready clients sent, answers them in turn, writes their audit lines with one
 * {@code write} ({@link AuditBatch}), then sends the answers: a busy daemon answers many requests
 * per wake-up, on the thread that read them. (A thread per
 * connection, which this replaced, spent more of its time in the kernel, switching between its
 * busy threads, than answering requests: docs/performance.md.) Each connection's requests are
 * answered in order. A file a request reads is looked at ({@code stat}) at most once per wake-up
 * ({@link Batch}): a change made before a request was sent is still seen by it.
 *
 * <p>A request that takes long (a keyring that does not answer, an external command) must not
 * hold up the others. The loop's watch sees it serving one connection for more than
 * {@link #RELIEF_NANOS}, and starts a new thread to go on with the loop; the thread that was
 * serving finishes that connection's requests, gives the connection back, and ends.
 *
 * <p>Two rules keep clients that hold connections without using them from locking the others out:
 * <ul>
 *   <li>a line begun must be finished within {@link #LINE_DEADLINE_NANOS}: a client that sends a
 *       byte now and then (slowloris), or stops in the middle of a line, is disconnected;</li>
 *   <li>when all {@link #MAX_CONNECTIONS} are open, a new client makes room by closing the one
 *       that has gone longest without a request; a connection whose request is being served is
 *       never closed. A client library reconnects on its next call, so an idle client loses
 *       nothing but the connection. Only when every connection is busy is a new one turned away.</li>
 * </ul>
 * A line that passes {@link LineReader#MAX_LINE} is answered {@code bad-request} at once, and the
 * rest of it is read at {@link #OVERLONG_BYTES_PER_SECOND}, that time counting towards the line's
 * deadline: a line of a few MB sent by mistake leaves the connection usable, one of 100 MB is cut off.
 *
 * <p>A client that sends requests and does not read the answers must not fill the daemon's heap
 * with them. A connection is read only while nothing waits to be sent to it, but one read may
 * bring hundreds of requests, each with a large answer; so its lines are answered only while the
 * answers waiting for it take less than {@link #CONNECTION_OUTBOX_LIMIT}, and, once the answers
 * waiting for all connections take more than {@link #totalOutboxLimit}, only while nothing waits
 * for it. The lines held back are answered as its client reads, and only then is it read again.
 * A client that reads its answers is answered, whatever the others do. An answer is never cut,
 * so the memory answers take is bounded by the total limit and one answer for each connection.
 */
final class ConnectionLoop {
    /** A connection holds a descriptor and a few KiB of buffers; a thousand idle tools fit. */
    static final int MAX_CONNECTIONS = 1024;
    static final long LINE_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(10);
    /**
     * How fast the rest of a line past {@link LineReader#MAX_LINE} is read, {@link #OVERLONG_READ}
     * at a time. With the deadline, a line of up to some 10 MiB is read past and its connection
     * kept; a longer one is cut off, having cost the daemon some 64 reads a second rather than all
     * the CPU it could take.
     */
    static final long OVERLONG_BYTES_PER_SECOND = 1024 * 1024;
    private static final int OVERLONG_READ = 16 * 1024;
    /**
     * What the answers waiting for one connection may take before its next lines are held back.
     * More than a socket's buffer takes at once, so that a client that reads while it pipelines
     * requests always finds answers ready and never notices; a larger answer (a list of thousands
     * of tokens) still goes out whole, the limit holding back only the ones after it.
     */
    static final int CONNECTION_OUTBOX_LIMIT = 256 * 1024;
    /** Long for a request (a get takes some microseconds), short for the clients waiting behind it. */
    static final long RELIEF_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long WATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Watches without a request served before the watch sleeps until the next one: an idle daemon wakes no one. */
    private static final int WATCHES_BEFORE_SLEEP = 10;
    private static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long EVICTION_LOG_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** {@link Turn#serving} once the watch has handed the loop to another thread. */
    private static final Object RELIEVED = new Object();

    private final Selector selector;
    private final Consumer<String> log;
    /** Takes over the connections that open a relayed invocation (docs/relay-protocol.md). */
    private final RelayTaker relays;
    /** What the answers waiting for all the connections take, counted by their outboxes. */
    private final AtomicLong outboxes = new AtomicLong();
    private final long connectionOutboxLimit;
    private final long totalOutboxLimit;
    /** Told of each connection ended, as many times as connections were {@link #add}ed. */
    private final Runnable ended;
    /** Connections new, and connections given back by the thread that served a slow request of theirs. */
    private final Queue<ClientConnection> arriving = new ConcurrentLinkedQueue<>();
    // The rest is the loop's, handed from one turn's thread to the next through the start of its thread.
    private final Set<ClientConnection> connections = new HashSet<>();
    private final List<ClientConnection> paused = new ArrayList<>();
    private long nextSweep = System.nanoTime();
    private boolean linesOpen; // some connection held an unfinished line at the last look
    private long evicted;
    private long evictionLoggedAt = System.nanoTime() - EVICTION_LOG_PERIOD_NANOS;
    private final Thread watch = new Thread(this::watch, "latchkey-connection-watch");
    private volatile Turn turn;
    private volatile boolean watchAsleep;
    private volatile boolean stopping;
    private volatile boolean closeAll;
    private volatile boolean finished;

    /** Serves a relayed invocation on a connection the loop lets go of; tells {@code ended} when done with it. */
    @FunctionalInterface
    interface RelayTaker {
        void take(SocketChannel channel, byte[] buffered);
    }

    ConnectionLoop(Consumer<String> log, RelayTaker relays, Runnable ended) throws IOException {
        this(log, relays, ended, CONNECTION_OUTBOX_LIMIT, totalOutboxLimit());
    }

    /** With other limits to what answers waiting to be sent may take: for tests. */
    ConnectionLoop(Consumer<String> log, RelayTaker relays, Runnable ended, long connectionOutboxLimit, long totalOutboxLimit)
            throws IOException {
        this.selector = Selector.open();
        this.log = log;
        this.relays = relays;
        this.ended = ended;
        this.connectionOutboxLimit = connectionOutboxLimit;
        this.totalOutboxLimit = totalOutboxLimit;
    }

    /**
     * What the answers waiting for all connections may take before the lines of those that have
     * some waiting are held back. A share of the heap: the rest holds the stores, their caches,
     * and the one answer each connection may still be given past it. Far more than the clients of
     * a user ever leave waiting, unless some do not read.
     */
    static long totalOutboxLimit() {
        return Runtime.getRuntime().maxMemory() / 8;
    }

    void start() {
        begin(new Turn(null, null)); // before the watch, which looks at the turn
        watch.setDaemon(true);
        watch.start();
    }

    /** Takes a connection in: non-blocking, its hello sent. */
    void add(SocketChannel channel, ProtocolSession session) {
        ClientConnection connection = new ClientConnection(channel, session, outboxes, System.nanoTime());
        arriving.add(connection);
        selector.wakeup();
        if (finished) {
            closeLateArrivals();
        }
    }

    /**
     * Stops reading: what each connection already sent is answered and written, then it is closed.
     * {@link #ended} tells when each is.
     */
    void stop() {
        stopping = true;
        selector.wakeup();
    }

    /** Closes every connection now, answered or not. */
    void closeAll() {
        closeAll = true;
        stopping = true;
        selector.wakeup();
    }

    private void begin(Turn next) {
        turn = next;
        Thread thread = new Thread(next, "latchkey-connections");
        thread.setDaemon(true);
        thread.start();
    }

    /** One thread's time running the loop: from its start until the watch hands the loop to another. */
    private final class Turn implements Runnable {
        /** The connection being answered, while one is; {@link #RELIEVED} once this turn is over. */
        final AtomicReference<Object> serving = new AtomicReference<>();
        volatile long servingSince;
        /** Connections read at this wake-up and not yet answered. */
        final ArrayDeque<ClientConnection> round;
        /** Connections answered at this wake-up, their answers to be sent once their audit lines are written. */
        final ArrayDeque<ClientConnection> answered;
        final AuditBatch audit = new AuditBatch();
        long readAt;
        /** What the requests of this wake-up carry down to the service: {@link #readAt} and {@link #audit}. */
        Batch batch;
        /** The turn this one takes over from, kept by a slow request of {@link #away}; null for the first. */
        private Turn before; // let go once taken over from: a chain of them would keep every relieved connection
        private ClientConnection away;

        Turn(Turn before, ClientConnection away) {
            this.before = before;
            this.away = away;
            this.round = before != null ? before.round : new ArrayDeque<>();
            this.answered = before != null ? before.answered : new ArrayDeque<>();
            this.readAt = before != null ? before.readAt : 0;
            this.batch = Batch.readAt(readAt, audit);
        }

        @Override
        public void run() {
            try {
                serve();
            } catch (RuntimeException e) {
                // A bug of the loop's own: rather than leave every client unserved, a new turn goes on.
                // An Error (the heap exhausted, say) is not caught: it ends the daemon (background.FatalErrors).
                log.accept("the connection loop failed (" + e.getClass().getName() + "); going on with a new thread; please report it");
                if (turn == this && serving.compareAndSet(serving.get(), RELIEVED)) {
                    rearm(round);
                    rearm(answered);
                    begin(new Turn(null, null));
                }
            }
        }

        private void serve() {
            if (before != null) {
                setInterest(away, 0);
                noteAuditProblem(before.audit.close()); // lines of the requests it answered, and of the slow one if done
                before = null;
                away = null;
                sendAnswered(this);
                if (!answerRound(this)) { // what the turn before read and did not come to
                    return;
                }
            }
            while (turn == this) {
                if (stopping && wound(this)) {
                    finish();
                    return;
                }
                try {
                    if (round.isEmpty()) {
                        selector.select(selectTimeoutMillis());
                    } else {
                        selector.selectNow(); // lines held back are to be answered now
                    }
                } catch (IOException e) {
                    log.accept("the connection loop cannot wait on its sockets: " + e.getMessage());
                    LockSupport.parkNanos(SWEEP_NANOS); // should not happen: don't spin
                }
                long now = System.nanoTime();
                for (SelectionKey key : selector.selectedKeys()) {
                    ClientConnection connection = (ClientConnection) key.attachment();
                    try {
                        if (key.isWritable()) {
                            sendAnswers(this, connection, now);
                        }
                        if (key.isValid() && key.isReadable() && read(connection, now)) {
                            toRound(this, connection);
                        }
                    } catch (CancelledKeyException e) {
                        drop(connection); // closed meanwhile
                    }
                }
                selector.selectedKeys().clear();
                takeArrivals(this, now); // after the reads: room is never made by closing a connection whose request just came
                readAt = System.nanoTime();
                batch = Batch.readAt(readAt, audit);
                if (!answerRound(this)) {
                    return; // the watch gave the loop to another thread while a request here took long
                }
                resumePaused(now);
                if (now - nextSweep >= 0) {
                    sweep(now);
                }
            }
        }
    }

    /**
     * Answers the connections of {@code turn}'s round, writes their audit lines, then sends their
     * answers; false when the turn ended on the way (the loop is another thread's now).
     */
    private boolean answerRound(Turn turn) {
        ClientConnection connection;
        while ((connection = turn.round.poll()) != null) {
            connection.inRound = false;
            if (!answer(turn, connection)) {
                return false;
            }
            if (!connection.handedOver) {
                turn.answered.add(connection);
            }
        }
        noteAuditProblem(turn.audit.write());
        sendAnswered(turn);
        return true;
    }

    private void sendAnswered(Turn turn) {
        ClientConnection connection;
        while ((connection = turn.answered.poll()) != null) {
            sendAnswers(turn, connection, connection.idleSince);
        }
    }

    /**
     * Connections a failed turn left to answer or to send to: each is looked at again once its
     * socket can be written to, its answers sent and its held back lines answered as usual.
     */
    private static void rearm(Queue<ClientConnection> left) {
        ClientConnection connection;
        while ((connection = left.poll()) != null) {
            connection.inRound = false;
            setInterest(connection, SelectionKey.OP_WRITE);
        }
    }

    private static void toRound(Turn turn, ClientConnection connection) {
        if (!connection.inRound) {
            connection.inRound = true;
            turn.round.add(connection);
        }
    }

    /** A failed write of held audit lines: the requests had their answers; the next ones hear of it ({@link AuditBatch#write()}). */
    private void noteAuditProblem(String problem) {
        if (problem != null) {
            log.accept(problem);
        }
    }

    /**
     * Reads what the client sent, as much as there is room for; true when there is something to
     * answer (lines, or the end of the stream). The rest of an over-long line is read in steps,
     * the connection paused between them.
     */
    private boolean read(ClientConnection connection, long now) {
        boolean skipping = connection.lines.skipping();
        ByteBuffer space = connection.lines.space(skipping ? OVERLONG_READ : Integer.MAX_VALUE);
        if (!connection.lines.inLine()) {
            connection.lineSince = now;
        }
        int n;
        try {
            n = connection.channel.read(space);
        } catch (IOException e) {
            drop(connection); // reset by its client
            return false;
        }
        if (n < 0) {
            connection.ended = true;
            return true;
        }
        connection.lines.filled(n);
        if (skipping) {
            connection.pausedUntil = now + TimeUnit.SECONDS.toNanos(n) / OVERLONG_BYTES_PER_SECOND;
            setInterest(connection, 0);
            paused.add(connection);
        }
        linesOpen = true;
        return true;
    }

    /**
     * Answers the whole lines {@code connection} holds, into its outbox (sent once the round's
     * audit lines are written), as many as the limits on what waits to be sent let it (the class
     * comment): the others are held back until its client has read. True unless the
     * watch gave the loop to another thread meanwhile, in which case this thread gives the
     * connection back and is done.
     */
    private boolean answer(Turn turn, ClientConnection connection) {
        turn.servingSince = System.nanoTime();
        turn.serving.set(connection);
        if (watchAsleep) {
            LockSupport.unpark(watch);
        }
        try {
            while (true) {
                if (mustWait(connection)) {
                    connection.linesWaiting = true;
                    connection.notReading = true;
                    break;
                }
                int length = connection.lines.next();
                if (length == LineBuffer.NEED_MORE) {
                    connection.linesWaiting = false;
                    break;
                }
                if (length >= 0) {
                    connection.lineSince = turn.readAt; // the bytes after it came in the same read
                }
                if (!connection.sawLine && opensRelay(connection.lines.line(), length)) {
                    handOver(connection);
                    break;
                }
                connection.sawLine = true;
                answerLine(turn, connection, length);
            }
            if (connection.ended && !connection.handedOver && !connection.linesWaiting) {
                int last = connection.lines.last();
                if (last != LineReader.END_OF_STREAM) {
                    answerLine(turn, connection, last);
                }
            }
        } catch (RuntimeException e) {
            // ProtocolSession answers a handler's bug as a failed request; this is one of the loop's own
            log.accept("closed a connection after a bug in serving it (" + e.getClass().getName() + "); please report it");
            connection.ended = true;
            connection.linesWaiting = false;
        }
        connection.idleSince = System.nanoTime();
        if (!turn.serving.compareAndSet(connection, null)) {
            if (!connection.handedOver) {
                giveBack(connection); // this thread is no longer the loop's: the loop sends the answers
            }
            return false;
        }
        return true;
    }

    private static final byte[] RELAY_LINE = RelayHeader.FIRST_LINE.getBytes(StandardCharsets.US_ASCII);

    /** Whether a connection's first line opens a relayed invocation rather than being a protocol request. */
    private static boolean opensRelay(byte[] line, int length) {
        return length == RELAY_LINE.length && Arrays.equals(line, 0, length, RELAY_LINE, 0, length);
    }

    /**
     * Lets go of a connection whose first line opened a relayed invocation: its key is cancelled
     * (the next select deregisters it), and it goes with what it sent after that line to the relay's
     * thread, which tells {@link #ended} when done.
     */
    private void handOver(ClientConnection connection) {
        connection.handedOver = true;
        byte[] rest = connection.lines.takeRest();
        connections.remove(connection);
        paused.remove(connection);
        connection.key.cancel();
        relays.take(connection.channel, rest);
    }

    /** Whether the connection's next lines must wait until its client has read the answers waiting for it. */
    private boolean mustWait(ClientConnection connection) {
        return !connection.out.isEmpty() && (connection.out.held() >= connectionOutboxLimit || outboxes.get() >= totalOutboxLimit);
    }

    private static void answerLine(Turn turn, ClientConnection connection, int length) {
        Incoming incoming = ProtocolSession.read(connection.lines.line(), length);
        if (incoming != null) {
            try {
                connection.session.answer(incoming, connection.out, turn.batch);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // an Outbox does not throw
            } catch (HandBack e) {
                throw new IllegalStateException("a socket client's request was handed back", e); // its handler never does
            }
        }
    }

    /**
     * Writes the connection's answers, as far as its client reads them: until all are written the
     * connection waits for room, and its next requests wait to be read; then the lines it sent that
     * were held back are answered, in {@code turn}'s round. Ended, and all written: closed.
     */
    private void sendAnswers(Turn turn, ClientConnection connection, long now) {
        boolean allSent;
        try {
            allSent = connection.out.sendTo(connection.channel);
        } catch (IOException e) {
            drop(connection); // the client went away without reading its answers
            return;
        }
        if (!allSent) {
            connection.notReading = true;
            setInterest(connection, SelectionKey.OP_WRITE);
        } else if (connection.linesWaiting) {
            setInterest(connection, 0); // not read until those lines are answered too
            toRound(turn, connection);
        } else if (connection.ended || stopping) {
            drop(connection);
        } else {
            if (connection.notReading) {
                connection.notReading = false;
                // The deadline is for the client's slowness: the time its line waited here does not count.
                connection.lineSince = now;
                linesOpen |= connection.lines.inLine();
            }
            setInterest(connection, connection.pausedUntil == 0 ? SelectionKey.OP_READ : 0);
        }
    }

    /** From the thread that served a slow request: the connection is the loop's again. */
    private void giveBack(ClientConnection connection) {
        arriving.add(connection);
        selector.wakeup();
        if (finished) {
            closeLateArrivals();
        }
    }

    /** New connections registered, or turned away when all are busy; connections given back re-armed. */
    private void takeArrivals(Turn turn, long now) {
        ClientConnection connection;
        while ((connection = arriving.poll()) != null) {
            if (connection.key != null) {
                connection.away = false;
                if (connection.done) {
                    connection.close(); // closed by closeAll() while away: its buffers are the loop's again, to wipe
                } else {
                    connection.notReading = true; // not read while away
                    sendAnswers(turn, connection, now); // the answers of its slow request
                }
            } else if (stopping) {
                drop(connection); // too late a client
            } else if (admit(connection, now)) {
                try {
                    connection.key = connection.channel.register(selector, SelectionKey.OP_READ, connection);
                    connections.add(connection);
                } catch (ClosedChannelException e) {
                    drop(connection);
                }
            }
        }
    }

    /** When all connections are open, closes the one idle longest to make room, or turns this one away when all are busy. */
    private boolean admit(ClientConnection connection, long now) {
        if (connections.size() < MAX_CONNECTIONS) {
            return true;
        }
        ClientConnection longestIdle = null;
        for (ClientConnection open : connections) {
            if (!open.away && !open.inRound && open.out.isEmpty() && (longestIdle == null || open.idleSince - longestIdle.idleSince < 0)) {
                longestIdle = open;
            }
        }
        if (longestIdle == null) {
            log.accept("turned a connection away: all " + MAX_CONNECTIONS + " are serving requests");
            refuse(connection);
            drop(connection);
            return false;
        }
        drop(longestIdle);
        evicted++;
        if (now - evictionLoggedAt >= EVICTION_LOG_PERIOD_NANOS) {
            evictionLoggedAt = now;
            log.accept("all " + MAX_CONNECTIONS + " connections were open: closed the one idle longest to make room for a new one ("
                    + evicted + " so far)");
        }
        return true;
    }

    /** The one answer of a connection turned away, without an id: it is about the whole connection. */
    private void refuse(ClientConnection connection) {
        connection.out.write(ResponseCodec.write(null, Response.Failure.of(ErrorKind.UNAVAILABLE, "the latchkey daemon is serving "
                + MAX_CONNECTIONS + " requests at once; retry in a moment"), Dialect.LATCHKEY));
        try {
            connection.out.sendTo(connection.channel); // a fresh socket has room for it
        } catch (IOException e) {
            // gone already
        }
    }

    /** Closes the connections whose client left a line unfinished for too long; notes whether any line is open. */
    private void sweep(long now) {
        nextSweep = now + SWEEP_NANOS;
        boolean open = false;
        for (ClientConnection connection : List.copyOf(connections)) {
            if (connection.away || connection.notReading) {
                continue; // the daemon is the one keeping its line waiting
            }
            if (connection.lineOverdue(now, LINE_DEADLINE_NANOS)) {
                drop(connection);
                log.accept("closed a connection whose client left a line unfinished for more than "
                        + TimeUnit.NANOSECONDS.toSeconds(LINE_DEADLINE_NANOS) + " s");
            } else {
                open |= connection.lines.inLine();
            }
        }
        linesOpen = open;
    }

    private void resumePaused(long now) {
        for (int i = paused.size() - 1; i >= 0; i--) {
            ClientConnection connection = paused.get(i);
            if (now - connection.pausedUntil >= 0 || !connection.channel.isOpen()) {
                paused.remove(i);
                connection.pausedUntil = 0;
                if (!connection.away && connection.out.isEmpty() && !connection.linesWaiting) {
                    setInterest(connection, SelectionKey.OP_READ);
                }
            }
        }
    }

    /** 0: until woken; else until the next paused connection may read on, or the next sweep for unfinished lines. */
    private long selectTimeoutMillis() {
        long now = System.nanoTime();
        long until = Long.MAX_VALUE;
        for (ClientConnection connection : paused) {
            until = Math.min(until, connection.pausedUntil - now);
        }
        if (linesOpen) {
            until = Math.min(until, nextSweep - now);
        }
        return until == Long.MAX_VALUE ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(until) + 1);
    }

    /** The loop is done: its watch ends too, and a connection that comes after is closed at once. */
    private void finish() {
        finished = true;
        LockSupport.unpark(watch);
        try {
            selector.close();
        } catch (IOException e) {
            // closed either way
        }
        closeLateArrivals();
    }

    /**
     * Closes what reached the queue after the loop finished: a client accepted just before the
     * stop, or a connection given back after closeAll(), whose buffers are wiped here.
     */
    private synchronized void closeLateArrivals() {
        ClientConnection connection;
        while ((connection = arriving.poll()) != null) {
            connection.away = false;
            if (connection.done) {
                connection.close();
            } else {
                drop(connection);
            }
        }
    }

    /**
     * While stopping: closes the connections that have nothing left to send or to answer, and reads
     * no more. True once none is left, when the loop is done.
     */
    private boolean wound(Turn turn) {
        takeArrivals(turn, System.nanoTime());
        for (ClientConnection connection : List.copyOf(connections)) {
            if (closeAll || (!connection.away && !connection.inRound && connection.out.isEmpty())) {
                drop(connection);
            } else if (!connection.away && !connection.out.isEmpty()) {
                setInterest(connection, SelectionKey.OP_WRITE);
            }
        }
        return connections.isEmpty() && turn.round.isEmpty();
    }

    /** Closes the connection, once: its buffers wiped unless another thread is serving it, which gives it back. */
    private void drop(ClientConnection connection) {
        if (connection.done) {
            return;
        }
        connection.done = true;
        connections.remove(connection);
        paused.remove(connection);
        if (connection.away) {
            connection.closeChannel();
        } else {
            connection.close();
        }
        ended.run();
    }

    private static void setInterest(ClientConnection connection, int ops) {
        try {
            connection.key.interestOps(ops);
        } catch (CancelledKeyException e) {
            // closed: only drop() cancels keys, and it has let the connection go
        }
    }

    /**
     * Every {@link #WATCH_NANOS} while requests are served: hands the loop to a new thread when
     * the one running it has spent more than {@link #RELIEF_NANOS} on one connection. Sleeps once
     * nothing has been served for a while, until the next request.
     */
    private void watch() {
        long seenSince = 0;
        int quiet = 0;
        while (!finished) {
            LockSupport.parkNanos(WATCH_NANOS);
            Turn current = turn;
            Object serving = current.serving.get();
            long since = current.servingSince;
            if (serving instanceof ClientConnection connection && System.nanoTime() - since > RELIEF_NANOS
                    && current.serving.compareAndSet(connection, RELIEVED)) {
                connection.away = true;
                begin(new Turn(current, connection));
            }
            quiet = serving == null && since == seenSince ? quiet + 1 : 0;
            seenSince = since;
            if (quiet >= WATCHES_BEFORE_SLEEP) {
                watchAsleep = true;
                if (turn.serving.get() == null && turn.servingSince == seenSince && !finished) {
                    LockSupport.park(this);
                }
                watchAsleep = false;
                quiet = 0;
            }
        }
    }
}
