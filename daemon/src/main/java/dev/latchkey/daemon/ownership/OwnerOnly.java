package dev.latchkey.daemon.ownership;


import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * How latchkey makes and opens the files and directories it writes: files 0600 and directories 0700
 * from the moment they exist, whatever the umask. The mode goes to the call that creates each one,
 * and the kernel takes away only what the umask says (never the owner's own bits); a mode left to
 * the umask is 0666 or 0777 under {@code umask 000}, and one set afterwards leaves a moment in which
 * another user could open the file. Files are opened without following a symbolic link
 * ({@code O_NOFOLLOW}) and a mode is changed only on the file itself, so a link put in place of one
 * of latchkey's files never sends a write or a {@code chmod} to the file it leads to.
 */
public final class OwnerOnly {
    public static final FileAttribute<Set<PosixFilePermission>> FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    public static final FileAttribute<Set<PosixFilePermission>> DIRECTORY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final int FILE_MODE = 0600;

    private OwnerOnly() {
    }

    /**
     * Makes {@code dir} and each missing parent, 0700 each, then checks it: it must be the user's own
     * and writable by no one else ({@link FileCheck#ownDirectory}).
     *
     * @throws IOException naming what is wrong and the fix
     */
    public static void directory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, DIRECTORY);
            } catch (FileAlreadyExistsException e) {
                // made by another process just now, or something else is there: the check says which
            }
        }
        String problem = FileCheck.ownDirectory(dir);
        if (problem != null) {
            throw new IOException(problem);
        }
    }

    /**
     * Opens {@code file} to append to it, made 0600 when missing. One already there must be a regular
     * file of the user's, not a link; a wider mode than 0600 is narrowed, on the file itself. The
     * caller has checked its directory ({@link #directory}).
     *
     * @throws IOException naming what is wrong and the fix
     */
    public static FileChannel append(Path file) throws IOException {
        FileCheck.Seen seen = FileCheck.stat(file, LinkOption.NOFOLLOW_LINKS);
        if (seen != null) {
            if (seen.isSymbolicLink()) {
                throw new IOException(file + " is a symbolic link, which latchkey never writes through (it could lead to "
                        + "a file someone else controls); remove the link (`rm " + file + "`) and latchkey makes the file");
            }
            if (!seen.isRegularFile()) {
                throw new IOException(file + " is not a regular file; move it away and latchkey makes the file");
            }
            if (!seen.ownedByMe()) {
                throw new IOException(file + " belongs to " + seen.owner() + ", not to you; if it is yours, `sudo chown "
                        + FileCheck.me() + " " + file + "`, else move it away and latchkey makes a new one");
            }
            if ((seen.mode() & 07777) != FILE_MODE) {
                // O_NOFOLLOW and fchmod: a link that took the file's place meanwhile fails here rather than being followed
                Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setPermissions(PosixFilePermissions.fromString("rw-------"));
            }
        }
        return FileChannel.open(file, Set.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND, StandardOpenOption.CREATE,
                LinkOption.NOFOLLOW_LINKS), FILE);
    }

    /** Opens (making it 0600 when missing) a lock file, never through a link. */
    public static FileChannel lockFile(Path file) throws IOException {
        return FileChannel.open(file, Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE, LinkOption.NOFOLLOW_LINKS), FILE);
    }
}
