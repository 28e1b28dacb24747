package dev.latchkey.daemon.files;

import dev.latchkey.protocol.CredentialException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;

/**
 * A file's content as last read and parsed, kept while the file is unchanged: one {@code stat} per
 * use says whether it still holds (the file's identity, size and modification time), so a change
 * made behind the daemon's back is seen at the next use, and a busy daemon does not read and parse
 * the same file for every request. A file modified less than {@link #SETTLED} ago is read every
 * time, since a change within the clock's resolution would leave its time as it was.
 *
 * <p>What was read is kept until the next reading replaces it, and then given to {@code discard}
 * (which wipes any secret in it). A caller that uses it beyond {@link #current()} holds this
 * object's lock meanwhile, as {@code current()} does while it replaces it.
 *
 * @param <T> the parsed content
 */
public final class FileReading<T> {
    /** How long after its last change a file's modification time is trusted to tell the next change. */
    public static final Duration SETTLED = Duration.ofSeconds(2);

    /** Parses the file's text (null: the file does not exist). */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(String text) throws CredentialException;
    }

    /** Lets go of a reading the file no longer matches. */
    @FunctionalInterface
    public interface Discard<T> {
        void discard(T reading);
    }

    private final SecretFile file;
    private final Clock clock;
    private final Parser<T> parser;
    private final Discard<T> discard;
    private T kept; // guarded by this
    private Object fileKey; // guarded by this; null: what is kept is not to be trusted again
    private FileTime modified; // guarded by this
    private long size; // guarded by this

    public FileReading(SecretFile file, Clock clock, Parser<T> parser, Discard<T> discard) {
        this.file = file;
        this.clock = clock;
        this.parser = parser;
        this.discard = discard;
    }

    /** The file's content now: what was read last while the file is unchanged, else read now. */
    public synchronized T current() throws CredentialException {
        BasicFileAttributes seen;
        try {
            seen = Files.readAttributes(file.path(), BasicFileAttributes.class);
        } catch (IOException e) {
            seen = null; // absent, or unreadable: reading the file says which
        }
        if (kept != null && seen != null && fileKey != null && fileKey.equals(seen.fileKey())
                && modified.equals(seen.lastModifiedTime()) && size == seen.size()) {
            return kept;
        }
        T read = parser.parse(file.read());
        if (kept != null) {
            discard.discard(kept);
        }
        kept = read;
        boolean settled = seen != null && seen.lastModifiedTime().toInstant().isBefore(clock.instant().minus(SETTLED));
        fileKey = settled ? seen.fileKey() : null;
        modified = settled ? seen.lastModifiedTime() : null;
        size = settled ? seen.size() : -1;
        return read;
    }
}
