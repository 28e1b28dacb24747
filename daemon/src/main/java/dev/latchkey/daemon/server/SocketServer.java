package dev.latchkey.daemon.server;

import dev.latchkey.daemon.door.latchkey.ProtocolSession;
import dev.latchkey.daemon.door.latchkey.RequestHandler;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.OptionalLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Serves the daemon's Unix socket: this thread accepts connections and one {@link ConnectionLoop}
 * serves them all (its doc says how, and what keeps a few clients from starving the rest): the
 * latchkey protocol for the client library, and relayed invocations, which the loop hands to
 * {@link RelayedInvocations}. A peer that is not the daemon's own user is told {@code denied} and
 * disconnected before it can send anything; every other is sent the hello and handed to the loop.
 */
public final class SocketServer {
    private static final long ACCEPT_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ServerSocketChannel listener;
    private final StopAccepting stopAccepting;
    private final UserPrincipal owner;
    private final String version;
    private final Function<Supplier<Caller>, RequestHandler> handlers;
    private final RelayedInvocations relays;
    private final Consumer<String> log;
    private final Long ownerUid;
    private final ConnectionLoop loop;
    private final Object sessionsDone = new Object();
    /** Connections accepted and not yet done with, whether the loop has taken them in or not. */
    private int active; // guarded by sessionsDone
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
     * @param relays        what serves the connections that relay an invocation
     * @param log           where refused peers and failures are reported
     */
    public SocketServer(ServerSocketChannel listener, StopAccepting stopAccepting, UserPrincipal owner, String version,
                        Function<Supplier<Caller>, RequestHandler> handlers, RelayedInvocations relays, Consumer<String> log)
            throws IOException {
        this.listener = listener;
        this.stopAccepting = stopAccepting;
        this.owner = owner;
        this.version = version;
        this.handlers = handlers;
        this.relays = relays;
        this.log = log;
        this.ownerUid = uidOfThisProcess();
        this.loop = new ConnectionLoop(log, this::relay, this::sessionEnds);
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
        loop.start();
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
            if (!hello(channel)) {
                close(channel);
                sessionEnds();
            }
        }
        stopped.await();
    }

    /** Greets the client and hands it to the loop; false when it is turned away or already gone. */
    private boolean hello(SocketChannel channel) {
        try {
            OutputStream out = Channels.newOutputStream(channel);
            UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (!peer.user().equals(owner)) {
                log.accept("refused a connection from user " + peer.user().getName() + ": only " + owner.getName()
                        + " may use this daemon");
                out.write(Hello.line(Dialect.LATCHKEY, version));
                out.write(ResponseCodec.write(null, Response.Failure.of(ErrorKind.DENIED, "this latchkey daemon serves only its own user, "
                        + owner.getName() + "; run your own with `latchkey daemon`"), Dialect.LATCHKEY));
                return false;
            }
            out.write(Hello.line(Dialect.LATCHKEY, version)); // a fresh socket has room for it: no waiting
            channel.configureBlocking(false);
            ProtocolSession session = new ProtocolSession(Dialect.LATCHKEY, version, handlers.apply(() -> callerAt(channel)));
            loop.add(channel, session);
            return true;
        } catch (IOException e) {
            return false; // the client went away already
        }
    }

    /** A connection the loop let go of because it relays an invocation: served on a thread of its own. */
    private void relay(SocketChannel channel, byte[] buffered) {
        relays.serve(channel, buffered, () -> callerAt(channel), this::sessionEnds);
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
        // Reading stops at once; a request already being served still gets its answer written.
        loop.stop();
        relays.stop();
        int left = awaitSessions(System.nanoTime() + grace.toNanos());
        if (left > 0) {
            log.accept("closing " + left + " connection(s) still busy after " + grace.toSeconds() + " s");
            loop.closeAll();
        }
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
