package dev.latchkey.client;

import dev.latchkey.protocol.socket.SocketDirectory;
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

/**
 * A connection to the daemon's Unix socket, made only where a token may go: the socket's directory
 * passes {@link SocketDirectory#verify} and the process serving it runs as the current user.
 * The client library and the {@code latchkey} program both connect through here.
 */
public final class DaemonSocket {
    private DaemonSocket() {
    }

    /**
     * A blocking channel to the daemon on {@code socket}.
     *
     * @throws ConnectException when no daemon runs there
     * @throws IOException naming what is wrong when the socket is not one a token may go to, or the
     *                     connection did not complete within {@code timeout}
     */
    public static SocketChannel connect(Path socket, Duration timeout) throws IOException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            throw notRunning(socket);
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
            throw notRunning(socket);
        } catch (SocketException e) {
            closeQuietly(channel);
            if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
                throw notRunning(socket); // removed by a daemon that just stopped
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
        return channel;
    }

    private static ConnectException notRunning(Path socket) {
        return new ConnectException("no latchkey daemon is running on " + socket + "; start one with `latchkey daemon`");
    }

    /** Closes {@code channel}; a failure to close leaves nothing to do. */
    public static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing is all that was left to do with it
        }
    }
}
