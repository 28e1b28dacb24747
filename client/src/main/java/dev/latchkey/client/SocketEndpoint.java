package dev.latchkey.client;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The daemon's Unix socket. A token goes only to a daemon of the current user: the socket's
 * directory must pass {@link SocketDirectory#verify} and the peer's uid must be ours. When no
 * daemon answers and a {@link DaemonStarter} is given, it starts one and connects to whichever
 * daemon won: when several clients start one at once, all but one daemon give up.
 */
final class SocketEndpoint implements Endpoint {
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final Path socket;
    private final DaemonStarter starter;

    /** {@code starter} null: never start a daemon. */
    SocketEndpoint(Path socket, DaemonStarter starter) {
        this.socket = socket.toAbsolutePath();
        this.starter = starter;
    }

    @Override
    public String describe() {
        return "the latchkey daemon at " + socket;
    }

    @Override
    public Connection open(Duration timeout) throws IOException {
        try {
            return connect(timeout);
        } catch (ConnectException notRunning) {
            if (starter == null) {
                throw notRunning;
            }
        }
        String launcherSaid = starter.start(socket);
        // The starter returns once a daemon answers; a rival's daemon may still be binding its socket.
        long giveUp = System.nanoTime() + starter.timeout().toNanos();
        while (true) {
            try {
                return connect(timeout);
            } catch (ConnectException notYet) {
                if (System.nanoTime() - giveUp > 0) {
                    throw new ConnectException("`latchkey daemon` ran, but no daemon answers on " + socket
                            + (launcherSaid.isEmpty() ? "" : " (it said: " + launcherSaid + ")")
                            + "; see daemon.log in latchkey's state directory (~/.local/state/latchkey/)");
                }
                LockSupport.parkNanos(RETRY_NANOS);
            }
        }
    }

    /** @throws ConnectException when no daemon is running here */
    private Connection connect(Duration timeout) throws IOException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            throw notRunning();
        }
        UserPrincipal me = SocketDirectory.verify(socket.getParent());
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        ScheduledFuture<?> deadline = Deadlines.after(timeout, () -> closeQuietly(channel));
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (AsynchronousCloseException e) {
            throw new InterruptedIOException("could not connect to " + socket + " within " + timeout.toMillis() + " ms");
        } catch (ConnectException e) {
            closeQuietly(channel);
            throw notRunning();
        } catch (SocketException e) {
            closeQuietly(channel);
            if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
                throw notRunning(); // removed by a daemon that just stopped
            }
            throw e;
        } finally {
            deadline.cancel(false);
        }
        UnixDomainPrincipal daemon = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
        if (!daemon.user().equals(me)) {
            closeQuietly(channel);
            throw new IOException("the socket " + socket + " is served by user " + daemon.user().getName()
                    + ", not by you; latchkey sends tokens only to your own daemon");
        }
        return Connection.open(describe(), ChannelStreams.input(channel), ChannelStreams.output(channel),
                () -> closeQuietly(channel), channel, timeout);
    }

    private ConnectException notRunning() {
        return new ConnectException("no latchkey daemon is running on " + socket + "; start one with `latchkey daemon`");
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing is all that was left to do with it
        }
    }
}
