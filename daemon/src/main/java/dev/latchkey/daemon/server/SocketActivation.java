package dev.latchkey.daemon.server;

import dev.latchkey.daemon.config.Environment;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A listening socket handed to the daemon by a service manager (systemd's socket activation).
 * Java can take over only a socket on standard input ({@link System#inheritedChannel()}), so the
 * systemd unit says {@code StandardInput=socket}; the socket on file descriptor 3 that plain
 * {@code LISTEN_FDS} activation passes is out of Java's reach, and is reported as such.
 */
final class SocketActivation {
    private SocketActivation() {
    }

    /** The listening Unix socket on standard input, if this process was started with one. */
    static Optional<ServerSocketChannel> inherited(Environment env) throws IOException {
        Channel channel = System.inheritedChannel();
        if (channel instanceof ServerSocketChannel listener && listener.getLocalAddress() instanceof UnixDomainSocketAddress) {
            return Optional.of(listener);
        }
        boolean forUs = env.get("LISTEN_PID").map(pid -> pid.equals(Long.toString(ProcessHandle.current().pid()))).orElse(false);
        if (forUs && env.get("LISTEN_FDS").isPresent()) {
            throw new IOException("the service manager passed a socket as file descriptor 3, which Java cannot take over; "
                    + "add StandardInput=socket to the service unit, as native-config/systemd/latchkey.service does");
        }
        return Optional.empty();
    }

    static Path pathOf(ServerSocketChannel listener) throws IOException {
        return ((UnixDomainSocketAddress) listener.getLocalAddress()).getPath();
    }
}
