package dev.latchkey.daemon.transport;

import dev.latchkey.daemon.service.Caller;
import dev.latchkey.protocol.Dialect;
import dev.latchkey.protocol.ErrorKind;
import dev.latchkey.protocol.Hello;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.ResponseCodec;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.OptionalLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Serves the latchkey protocol on a listening Unix socket, with the framing of stdio: one
 * {@link ProtocolSession} per connection on a thread of its own, so clients are served at once
 * and each connection's pipelined requests are answered in order. The threads are pooled: a
 * client that connects for one request, as most do, costs no thread's start and end, and a flood
 * of them no churn of stacks. A peer that is not the daemon's own user is told {@code denied} and
 * disconnected before it can send anything; a client whose line passes
 * {@link dev.latchkey.protocol.LineReader#MAX_LINE} is told {@code bad-request} at once
 * ({@link ProtocolSession#answeringOverlongLinesAtTheLimit()}), and the rest of its line is read
 * at {@link WatchedConnection#OVERLONG_BYTES_PER_SECOND}, the time counting towards the line's
 * deadline: a line of a few MB by mistake leaves the connection usable, one of 100 MB is cut off.
 *
 * <p>Each connection holds a thread, so their number is capped, and two rules keep clients that
 * hold connections without using them from locking the others out:
 * <ul>
 *   <li>a line begun must be finished within {@link #LINE_DEADLINE_NANOS} of waiting for it: a
 *       client that sends a byte now and then (slowloris), or stops in the middle of a line, is
 *       disconnected;</li>
 *   <li>when all {@link #MAX_CONNECTIONS} are open, a new client makes room by closing the one
 *       that has gone longest without a request; a connection whose request is being served is
 *       never closed. A client library reconnects on its next call, so an idle client loses
 *       nothing but the connection. Only when every connection is busy is a new one turned away.</li>
 * </ul>
 * An idle connection is otherwise kept as long as its client likes: tools hold one for their life.
 */
public final class SocketServer {
    /** Each connection holds a thread (a mostly untouched stack) and a few KiB of buffers. */
    static final int MAX_CONNECTIONS = 1024;
    static final long LINE_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long WATCH_PERIOD_MILLIS = 500;
    private static final long EVICTION_LOG_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final long IDLE_THREAD_SECONDS = 5;
    private static final long ACCEPT_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ServerSocketChannel listener;
    private final StopAccepting stopAccepting;
    private final UserPrincipal owner;
    private final String version;
    private final Function<Supplier<Caller>, RequestHandler> handlers;
    private final Consumer<String> log;
    private final Long ownerUid;
    private final Set<WatchedConnection> connections = ConcurrentHashMap.newKeySet();
    /**
     * As many threads as connections, each taken up again by the next connection. One left idle
     * ends after {@link #IDLE_THREAD_SECONDS}: long enough to carry a stream of one-request clients,
     * short enough that the stacks a flood of them left are soon given back.
     */
    private final ExecutorService sessions = new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_THREAD_SECONDS, TimeUnit.SECONDS,
            new SynchronousQueue<>(), task -> {
                Thread thread = new Thread(task, "latchkey-connection");
                thread.setDaemon(true);
                return thread;
            });
    private final Object admission = new Object();
    private final Object sessionsDone = new Object();
    /** Connections accepted and not yet done with, whether their thread has taken them up or not. */
    private int active; // guarded by sessionsDone
    private final ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "latchkey-connection-watch");
        thread.setDaemon(true);
        return thread;
    });
    private long evicted; // guarded by admission
    private long evictionLoggedAt = System.nanoTime() - EVICTION_LOG_PERIOD_NANOS; // guarded by admission
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;

    /** Makes the listener take no more connections, and wakes the thread blocked accepting on it. */
    @FunctionalInterface
    public interface StopAccepting {
        void run() throws IOException;
    }

    /**
     * @param stopAccepting how this listener stops (closed and removed, or kept for a service manager)
     * @param owner         the only user allowed to connect
     * @param handlers      a handler for each new connection, given how to learn who is at its other end
     * @param log           where refused peers and failures are reported
     */
    public SocketServer(ServerSocketChannel listener, StopAccepting stopAccepting, UserPrincipal owner, String version,
                        Function<Supplier<Caller>, RequestHandler> handlers, Consumer<String> log) {
        this.listener = listener;
        this.stopAccepting = stopAccepting;
        this.owner = owner;
        this.version = version;
        this.handlers = handlers;
        this.log = log;
        this.ownerUid = uidOfThisProcess();
    }

    /** This process's uid, from {@code /proc/self}; unknown elsewhere than Linux. */
    private static Long uidOfThisProcess() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }

    /** Accepts connections until {@link #stop} is called; returns once the connections are drained. */
    public void serve() throws InterruptedException {
        PeerProcess.prepareInBackground();
        watch.scheduleWithFixedDelay(this::closeOverdueLines, WATCH_PERIOD_MILLIS, WATCH_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        while (!stopping) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (ClosedChannelException e) {
                break; // stop() closed the listener
            } catch (IOException e) {
                log.accept("cannot accept a connection: " + e.getMessage());
                LockSupport.parkNanos(ACCEPT_BACKOFF_NANOS); // out of file descriptors, say: don't spin
                continue;
            }
            if (stopping) {
                close(channel); // the connection that woke us, or a client just too late
                break;
            }
            sessionBegins();
            try {
                sessions.execute(() -> serve(channel));
            } catch (RejectedExecutionException e) {
                // stop() has drained and shut the pool down since stopping was read: too late a client
                close(channel);
                sessionEnds();
            }
        }
        stopped.await();
    }

    private void sessionBegins() {
        synchronized (sessionsDone) {
            active++;
        }
    }

    private void sessionEnds() {
        synchronized (sessionsDone) {
            active--;
            sessionsDone.notifyAll();
        }
    }

    private void serve(SocketChannel channel) {
        WatchedConnection connection = new WatchedConnection(channel);
        try (channel) {
            OutputStream out = Channels.newOutputStream(channel);
            UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (!peer.user().equals(owner)) {
                log.accept("refused a connection from user " + peer.user().getName() + ": only " + owner.getName()
                        + " may use this daemon");
                refuse(out, ErrorKind.DENIED, "this latchkey daemon serves only its own user, " + owner.getName()
                        + "; run your own with `latchkey daemon`");
                return;
            }
            if (!admit(connection)) {
                log.accept("turned a connection away: all " + MAX_CONNECTIONS + " are serving requests");
                refuse(out, ErrorKind.UNAVAILABLE, "the latchkey daemon is serving " + MAX_CONNECTIONS
                        + " requests at once; retry in a moment");
                return;
            }
            if (stopping) {
                return; // stop() began after this connection was accepted and may not have seen it
            }
            new ProtocolSession(Dialect.LATCHKEY, version, connection.serving(handlers.apply(() -> callerAt(channel))))
                    .answeringOverlongLinesAtTheLimit()
                    .serve(connection.input(), out);
        } catch (IOException e) {
            // The client went away, or the connection was closed here; there is no one left to answer.
        } finally {
            connections.remove(connection);
            sessionEnds();
        }
    }

    /**
     * The peer, for the audit log: its pid from the kernel when it can be asked ({@link PeerProcess}),
     * and its uid, which is the daemon's own (any other was refused above).
     */
    private Caller callerAt(SocketChannel channel) {
        Long uid = ownerUid;
        OptionalLong pid = PeerProcess.of(channel);
        return pid.isPresent() ? Caller.ofPid(pid.getAsLong(), uid) : new Caller(null, uid, null, null, null);
    }

    /**
     * Takes {@code connection} in; when all are taken, first closes the one that has gone longest
     * without a request (its thread then takes up another). False when every connection is serving a request.
     */
    private boolean admit(WatchedConnection connection) {
        synchronized (admission) {
            if (connections.size() >= MAX_CONNECTIONS) {
                WatchedConnection longestIdle = null;
                for (WatchedConnection open : connections) {
                    if (!open.isServing() && (longestIdle == null || open.idleSince() - longestIdle.idleSince() < 0)) {
                        longestIdle = open;
                    }
                }
                if (longestIdle == null) {
                    return false;
                }
                connections.remove(longestIdle);
                longestIdle.close();
                noteEviction();
            }
            connections.add(connection);
            return true;
        }
    }

    /** Under a flood of connections this happens for each new one: logged once a minute, with the count. */
    private void noteEviction() {
        evicted++;
        long now = System.nanoTime();
        if (now - evictionLoggedAt >= EVICTION_LOG_PERIOD_NANOS) {
            evictionLoggedAt = now;
            log.accept("all " + MAX_CONNECTIONS + " connections were open: closed the one idle longest to make room for a new one ("
                    + evicted + " so far)");
        }
    }

    /** Closes the connections whose client left a line unfinished for too long. */
    private void closeOverdueLines() {
        long now = System.nanoTime();
        for (WatchedConnection connection : connections) {
            if (connection.lineOverdue(now, LINE_DEADLINE_NANOS)) {
                connections.remove(connection);
                connection.close();
                log.accept("closed a connection whose client left a line unfinished for more than "
                        + TimeUnit.NANOSECONDS.toSeconds(LINE_DEADLINE_NANOS) + " s");
            }
        }
    }

    /** The hello every client expects, then one answer without an id, which is about the whole connection. */
    private void refuse(OutputStream out, ErrorKind kind, String message) throws IOException {
        out.write(Hello.line(Dialect.LATCHKEY, version));
        out.write(ResponseCodec.write(null, Response.Failure.of(kind, message), Dialect.LATCHKEY));
        out.flush();
    }

    /**
     * Stops accepting, and lets each connection answer the requests it has already sent, for up to
     * {@code grace}; then closes what is left. Safe to call again, from any thread.
     */
    public synchronized void stop(Duration grace) {
        if (stopping) {
            return;
        }
        stopping = true;
        try {
            stopAccepting.run();
        } catch (IOException e) {
            log.accept("cannot stop listening: " + e.getMessage());
        }
        watch.shutdownNow();
        // Reading stops at once; a request already being served still gets its answer written.
        connections.forEach(WatchedConnection::shutdownInput);
        int left = awaitSessions(System.nanoTime() + grace.toNanos());
        if (left > 0) {
            log.accept("closing " + left + " connection(s) still busy after " + grace.toSeconds() + " s");
            connections.forEach(WatchedConnection::close);
        }
        sessions.shutdown();
        stopped.countDown();
    }

    /** Waits until every connection accepted is done with, or {@code giveUp}; how many are left. */
    private int awaitSessions(long giveUp) {
        synchronized (sessionsDone) {
            try {
                long wait;
                while (active > 0 && (wait = giveUp - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.timedWait(sessionsDone, wait);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return active;
        }
    }

    private static void close(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closed either way
        }
    }
}
