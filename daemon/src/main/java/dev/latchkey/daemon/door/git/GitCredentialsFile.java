package dev.latchkey.daemon.door.git;

import dev.latchkey.daemon.ownership.FileCheck;
import dev.latchkey.daemon.ownership.OwnerOnly;
import dev.latchkey.daemon.service.Logins;
import dev.latchkey.protocol.Secret;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The file git's {@code store} helper keeps ({@code ~/.git-credentials}), opened to move its
 * credentials out: one URL a line, {@code PROTOCOL://USER:PASSWORD@HOST[/PATH]}, user and password
 * percent-encoded, read as git reads it (a line without a user name and password, or that is no
 * URL, is no credential to git either). It is held under git's own lock ({@code FILE.lock}, made
 * exclusively, as git's store helper makes it) from before it is read until it is replaced, so a
 * git storing meanwhile waits or fails rather than losing its line, or ours. What is left is
 * written to the lock file with the file's own mode and renamed over the file: atomic, and every
 * line not moved kept byte for byte.
 */
final class GitCredentialsFile implements AutoCloseable {
    /** Far more than any real credentials file; a bigger one is read no further. */
    static final int MAX_BYTES = 8 * 1024 * 1024;

    /** A line that holds a credential git would use: its number (from 1), the login it is for, and its password. */
    record Credential(int line, Logins.Login login, Secret password) {
    }

    /** A line that was left where it is, and why, without its content (it may hold a password). */
    record LeftAlone(int line, String why) {
    }

    private final Path path;
    private final Path lock;
    private final Set<PosixFilePermission> mode;
    private final byte[] content;
    /** Where each line starts in {@link #content}; one more entry, the end, closes the last line. */
    private final List<Integer> starts;
    private final List<Credential> credentials = new ArrayList<>();
    private final List<LeftAlone> leftAlone = new ArrayList<>();
    private boolean lockHeld;

    private GitCredentialsFile(Path path, Path lock, Set<PosixFilePermission> mode, byte[] content, List<Integer> starts) {
        this.path = path;
        this.lock = lock;
        this.mode = mode;
        this.content = content;
        this.starts = starts;
    }

    /**
     * Takes git's lock on {@code path} and reads it.
     *
     * @throws GitFileException when it is not a file of the user's own that only they can write, is
     *                          locked by git, or cannot be read
     */
    static GitCredentialsFile open(Path path) throws GitFileException {
        FileCheck.Seen seen;
        try {
            seen = FileCheck.stat(path, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new GitFileException("cannot look at " + path + ": " + e.getMessage());
        }
        if (seen == null) {
            throw new GitFileException("there is no " + path);
        }
        if (seen.isSymbolicLink()) {
            throw new GitFileException(path + " is a symbolic link: name the file it leads to, `latchkey import git TARGET`, "
                    + "so that what is written is that file, not the link");
        }
        if (!seen.isRegularFile()) {
            throw new GitFileException(path + " is not a regular file");
        }
        if (!seen.ownedByMe()) {
            throw new GitFileException(path + " belongs to " + seen.owner() + ", not to you: its credentials are not yours to import");
        }
        if (seen.writableByOthers()) {
            throw new GitFileException(path + " can be written by " + seen.otherWriters() + " (mode " + seen.octalMode()
                    + "), who could have put any credential there for latchkey to keep as yours; check its lines, then "
                    + "`chmod go-w " + path + "` and import again");
        }
        Path lock = path.resolveSibling(path.getFileName() + ".lock");
        try {
            Files.createFile(lock, OwnerOnly.FILE);
        } catch (FileAlreadyExistsException e) {
            throw new GitFileException(lock + " exists: a git is changing " + path + " now, or one that did was stopped; try "
                    + "again, or remove " + lock + " if no git runs");
        } catch (IOException e) {
            throw new GitFileException("cannot lock " + path + " as git does (" + lock + "): " + e.getMessage());
        }
        byte[] content = null;
        try {
            content = read(path);
            GitCredentialsFile file = new GitCredentialsFile(path, lock, Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS),
                    content, lineStarts(content));
            file.lockHeld = true;
            file.parse();
            return file;
        } catch (IOException e) {
            wipe(content);
            deleteQuietly(lock);
            throw new GitFileException("cannot read " + path + ": " + e.getMessage());
        } catch (GitFileException | RuntimeException e) {
            wipe(content);
            deleteQuietly(lock);
            throw e;
        }
    }

    Path path() {
        return path;
    }

    /** The credentials git would use, each login once: a later line for the same login is shadowed by the first. */
    List<Credential> credentials() {
        return credentials;
    }

    List<LeftAlone> leftAlone() {
        return leftAlone;
    }

    /**
     * Replaces the file, under the lock, with every line but those of {@code moved}, keeping its
     * mode; the lock is gone afterwards.
     */
    void removeLines(Set<Integer> moved) throws GitFileException {
        byte[] kept = new byte[content.length];
        int length = 0;
        for (int line = 1; line < starts.size(); line++) {
            if (!moved.contains(line)) {
                int from = starts.get(line - 1);
                int to = starts.get(line);
                System.arraycopy(content, from, kept, length, to - from);
                length += to - from;
            }
        }
        try (FileChannel out = FileChannel.open(lock, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING,
                LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buffer = ByteBuffer.wrap(kept, 0, length);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
            Files.setPosixFilePermissions(lock, mode);
            Files.move(lock, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            lockHeld = false;
        } catch (IOException e) {
            throw new GitFileException("cannot write " + path + " (through " + lock + "): " + e.getMessage()
                    + "; it is unchanged, and the credentials moved are in latchkey too");
        } finally {
            wipe(kept);
        }
    }

    /** Wipes what was read, and lets go of git's lock if the file was not replaced. */
    @Override
    public void close() {
        wipe(content);
        for (Credential credential : credentials) {
            credential.password().wipe();
        }
        if (lockHeld) {
            deleteQuietly(lock);
            lockHeld = false;
        }
    }

    /** Sorts each line into a credential git would use or one left alone, as git's store helper reads them. */
    private void parse() {
        Map<String, Integer> firstLineOf = new HashMap<>();
        for (int line = 1; line < starts.size(); line++) {
            int from = starts.get(line - 1);
            int to = starts.get(line);
            if (to > from && content[to - 1] == '\n') {
                to--;
            }
            if (from == to) {
                continue; // an empty line: nothing to say about it
            }
            CredentialUrl url;
            try {
                url = CredentialUrl.split(content, from, to);
            } catch (GitProtocolException e) {
                leftAlone.add(new LeftAlone(line, "not a credential git reads (" + e.getMessage() + ")"));
                continue;
            }
            if (url.username() == null || url.password() == null) {
                wipe(url.password());
                leftAlone.add(new LeftAlone(line, "no user name and password, so git does not use it either"));
                continue;
            }
            Logins.Login login;
            try {
                login = new Logins.Login(url.protocol(), url.host(), url.path(), url.username());
            } catch (IllegalArgumentException e) {
                url.password().wipe();
                leftAlone.add(new LeftAlone(line, e.getMessage()));
                continue;
            }
            Integer first = firstLineOf.putIfAbsent(identity(login), line);
            if (first != null) {
                url.password().wipe();
                leftAlone.add(new LeftAlone(line, "the same login as line " + first + ", which git finds first"));
                continue;
            }
            credentials.add(new Credential(line, login, url.password()));
        }
    }

    /** One string per login, telling any two apart (a part absent from a part present and empty, too). */
    private static String identity(Logins.Login login) {
        StringBuilder id = new StringBuilder();
        for (String part : new String[] {login.protocol(), login.host(), login.path(), login.username()}) {
            id.append(part == null ? "\u0001" : part).append('\u0000');
        }
        return id.toString();
    }

    private static byte[] read(Path path) throws IOException, GitFileException {
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = in.size();
            if (size > MAX_BYTES) {
                throw new GitFileException(path + " is " + size + " bytes, more than a credentials file holds; it was not read");
            }
            byte[] bytes = new byte[(int) size];
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining() && in.read(buffer) >= 0) {
                // until full
            }
            return buffer.hasRemaining() ? shrink(bytes, buffer.position()) : bytes;
        }
    }

    private static byte[] shrink(byte[] bytes, int length) {
        byte[] shorter = Arrays.copyOf(bytes, length);
        wipe(bytes);
        return shorter;
    }

    /** The offset each line starts at, then the end: a line keeps its newline, and a last line without one is a line. */
    private static List<Integer> lineStarts(byte[] content) {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < content.length; i++) {
            if (content[i] == '\n') {
                starts.add(i + 1);
            }
        }
        if (starts.get(starts.size() - 1) != content.length) {
            starts.add(content.length);
        }
        return starts;
    }

    private static void wipe(byte[] bytes) {
        if (bytes != null) {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static void wipe(Secret secret) {
        if (secret != null) {
            secret.wipe();
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // nothing better to do: the message the caller gives names the lock
        }
    }

    /** What stops an import from this file: its message names the file and the fix, never a line's content. */
    static final class GitFileException extends Exception {
        private static final long serialVersionUID = 1L;

        GitFileException(String message) {
            super(message);
        }
    }
}
