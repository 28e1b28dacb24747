package dev.latchkey.daemon.files;

import dev.latchkey.daemon.store.StoreException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/**
 * A file's content as last read and parsed, kept while the file is unchanged: a {@code stat} says
 * whether it still holds (the file's identity, size, modification time and mode: a file opened to
 * others is read again, and so refused by {@link SecretFile}), so a change made
 * behind the daemon's back is seen by the next request, and a busy daemon does not read and parse
 * the same file for every request. The {@code stat} is taken at each use, or, where the caller
 * says when its request arrived, once for all those that arrived before it (the daemon's requests
 * of one wake-up). A file modified less than {@link #SETTLED} ago is read every
 * time, since a change within the clock's resolution would leave its time as it was.
 *
 * <p>Uses that find the file unchanged take no lock (the daemon's connections would queue on it).
 * What was read is kept until a new reading or {@link #forget()} replaces it, and then given to
 * {@code discard}, which wipes any secret in it: a caller still holding the old one must be able to
 * tell (see {@code TokenFileStore}).
 *
 * @param <T> the parsed content
 */
public final class FileReading<T> {
    /** How long after its last change a file's modification time is trusted to tell the next change. */
    public static final Duration SETTLED = Duration.ofSeconds(2);

    /** Parses the file's text (null: the file does not exist). */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(String text) throws StoreException;
    }

    /** Lets go of a reading the file no longer matches. */
    @FunctionalInterface
    public interface Discard<T> {
        void discard(T reading);
    }

    /** A reading and the file it came from; {@code fileKey} null: not to be trusted again. */
    private record Kept<T>(T value, Object fileKey, FileTime modified, long size, Set<PosixFilePermission> mode) {
        boolean of(PosixFileAttributes seen) {
            return seen != null && fileKey != null && fileKey.equals(seen.fileKey()) && modified.equals(seen.lastModifiedTime())
                    && size == seen.size() && mode.equals(seen.permissions());
        }
    }

    private final SecretFile file;
    private final Clock clock;
    private final Parser<T> parser;
    private final Discard<T> discard;
    private volatile Kept<T> kept;
    private volatile Look lastLook;

    /** A {@code stat} and when it began ({@link System#nanoTime()}). */
    private record Look(PosixFileAttributes seen, long began) {
    }

    public FileReading(SecretFile file, Clock clock, Parser<T> parser, Discard<T> discard) {
        this.file = file;
        this.clock = clock;
        this.parser = parser;
        this.discard = discard;
    }

    /**
     * The file's content as a request that arrived at {@code arrivedAt} ({@link System#nanoTime()},
     * {@link Long#MAX_VALUE} when unknown) must see it: what was read last while the file is
     * unchanged, else read now.
     */
    public T current(long arrivedAt) throws StoreException {
        PosixFileAttributes seen = look(arrivedAt);
        Kept<T> now = kept;
        if (now != null && now.of(seen)) {
            return now.value();
        }
        synchronized (this) {
            now = kept;
            if (now != null && now.of(seen)) {
                return now.value(); // read by another thread meanwhile
            }
            T read = parser.parse(file.read());
            boolean settled = seen != null && seen.lastModifiedTime().toInstant().isBefore(clock.instant().minus(SETTLED));
            replace(settled ? new Kept<>(read, seen.fileKey(), seen.lastModifiedTime(), seen.size(), seen.permissions())
                    : new Kept<>(read, null, null, -1, null));
            return read;
        }
    }

    /** Drops what is kept: the file was just changed through this process, or its secrets must go. */
    public synchronized void forget() {
        replace(null);
        lastLook = null;
    }

    private void replace(Kept<T> next) {
        Kept<T> previous = kept;
        kept = next;
        if (previous != null) {
            discard.discard(previous.value());
        }
    }

    /** The file's attributes as a look begun after the request arrived saw them: the last one, or a new one. */
    private PosixFileAttributes look(long arrived) {
        Look last = lastLook;
        if (last != null && arrived != Long.MAX_VALUE && last.began() - arrived > 0) {
            return last.seen();
        }
        long began = System.nanoTime();
        PosixFileAttributes seen = stat();
        lastLook = new Look(seen, began);
        return seen;
    }

    private PosixFileAttributes stat() {
        try {
            return Files.readAttributes(file.path(), PosixFileAttributes.class);
        } catch (IOException e) {
            return null; // absent, or unreadable: reading the file says which
        }
    }
}
