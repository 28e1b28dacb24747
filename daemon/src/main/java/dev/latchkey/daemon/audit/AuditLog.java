package dev.latchkey.daemon.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.latchkey.daemon.ownership.OwnerOnly;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The audit log ({@code $XDG_STATE_HOME/latchkey/audit.log}): one JSON line per request, never a
 * token. Every latchkey process that serves requests appends to the same file, each line (or the
 * daemon's lines of one wake-up, {@link AuditBatch}) with one {@code write} on a file opened
 * {@code O_APPEND}, so lines from processes writing at once never interleave and no lock is taken on the way. Past {@link #MAX_BYTES} the file is renamed to
 * {@code audit.log.1} (replacing the one before) under a lock, so the two files hold at most about
 * twice that; a writer that still has the old file open finishes its line there.
 *
 * <p>The log is opened without following a symbolic link, in a directory that must be the user's and
 * writable by no one else ({@link OwnerOnly}): a link put in its place, or another user's file, is
 * refused, and the request that would have written to it hears why.
 */
public final class AuditLog {
    public static final long MAX_BYTES = 1024 * 1024;
    /**
     * How long the file kept open is trusted to be the one at the log's path, and its size to be
     * what it was plus this process's lines: a {@code stat} per line was a busy daemon's largest cost
     * but one. So a line may still land in a file another process has just set aside (it is read as
     * part of the log), and the file may pass its limit by what others wrote meanwhile.
     */
    static final long LOOK_AGAIN_NANOS = 100_000_000L;
    private static final JsonFactory JSON = new JsonFactory();
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final Path path;
    private final Path previous;
    private final Path lock;
    private final long maxBytes;
    private volatile Kept kept;
    /** The last write failed: lines are not held, so that the requests writing them hear of it. */
    private volatile boolean failing;

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

    /**
     * Appends {@code fields} (strings and numbers; nulls left out) as one line: now, or, with a
     * {@code batch} (null: none), when the batch is written. A line held is not known to fail;
     * after a batch's write failed, lines are written at once again, so the requests that make
     * them hear of it, until one is written.
     */
    public void append(Map<String, Object> fields, AuditBatch batch) throws IOException {
        byte[] line = line(fields);
        if (batch != null && !failing && batch.add(this, line)) {
            return;
        }
        try {
            write(line);
        } catch (IOException e) {
            failed(e);
            throw e;
        }
        failing = false;
    }

    /** Notes that a write failed; what to tell of it. */
    String failed(IOException e) {
        failing = true;
        return "could not write the audit log " + path + ": " + e.getMessage();
    }

    /** Writes {@code lines}, whole lines, with one {@code write(2)}. */
    void write(byte[] lines) throws IOException {
        while (true) {
            Kept open = kept;
            long now = System.nanoTime();
            if (open == null || now - open.lookedAt >= LOOK_AGAIN_NANOS || open.size.get() + lines.length > maxBytes) {
                open = look(open, now);
            }
            if (!open.enter()) {
                continue; // retired by a thread that opened the file anew: write there
            }
            long size;
            try {
                ByteBuffer buffer = ByteBuffer.wrap(lines);
                while (buffer.hasRemaining()) {
                    open.out.write(buffer); // one write(2), on a file opened O_APPEND: the lines land whole, at the end
                }
                size = open.size.addAndGet(lines.length);
            } catch (ClosedChannelException e) {
                forget(open); // closed under an interrupted writer: the next line opens the file again
                throw e;
            } finally {
                open.leave();
            }
            if (size > maxBytes) {
                setAside();
            }
            return;
        }
    }

    /**
     * Looks at the file at the log's path: still the one kept open, its size as it is now (other
     * processes append too); else opened anew.
     */
    private Kept look(Kept open, long now) throws IOException {
        BasicFileAttributes seen = stat();
        if (!isKeptOpen(open, seen)) {
            return reopen();
        }
        open.size.set(seen.size());
        open.lookedAt = now;
        return open;
    }

    /**
     * The log kept open between appends (opening and closing it for each cost a busy daemon more
     * than the rest of a get), and the identity of the file it is, as its path showed it (null:
     * unknown). A {@link FileChannel}, since only a channel can be opened without following a link;
     * its writes queue on the channel's lock, which the daemon's one write per wake-up
     * ({@link AuditBatch}) seldom waits on. It is closed once retired and no write is in flight, so
     * that closing it never cuts a line short.
     */
    private static final class Kept {
        final FileChannel out;
        final Object fileKey;
        /** The file's size when last looked at, and what this process has written to it since. */
        final AtomicLong size;
        volatile long lookedAt;
        private final AtomicInteger writing = new AtomicInteger();
        private volatile boolean retired;
        private final AtomicBoolean closed = new AtomicBoolean();

        Kept(FileChannel out, Object fileKey, long size, long lookedAt) {
            this.out = out;
            this.fileKey = fileKey;
            this.size = new AtomicLong(size);
            this.lookedAt = lookedAt;
        }

        /** Whether a write may go ahead; false once retired. */
        boolean enter() {
            writing.incrementAndGet();
            if (retired) {
                leave();
                return false;
            }
            return true;
        }

        void leave() {
            if (writing.decrementAndGet() == 0 && retired) {
                close();
            }
        }

        void retire() {
            retired = true;
            if (writing.get() == 0) {
                close();
            }
        }

        private void close() {
            if (closed.compareAndSet(false, true)) {
                try {
                    out.close();
                } catch (IOException e) {
                    // nothing was left to write
                }
            }
        }
    }

    /** The file at the log's path itself: a link put there is another file, which {@link #reopen()} refuses. */
    private BasicFileAttributes stat() throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Whether {@code seen}, the file at the log's path (null: none), is the one {@code open} writes to. */
    private static boolean isKeptOpen(Kept open, BasicFileAttributes seen) {
        return open != null && seen != null && seen.fileKey() != null && seen.fileKey().equals(open.fileKey);
    }

    /**
     * Opens the log again: the file at its path is another one (set aside by this process or
     * another) or is not there. A line written to the old one just before lands in the file set aside.
     */
    private synchronized Kept reopen() throws IOException {
        BasicFileAttributes seen = stat();
        Kept open = kept;
        if (isKeptOpen(open, seen)) {
            return open; // opened by another thread meanwhile
        }
        OwnerOnly.directory(path.getParent());
        FileChannel out = OwnerOnly.append(path);
        // Set aside by another writer just after the open: the next look sees another file there and opens it.
        BasicFileAttributes opened = stat();
        kept = new Kept(out, opened == null ? null : opened.fileKey(), opened == null ? 0 : opened.size(), System.nanoTime());
        if (open != null) {
            open.retire();
        }
        return kept;
    }

    /** Lets go of {@code closed}, a channel closed under a write, so that the next write opens the log again. */
    private synchronized void forget(Kept closed) {
        if (kept == closed) {
            kept = null;
        }
        closed.retire();
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
        try (FileChannel channel = OwnerOnly.lockFile(lock); FileLock ignored = channel.lock()) {
            BasicFileAttributes now = stat();
            if (now != null && now.size() > maxBytes) {
                Files.move(path, previous, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (NoSuchFileException e) {
            // another writer set it aside between our write and our look
        } finally {
            local.unlock();
        }
    }

    private static byte[] line(Map<String, Object> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512); // a line with the caller's executables fits
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
