package dev.latchkey.daemon.server;

import com.sun.security.auth.module.UnixSystem;
import dev.latchkey.daemon.ownership.OwnerOnly;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One daemon's hold on a socket path: an exclusive lock on {@code SOCKET.lock} beside it, taken
 * before the socket is touched and held for the daemon's life. The kernel drops the lock when the
 * daemon dies however it dies, so a socket file found under a lock we hold was left by a killed
 * daemon and is replaced; a lock we cannot take means another daemon serves this socket, or, when
 * it has removed its socket already, is stopping: then we wait for it to finish.
 */
public final class SocketClaim implements AutoCloseable {
    private static final int BACKLOG = 512;
    /** A socket's path fits in {@code sun_path}: 108 bytes on Linux, 104 on macOS, the final NUL included. */
    private static final int MOST_PORTABLE_PATH = 103;
    /** How long a stopping daemon may take to hand over: its drain, then its exit. */
    private static final Duration HANDOVER = Daemon.DRAIN.plusSeconds(5);
    private static final long LOCK_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

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
        FileChannel lock = OwnerOnly.lockFile(lockFile(socket));
        try {
            FileLock held = lock.tryLock();
            if (held == null && inherited.isEmpty() && !Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
                // Its holder has removed its socket: it is stopping, answering the requests it has.
                // A client that came meanwhile started us; giving up now would leave it no daemon at all.
                log.info("the daemon on " + socket + " is stopping: waiting for it to finish");
                held = awaitLock(lock);
            }
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
                throw Files.exists(socket, LinkOption.NOFOLLOW_LINKS) ? e : cannotBind(socket, e);
            }
            return new SocketClaim(socket, listener, lock, true);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * Whether a daemon holds {@code socket}: its lock cannot be taken. A daemon that has let go of
     * it is stopped, or all but: it serves no more and has removed its socket. To tell, the lock is
     * taken for an instant and let go; a daemon starting meanwhile, finding no socket, waits for it
     * as for one stopping. What cannot be told (the lock file unreadable) counts as held.
     */
    public static boolean isHeld(Path socket) {
        try (FileChannel lock = FileChannel.open(lockFile(socket), StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            FileLock held = lock.tryLock();
            if (held == null) {
                return true;
            }
            held.release();
            return false;
        } catch (NoSuchFileException e) {
            return false; // no daemon ever claimed it
        } catch (IOException | OverlappingFileLockException e) {
            return true; // this process holds it, or it cannot be told
        }
    }

    private static Path lockFile(Path socket) {
        return socket.resolveSibling(socket.getFileName() + ".lock");
    }

    /** The lock once its holder lets go, or null if it still holds it after {@link #HANDOVER}. */
    private static FileLock awaitLock(FileChannel lock) throws IOException {
        long giveUp = System.nanoTime() + HANDOVER.toNanos();
        FileLock held = null;
        while (held == null && System.nanoTime() - giveUp < 0) {
            LockSupport.parkNanos(LOCK_POLL_NANOS); // FileChannel.lock() cannot time out
            held = lock.tryLock();
        }
        return held;
    }

    /** The kernel's own words ("Unix domain path too long") name neither the path nor the way out. */
    private static IOException cannotBind(Path socket, IOException e) {
        int length = socket.toString().getBytes(StandardCharsets.UTF_8).length;
        String why = length > MOST_PORTABLE_PATH ? "its path is " + length + " bytes long, and a Unix socket's path may have about "
                + MOST_PORTABLE_PATH + " at most" : e.getMessage();
        return new IOException("cannot make the socket " + socket + ": " + why
                + "; choose a shorter path with --socket or LATCHKEY_SOCKET", e);
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
