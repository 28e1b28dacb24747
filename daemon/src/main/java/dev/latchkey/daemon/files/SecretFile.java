package dev.latchkey.daemon.files;

import dev.latchkey.daemon.ownership.FileCheck;
import dev.latchkey.daemon.ownership.OwnerOnly;
import dev.latchkey.daemon.store.StoreException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
 *
 * <p>Before it is read, the file and its directory are checked ({@link Keeper}): tokens in a file
 * that someone else owns or could have changed are not handed out.
 */
public final class SecretFile {
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();
    private static final Set<OpenOption> READ_OWN = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    private static final Set<OpenOption> READ_FOLLOWING_LINKS = Set.of(StandardOpenOption.READ);

    /** Who writes the file besides latchkey, which decides what latchkey accepts of it. */
    public enum Keeper {
        /**
         * latchkey alone: it creates the file 0600 in a 0700 directory, so the directory must be the
         * user's and writable by no one else ({@link FileCheck#ownDirectory}), and the file a regular
         * file, not a link, the user's, that no one else can read or write ({@link FileCheck#ownSecretFile}).
         * Anything else is refused.
         */
        LATCHKEY,
        /**
         * Another program too (cargo's credentials file): the program reads it whatever its mode or
         * links, so refusing it would protect nothing and break what works with that program. Only a
         * file or directory another user owns is refused ({@link FileCheck#anotherProgramsFile});
         * a mode that lets others in is warned about ({@link #caution()}).
         */
        ANOTHER_PROGRAM
    }

    /** Larger than any token file latchkey writes, and small enough to read whole. */
    private static final int DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

    private final Path path;
    private final Path lockPath;
    private final Path tempPath;
    private final int maxBytes;
    private final Keeper keeper;

    /** One of latchkey's own files. */
    public SecretFile(Path path) {
        this(path, DEFAULT_MAX_BYTES);
    }

    /** One of latchkey's own files, refused, not read, when it is longer than {@code maxBytes} (a hostile or foreign file). */
    public SecretFile(Path path, int maxBytes) {
        this(path, maxBytes, Keeper.LATCHKEY);
    }

    /** A file that {@code keeper} writes too. */
    public SecretFile(Path path, Keeper keeper) {
        this(path, DEFAULT_MAX_BYTES, keeper);
    }

    private SecretFile(Path path, int maxBytes, Keeper keeper) {
        this.maxBytes = maxBytes;
        this.keeper = keeper;
        this.path = path.toAbsolutePath().normalize();
        this.lockPath = this.path.resolveSibling("." + this.path.getFileName() + ".lock");
        // One fixed name is enough: only the lock holder writes it.
        this.tempPath = this.path.resolveSibling("." + this.path.getFileName() + ".tmp");
    }

    public Path path() {
        return path;
    }

    /** The file's text, or null when it does not exist. */
    public String read() throws StoreException {
        byte[] bytes = readBytes();
        try {
            return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
        } finally {
            wipe(bytes);
        }
    }

