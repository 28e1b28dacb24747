package dev.latchkey.client;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
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
        SocketChannel channel = DaemonSocket.connect(socket, timeout);
        return Connection.open(describe(), ChannelStreams.input(channel), ChannelStreams.output(channel),
                () -> DaemonSocket.closeQuietly(channel), channel, timeout);
    }
}
