package dev.latchkey.daemon.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The audit log ({@code $XDG_STATE_HOME/latchkey/audit.log}): one JSON line per request, never a
 * token. Every latchkey process that serves requests appends to the same file, each line with one
 * {@code write} on a file opened {@code O_APPEND}, so lines from processes writing at once never
 * interleave and no lock is taken on the way. Past {@link #MAX_BYTES} the file is renamed to
 * {@code audit.log.1} (replacing the one before) under a lock, so the two files hold at most about
 * twice that; a writer that still has the old file open finishes its line there.
 */
public final class AuditLog {
    public static final long MAX_BYTES = 1024 * 1024;
    private static final JsonFactory JSON = new JsonFactory();
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final Path path;
    private final Path previous;
    private final Path lock;
    private final long maxBytes;
    private FileChannel kept; // guarded by this
    private Object keptKey; // guarded by this: the identity of the file kept open, as its path showed it

    public AuditLog(Path path) {
        this(path, MAX_BYTES);
    }

    /** {@code maxBytes}: the size past which the file is set aside (tests make it small). */
    AuditLog(Path path, long maxBytes) {
        this.path = path.toAbsolutePath().normalize();
        this.previous = this.path.resolveSibling(this.path.getFileName() + ".1");
        this.lock = this.path.resolveSibling("." + this.path.getFileName() + ".lock");
        this.maxBytes = maxBytes;
    }

    public Path path() {
        return path;
    }

    /** Appends {@code fields} (strings and numbers; nulls left out) as one line. */
    public void append(Map<String, Object> fields) throws IOException {
        byte[] line = line(fields);
        long size;
        synchronized (this) {
            FileChannel out = current();
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                out.write(buffer); // one call for a line this short: O_APPEND makes it land whole, at the end
            }
            size = out.size();
        }
        if (size > maxBytes) {
            setAside();
        }
    }

    /**
     * The log, kept open between appends (opening and closing it for each cost a busy daemon more
     * than the rest of a get); opened again once the file at its path is another one, set aside by
     * this process or another. A line written just before that lands in the file set aside.
     */
    private FileChannel current() throws IOException {
        Object atPath;
        try {
            atPath = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            atPath = null;
        }
        if (kept != null && atPath != null && atPath.equals(keptKey)) {
            return kept;
        }
        if (kept != null) {
            kept.close();
            kept = null;
        }
        FileChannel opened = open();
        kept = opened;
        try {
            keptKey = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            keptKey = null; // set aside just now: this line goes with it, the next one opens anew
        }
        return opened;
    }

    private FileChannel open() throws IOException {
        Set<StandardOpenOption> append = Set.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        try {
            return FileChannel.open(path, append);
        } catch (NoSuchFileException e) {
            Path dir = path.getParent();
            if (!Files.isDirectory(dir)) {
                try {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (FileAlreadyExistsException raced) {
                    // made by another latchkey just now
                }
            }
            Set<StandardOpenOption> create = Set.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND, StandardOpenOption.CREATE);
            return FileChannel.open(path, create, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
    }

    /**
     * Renames the full log to {@code .1}; under the lock and after a second look, so only one writer
     * does it. File locks are per process, so writers in one JVM (the daemon's connections) queue on
     * an in-process lock first: the JVM refuses a second lock on one file with an exception.
     */
    @SuppressWarnings("try") // the lock is held for the block's extent, never read
    private void setAside() throws IOException {
        ReentrantLock local = IN_PROCESS.computeIfAbsent(lock, p -> new ReentrantLock());
        local.lock();
        try (FileChannel channel = FileChannel.open(lock, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
             FileLock ignored = channel.lock()) {
            if (Files.size(path) > maxBytes) {
                Files.move(path, previous, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (NoSuchFileException e) {
            // another writer set it aside between our write and our look
        } finally {
            local.unlock();
        }
    }

    private static byte[] line(Map<String, Object> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            for (Map.Entry<String, Object> field : fields.entrySet()) {
                Object value = field.getValue();
                if (value instanceof Number n) {
                    g.writeNumberField(field.getKey(), n.longValue());
                } else if (value != null) {
                    g.writeStringField(field.getKey(), value.toString());
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    /** The last {@code count} lines, oldest first, from the set-aside file and the current one. */
    public List<String> last(int count) throws IOException {
        Deque<String> lines = new ArrayDeque<>();
        for (Path file : List.of(previous, path)) {
            List<String> read;
            try {
                read = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                continue;
            }
            for (String line : read) {
                if (!line.isBlank()) {
                    lines.addLast(line);
                    if (lines.size() > count) {
                        lines.removeFirst();
                    }
                }
            }
        }
        return new ArrayList<>(lines);
    }

    /** One line's fields as text (numbers too); an empty map for a line that is not a JSON object. */
    public static Map<String, String> fields(String line) {
        Map<String, String> fields = new LinkedHashMap<>();
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Map.of();
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value.isScalarValue()) {
                    fields.put(name, p.getText());
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return fields;
    }
}
