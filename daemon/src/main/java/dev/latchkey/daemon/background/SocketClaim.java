package dev.latchkey.daemon.background;

import com.sun.security.auth.module.UnixSystem;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * One daemon's hold on a socket path: an exclusive lock on {@code SOCKET.lock} beside it, taken
 * before the socket is touched and held for the daemon's life. The kernel drops the lock when the
 * daemon dies however it dies, so a socket file found under a lock we hold was left by a killed
 * daemon and is replaced; a lock we cannot take means another daemon serves this socket.
 */
final class SocketClaim implements AutoCloseable {
    private static final int BACKLOG = 512;

    private final Path socket;
    private final ServerSocketChannel listener;
    private final FileChannel lock;
    private final boolean ownsSocketFile;
    private boolean stoppedAccepting;
    private boolean closed;

    private SocketClaim(Path socket, ServerSocketChannel listener, FileChannel lock, boolean ownsSocketFile) {
        this.socket = socket;
        this.listener = listener;
        this.lock = lock;
        this.ownsSocketFile = ownsSocketFile;
    }

    /**
     * Claims {@code socket}: binds a new listening socket there, or adopts {@code inherited}, the one
     * a service manager made and owns (its file is then left in place when the daemon stops).
     *
     * @throws IOException when another daemon holds it, saying so
     */
    static SocketClaim take(Path socket, Optional<ServerSocketChannel> inherited, DaemonLog log) throws IOException {
        Path lockFile = socket.resolveSibling(socket.getFileName() + ".lock");
        FileChannel lock = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            FileLock held = lock.tryLock();
            if (held == null) {
                throw alreadyRunning(socket);
            }
            if (inherited.isPresent()) {
                return new SocketClaim(socket, inherited.get(), lock, false);
            }
            if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
                refuseAnythingButOurOwnSocket(socket);
                if (SocketProbe.answers(socket)) {
                    throw alreadyRunning(socket); // a server that does not take the lock (an older latchkey)
                }
                Files.delete(socket);
                log.info("removed the stale socket " + socket + ", left by a daemon that did not stop cleanly");
            }
            ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                listener.bind(UnixDomainSocketAddress.of(socket), BACKLOG);
                Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            } catch (IOException e) {
                listener.close();
                throw e;
            }
            return new SocketClaim(socket, listener, lock, true);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * Only a socket file of our own user, left by a latchkey daemon, may be replaced. Anything else
     * at the path was put there by someone else (a file, a directory, a link, another user's
     * socket, which only root or that user could have made in our private directory): it is left
     * alone, and the daemon does not start.
     */
    private static void refuseAnythingButOurOwnSocket(Path socket) throws IOException {
        PosixFileAttributes attributes = Files.readAttributes(socket, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String what = attributes.isSymbolicLink() ? "a symlink" : attributes.isDirectory() ? "a directory"
                : attributes.isRegularFile() ? "a regular file" : attributes.isOther() ? null : "not a socket";
        if (what != null) {
            throw new IOException("the socket path " + socket + " is " + what + ", not a socket latchkey left; latchkey "
                    + "will not remove it: move it away, or choose another socket with --socket");
        }
        int owner = (Integer) Files.getAttribute(socket, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        long me = new UnixSystem().getUid();
        if (owner != me) {
            throw new IOException("the socket " + socket + " belongs to " + attributes.owner().getName() + " (uid " + owner
                    + "), not to you (uid " + me + "): another user made it, and latchkey will neither use nor remove it; "
                    + "remove it (as root or that user), or choose another socket with --socket");
        }
    }

    private static IOException alreadyRunning(Path socket) {
        return new IOException("a latchkey daemon is already running on " + socket
                + "; `latchkey daemon status` shows it, `latchkey daemon stop` stops it");
    }

    ServerSocketChannel listener() {
        return listener;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Takes no more connections. A socket this daemon made is closed and removed at once, so a new
     * client finds no daemon instead of one that will not answer. A socket a service manager passed
     * stays open: it queues new clients for the daemon it starts next, and closing an inherited
     * channel would also send this process's stdout and stderr (the journal) to /dev/null. A
     * connection to it wakes the accepting thread, which then sees that the server is stopping.
     */
    synchronized void stopAccepting() throws IOException {
        if (stoppedAccepting) {
            return;
        }
        stoppedAccepting = true;
        if (ownsSocketFile) {
            listener.close();
            Files.deleteIfExists(socket);
        } else {
            SocketChannel.open(listener.getLocalAddress()).close();
        }
    }

    /** Stops accepting, then lets go of the lock: another daemon may claim the socket from now on. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            stopAccepting();
        } finally {
            closed = true;
            lock.close();
        }
    }
}
