package dev.latchkey.protocol.socket;

import com.sun.security.auth.module.UnixSystem;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Set;

/**
 * The rule for the directory that holds the daemon's socket (docs/daemon.md): a real directory, not a
 * symlink, owned by the current user, with no access for group or others. Only then can no one
 * else put a socket there or reach ours. The daemon refuses to run anywhere else, and clients
 * refuse to hand a token to a socket anywhere else.
 */
public final class SocketDirectory {
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    /** The fix when the directory is one that everybody writes in, such as /tmp: making it private is no fix. */
    private static final String OWN_DIRECTORY = "it is a shared directory, so put the socket in a directory of its own: "
            + "--socket DIR/daemon.sock or LATCHKEY_SOCKET (latchkey creates DIR with mode 0700)";

    private SocketDirectory() {
    }

    private static boolean shared(PosixFileAttributes attributes) {
        return attributes.permissions().contains(PosixFilePermission.OTHERS_WRITE);
    }

    /**
     * Creates {@code dir} (mode 0700, and so are the parents it needs, whatever the umask) when it is
     * missing, then {@link #verify}s it.
     */
    public static UserPrincipal create(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            FileAttribute<Set<PosixFilePermission>> ownerOnly =
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
            Files.createDirectories(dir.getParent(), ownerOnly);
            try {
                Files.createDirectory(dir, ownerOnly);
            } catch (FileAlreadyExistsException e) {
                // made at the same moment by another daemon or client: verified below like any other
            }
        }
        return verify(dir);
    }

    /**
     * Checks {@code dir} and returns its owner, who is then known to be the current user: the
     * principal a peer on the socket must match.
     *
     * @throws IOException naming the directory, what is wrong and the command that fixes it
     */
    public static UserPrincipal verify(Path dir) throws IOException {
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new IOException("cannot inspect the socket directory " + dir + ": " + e.getMessage(), e);
        }
        if (attributes.isSymbolicLink()) {
            throw new IOException("the socket directory " + dir + " is a symlink, which could lead anywhere; "
                    + "remove it (`rm " + dir + "`) and latchkey creates a real one, or choose another socket with --socket");
        }
        if (!attributes.isDirectory()) {
            throw new IOException("the socket directory " + dir + " is not a directory; move it away or choose another socket with --socket");
        }
        int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        long me = new UnixSystem().getUid();
        if (owner != me) {
            throw new IOException("the socket directory " + dir + " belongs to " + attributes.owner().getName()
                    + " (uid " + owner + "), not to you (uid " + me + "); another user could read or replace the socket: "
                    + (shared(attributes) ? OWN_DIRECTORY : "remove it, or choose another socket with --socket or LATCHKEY_SOCKET"));
        }
        Set<PosixFilePermission> open = EnumSet.copyOf(attributes.permissions());
        open.retainAll(OTHERS);
        if (!open.isEmpty()) {
            throw new IOException("the socket directory " + dir + " is accessible to other users (mode "
                    + PosixFilePermissions.toString(attributes.permissions()) + "); "
                    + (shared(attributes) ? OWN_DIRECTORY : "make it private: `chmod 700 " + dir + "`"));
        }
        return attributes.owner();
    }
}
