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

    /** Larger than any token file latchkey writes, and small enough to read whole. */
    private static final int DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

    private final Path path;
    private final Path lockPath;
    private final Path tempPath;
    private final int maxBytes;

    public SecretFile(Path path) {
        this(path, DEFAULT_MAX_BYTES);
    }

    /** A file that is refused, not read, when it is longer than {@code maxBytes} (a hostile or foreign file). */
    public SecretFile(Path path, int maxBytes) {
        this.maxBytes = maxBytes;
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
        byte[] bytes = readBytes();
        try {
            return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
        } finally {
            wipe(bytes);
        }
    }

    /** The file's bytes, or null when it does not exist; the caller owns them and should wipe them. */
    public byte[] readBytes() throws CredentialException {
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = in.size();
            if (size > maxBytes) {
                throw new CredentialException.Unavailable(path + " is " + size + " bytes, more than latchkey ever writes there ("
                        + maxBytes + "), so latchkey did not write it and will not read it; move it away and store the tokens again");
            }
            // Read into one buffer of the file's size: no intermediate copies of the secrets to leave behind.
            byte[] bytes = new byte[(int) size];
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining() && in.read(buffer) >= 0) {
                // until full, or the end of a file that shrank while we read it
            }
            if (buffer.hasRemaining()) {
                byte[] shorter = Arrays.copyOf(bytes, buffer.position());
                wipe(bytes);
                return shorter;
            }
            return bytes;
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

    /** {@link Edit} for files that are not text: the current bytes are wiped once it returns. */
    @FunctionalInterface
    public interface BytesEdit<T> {
        BytesResult<T> apply(byte[] current) throws CredentialException;
    }

    /** What a {@link BytesEdit} decided: the new bytes (null: no change; wiped once written) and a value for the caller. */
    public record BytesResult<T>(byte[] newContent, T value) {
    }

    /** Runs {@code edit} on the current content under the lock and writes its result atomically. */
    public <T> T update(Edit<T> edit) throws CredentialException {
        return updateBytes(current -> {
            Result<T> result = edit.apply(current == null ? null : new String(current, StandardCharsets.UTF_8));
            String text = result.newContent();
            return new BytesResult<>(text == null ? null : text.getBytes(StandardCharsets.UTF_8), result.value());
        });
    }

    /** Runs {@code edit} on the current bytes under the lock and writes its result atomically. */
    @SuppressWarnings("try") // the lock is held for the block's extent, never read
    public <T> T updateBytes(BytesEdit<T> edit) throws CredentialException {
        ReentrantLock local = IN_PROCESS.computeIfAbsent(path, p -> new ReentrantLock());
        local.lock();
        try {
            createParent();
            try (FileChannel lockChannel = openLockFile(); FileLock ignored = lockChannel.lock()) {
                // A writer killed before its rename leaves its temporary file; we hold the lock, so it is dead.
                Files.deleteIfExists(tempPath);
                byte[] current = readBytes();
                BytesResult<T> result;
                try {
                    result = edit.apply(current);
                } finally {
                    wipe(current);
                }
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

    private void replace(byte[] bytes) throws IOException {
        Path temp = tempPath;
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
            wipe(bytes);
            Files.deleteIfExists(temp);
        }
    }

    private static void wipe(byte[] bytes) {
        if (bytes != null) {
            Arrays.fill(bytes, (byte) 0);
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
