package dev.latchkey.daemon.relay;

import java.nio.file.Path;

/**
 * Where a daemon's relay lives: the directory {@code SOCKET.relay} beside its socket, inside the
 * socket's private directory (mode 0700, the user's own: SPEC §9), so only the user's processes
 * can reach it, as with the socket itself. In it:
 *
 * <ul>
 *   <li>{@code alive}: locked by the daemon for as long as it serves the relay; a relay that can
 *       lock it too has found a daemon that died without cleaning up;</li>
 *   <li>per slot {@code N}, a pair of named pipes and a lock: {@code N.in} carries a session's
 *       lines to the daemon, {@code N.out} its answers back, and {@code N.lock} is held by the one
 *       relay using the slot.</li>
 * </ul>
 *
 * Named pipes rather than the socket because a JVM's first Unix-domain socket costs it some 30 ms
 * (the JDK initialises its whole security provider to name temporary sockets), which is most of
 * what the relay exists to save; opening a named pipe costs nothing beyond the system call.
 */
final class RelaySlots {
    /** How many relays can be served at once; one more falls back to the socket. */
    static final int COUNT = 8;

    private final Path directory;

    RelaySlots(Path socket) {
        this.directory = socket.resolveSibling(socket.getFileName().toString().concat(".relay"));
    }

    Path directory() {
        return directory;
    }

    Path alive() {
        return directory.resolve("alive");
    }

    Path requests(int slot) {
        return directory.resolve(String.valueOf(slot).concat(".in"));
    }

    Path answers(int slot) {
        return directory.resolve(String.valueOf(slot).concat(".out"));
    }

    Path lock(int slot) {
        return directory.resolve(String.valueOf(slot).concat(".lock"));
    }
}
