package dev.latchkey.daemon.files;

import dev.latchkey.protocol.CredentialException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A file that holds secrets: created 0600, changed only under an exclusive lock, replaced whole by
 * an atomic rename, so a reader sees the old file or the new one and never half of either, and two
 * writers never lose each other's change.
 *
 * <p>The lock is taken on a separate lock file beside it (a rename replaces the data file's inode,
 * so a lock on the data file itself would protect nothing). POSIX locks are per process, so writers
 * in one JVM also queue on an in-process lock.
 */
public final class SecretFile {
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIR =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final Path path;
    private final Path lockPath;
    private final Path tempPath;

    public SecretFile(Path path) {
        this.path = path.toAbsolutePath().normalize();
        this.lockPath = this.path.resolveSibling("." + this.path.getFileName() + ".lock");
        // One fixed name is enough: only the lock holder writes it.
        this.tempPath = this.path.resolveSibling("." + this.path.getFileName() + ".tmp");
    }

    public Path path() {
        return path;
    }

    /** The file's text, or null when it does not exist. */
    public String read() throws CredentialException {
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new CredentialException.Unavailable("cannot read " + path + ": " + e.getMessage()
                    + "; check that the file is readable by you");
        }
    }

    /** Computes the new content from the current one (null: absent); returns null to leave the file alone. */
    @FunctionalInterface
    public interface Edit<T> {
        Result<T> apply(String current) throws CredentialException;
    }

    /** What an edit decided: the new text (null: no change) and a value for the caller. */
    public record Result<T>(String newContent, T value) {
    }

    /** Runs {@code edit} on the current content under the lock and writes its result atomically. */
    @SuppressWarnings("try") // the lock is held for the block's extent, never read
    public <T> T update(Edit<T> edit) throws CredentialException {
        ReentrantLock local = IN_PROCESS.computeIfAbsent(path, p -> new ReentrantLock());
        local.lock();
        try {
            createParent();
            try (FileChannel lockChannel = openLockFile(); FileLock ignored = lockChannel.lock()) {
                // A writer killed before its rename leaves its temporary file; we hold the lock, so it is dead.
                Files.deleteIfExists(tempPath);
                Result<T> result = edit.apply(read());
                if (result.newContent() != null) {
                    replace(result.newContent());
                }
                return result.value();
            }
        } catch (IOException e) {
            throw new CredentialException.Unavailable("cannot write " + path + ": " + e.getMessage()
                    + "; check that its directory exists and is writable by you");
        } finally {
            local.unlock();
        }
    }

    private void createParent() throws IOException {
        Path parent = path.getParent();
        if (!Files.isDirectory(parent)) {
            try {
                Files.createDirectories(parent, OWNER_ONLY_DIR);
            } catch (FileAlreadyExistsException e) {
                // made by a concurrent writer: fine
            }
        }
    }

    private FileChannel openLockFile() throws IOException {
        try {
            return FileChannel.open(lockPath, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OWNER_ONLY_FILE);
        } catch (FileAlreadyExistsException e) {
            return FileChannel.open(lockPath, StandardOpenOption.WRITE);
        }
    }

    private void replace(String content) throws IOException {
        Path temp = tempPath;
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        try {
            try (FileChannel out = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OWNER_ONLY_FILE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory();
        } finally {
            Arrays.fill(bytes, (byte) 0);
            Files.deleteIfExists(temp);
        }
    }

    /** Makes the rename itself durable: without it a power cut could bring the old file back. */
    private void syncDirectory() {
        try (FileChannel dir = FileChannel.open(path.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Some file systems refuse fsync on a directory; the rename has still happened.
        }
    }
}