    /**
     * Why latchkey will not read the file as it is now ({@link Keeper}), naming the fix; null when it
     * will, or when there is no file.
     */
    public String refusal() throws StoreException {
        try {
            if (keeper == Keeper.ANOTHER_PROGRAM) {
                return FileCheck.anotherProgramsFile(path);
            }
            String directory = FileCheck.ownDirectory(path.getParent());
            return directory != null ? directory : FileCheck.ownSecretFile(path, FileCheck.stat(path, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            throw new StoreException.Unavailable("cannot look at " + path + ": " + e.getMessage()
                    + "; check that its directory can be read by you");
        }
    }

    /**
     * What a token read from the file now should be handed out with, or null: for a file another
     * program writes too, that others can read or write it, and the fix.
     */
    public String caution() {
        if (keeper != Keeper.ANOTHER_PROGRAM) {
            return null; // refused instead
        }
        try {
            return FileCheck.openToOthers(path);
        } catch (IOException e) {
            return null; // reading it says what is wrong
        }
    }

    /** The file's permission bits as {@code chmod} takes them ({@code 0600}), or null when there is no file. */
    public String octalMode() throws StoreException {
        try {
            FileCheck.Seen seen = FileCheck.stat(path, LinkOption.NOFOLLOW_LINKS);
            return seen == null ? null : seen.octalMode();
        } catch (IOException e) {
            throw new StoreException.Unavailable("cannot look at " + path + ": " + e.getMessage()
                    + "; check that its directory can be read by you");
        }
    }

    /** The file's bytes, or null when it does not exist; the caller owns them and should wipe them. */
    public byte[] readBytes() throws StoreException {
        String refused = refusal();
        if (refused != null) {
            throw new StoreException.Unavailable(refused);
        }
        try (FileChannel in = FileChannel.open(path, keeper == Keeper.LATCHKEY ? READ_OWN : READ_FOLLOWING_LINKS)) {
            long size = in.size();
            if (size > maxBytes) {
                throw new StoreException.Unavailable(path + " is " + size + " bytes, more than latchkey ever writes there ("
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
            throw new StoreException.Unavailable("cannot read " + path + ": " + e.getMessage()
                    + "; check that the file is readable by you");
        }
    }

    /** Computes the new content from the current one (null: absent); returns null to leave the file alone. */
    @FunctionalInterface
    public interface Edit<T> {
        Result<T> apply(String current) throws StoreException;
    }

    /** What an edit decided: the new text (null: no change) and a value for the caller. */
    public record Result<T>(String newContent, T value) {
    }

    /** {@link Edit} for files that are not text: the current bytes are wiped once it returns. */
    @FunctionalInterface
    public interface BytesEdit<T> {
        BytesResult<T> apply(byte[] current) throws StoreException;
    }

    /** What a {@link BytesEdit} decided: the new bytes (null: no change; wiped once written) and a value for the caller. */
    public record BytesResult<T>(byte[] newContent, T value) {
    }

    /** Runs {@code edit} on the current content under the lock and writes its result atomically. */
    public <T> T update(Edit<T> edit) throws StoreException {
        return updateBytes(new BytesEdit<T>() {
            @Override
            public BytesResult<T> apply(byte[] current) throws StoreException {
                Result<T> result = edit.apply(current == null ? null : new String(current, StandardCharsets.UTF_8));
                String text = result.newContent();
                return new BytesResult<>(text == null ? null : text.getBytes(StandardCharsets.UTF_8), result.value());
            }
        });
    }

    /** Runs {@code edit} on the current bytes under the lock and writes its result atomically. */
    @SuppressWarnings("try") // the lock is held for the block's extent, never read
    public <T> T updateBytes(BytesEdit<T> edit) throws StoreException {
        ReentrantLock local = IN_PROCESS.get(path);
        if (local == null) {
            ReentrantLock raced = IN_PROCESS.putIfAbsent(path, local = new ReentrantLock());
            local = raced != null ? raced : local;
        }
        local.lock();
        try {
            createParent();
            try (FileChannel lockChannel = OwnerOnly.lockFile(lockPath); FileLock ignored = lockChannel.lock()) {
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
            throw new StoreException.Unavailable("cannot write " + path + ": " + e.getMessage()
                    + "; check that its directory exists and is writable by you");
        } finally {
            local.unlock();
        }
    }

    /** Makes the file's directory (0700, as its missing parents) when missing; latchkey's own is then checked. */
    private void createParent() throws IOException, StoreException {
        Path parent = path.getParent();
        if (keeper == Keeper.LATCHKEY) {
            try {
                OwnerOnly.directory(parent);
            } catch (IOException e) {
                throw new StoreException.Unavailable(e.getMessage());
            }
        } else if (!Files.isDirectory(parent)) {
            try {
                Files.createDirectories(parent, OwnerOnly.DIRECTORY);
            } catch (FileAlreadyExistsException e) {
                // made by a concurrent writer: fine
            }
        }
    }

    private void replace(byte[] bytes) throws IOException {
        Path temp = tempPath;
        try {
            try (FileChannel out = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS), OwnerOnly.FILE)) {
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
