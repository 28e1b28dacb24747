package dev.latchkey.daemon.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
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

    /** Opens (making it 0600 when missing) a lock file, never through a link. */
    public static FileChannel lockFile(Path file) throws IOException {
        return FileChannel.open(file, Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE, LinkOption.NOFOLLOW_LINKS), FILE);
    }
}
