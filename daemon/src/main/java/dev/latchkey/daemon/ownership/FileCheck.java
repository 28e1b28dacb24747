package dev.latchkey.daemon.ownership;


import com.sun.security.auth.module.UnixSystem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Whether latchkey may rely on a file or directory that another user could have made or could
 * change, judged as ssh judges its own files: by owner and mode, from one {@code stat}. The checks
 * return what is wrong and the command that fixes it, or null when nothing is.
 */
public final class FileCheck {
    private static final int TYPE = 0170000;
    private static final int DIRECTORY = 0040000;
    private static final int REGULAR_FILE = 0100000;
    private static final int SYMBOLIC_LINK = 0120000;
    private static final int GROUP_OR_OTHERS = 0077;
    private static final int WRITABLE_BY_GROUP_OR_OTHERS = 0022;

    private FileCheck() {
    }

    /**
     * The user this process runs as. Read from {@code /proc/self/status} where there is one: the
     * JDK's {@link UnixSystem} loads a native library and asks the password database, which costs a
     * fresh JVM more, and every cargo request served in its own process checks a file.
     */
    private static final class Me {
        static final long UID = uid();

        private static long uid() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("Uid:")) {
                        String uids = line.substring("Uid:".length()).trim(); // real, effective, saved, fs: the real one first
                        int end = 0;
                        while (end < uids.length() && Character.isDigit(uids.charAt(end))) {
                            end++; // by hand: a regular expression would link lambdas of the JDK's, on every request served here
                        }
                        return Long.parseLong(uids.substring(0, end));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // no /proc (macOS): ask the JDK
            }
            return new UnixSystem().getUid();
        }
    }

    /** What one {@code stat} (or, {@code followed} false, {@code lstat}) said of a path. */
    public record Seen(Path path, boolean followed, long uid, int mode) {
        public boolean isDirectory() {
            return (mode & TYPE) == DIRECTORY;
        }

        public boolean isRegularFile() {
            return (mode & TYPE) == REGULAR_FILE;
        }

        public boolean isSymbolicLink() {
            return (mode & TYPE) == SYMBOLIC_LINK;
        }

        public boolean ownedByMe() {
            return uid == Me.UID;
        }

        /** Root, whom latchkey does not defend against, may own a config or a file another program keeps. */
        public boolean ownedByMeOrRoot() {
            return uid == Me.UID || uid == 0;
        }

        public boolean writableByOthers() {
            return (mode & WRITABLE_BY_GROUP_OR_OTHERS) != 0;
        }

        /** Whether group or others have any permission on it at all. */
        public boolean openToOthers() {
            return (mode & GROUP_OR_OTHERS) != 0;
        }

        /** The permission bits as {@code chmod} takes them: {@code 0644}. */
        public String octalMode() {
            return String.format("%04o", mode & 07777);
        }

        /** Who besides the owner may write it: "its group", "others", "its group and others". */
        public String otherWriters() {
            return whoOf(mode & WRITABLE_BY_GROUP_OR_OTHERS);
        }

        /** Who besides the owner has any permission on it. */
        public String otherUsers() {
            return whoOf(mode & GROUP_OR_OTHERS);
        }

        private static String whoOf(int bits) {
            boolean group = (bits & 0070) != 0;
            boolean others = (bits & 0007) != 0;
            return group && others ? "its group and others" : group ? "its group" : "others";
        }

        /** "nobody (uid 65534)": the owner as people know it. */
        public String owner() {
            try {
                LinkOption[] options = followed ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
                return Files.getOwner(path, options).getName() + " (uid " + uid + ")";
            } catch (IOException | RuntimeException e) {
                return "uid " + uid;
            }
        }
    }

    /** The user's name, for the {@code chown} a message suggests. */
    public static String me() {
        return new UnixSystem().getUsername();
    }

    /** What {@code stat} says of {@code path} (of the link itself with {@code NOFOLLOW_LINKS}); null when nothing is there. */
    public static Seen stat(Path path, LinkOption... options) throws IOException {
        Map<String, Object> attributes;
        try {
            attributes = Files.readAttributes(path, "unix:uid,mode", options);
        } catch (NoSuchFileException e) {
            return null;
        }
        boolean followed = !List.of(options).contains(LinkOption.NOFOLLOW_LINKS);
        return new Seen(path, followed, ((Number) attributes.get("uid")).longValue(), (Integer) attributes.get("mode"));
    }

    /**
     * Why latchkey should not keep files in {@code dir}, or null: it is a directory (a link to one is
     * followed), the user's own, that neither its group nor others can write, so no one else can put,
     * replace or remove a file there. A missing directory is no problem: latchkey makes it 0700.
     */
    public static String ownDirectory(Path dir) throws IOException {
        Seen seen = stat(dir);
        if (seen == null) {
            return null;
        }
        if (!seen.isDirectory()) {
            return dir + " is not a directory; move it away, and latchkey makes the directory it needs there";
        }
        if (!seen.ownedByMe()) {
            return "the directory " + dir + " belongs to " + seen.owner() + ", not to you, so its owner can replace the "
                    + "files latchkey keeps there; if it is yours, `sudo chown -R " + me() + " " + dir + "`, else move it away";
        }
        if (seen.writableByOthers()) {
            return "the directory " + dir + " is writable by " + seen.otherWriters() + " (mode " + seen.octalMode()
                    + "), so other users can replace the files latchkey keeps there; `chmod go-w " + dir + "`";
        }
        return null;
    }

    /**
     * Why latchkey should not read {@code file}, one of its own files of secrets (or of what decides
     * which token is handed out), or null. {@code seen} is the file itself ({@code lstat}); null when
     * absent. It must be a regular file, not a link (which could lead to another user's file), the
     * user's own (another user's tokens must not be handed out as the user's), and neither readable
     * nor writable by anyone else: latchkey creates it 0600, so anything else means someone changed
     * it, and its tokens may have been read or replaced.
     */
    public static String ownSecretFile(Path file, Seen seen) {
        if (seen == null) {
            return null;
        }
        if (seen.isSymbolicLink()) {
            return file + " is a symbolic link, which latchkey never reads or writes through (it could lead to a file "
                    + "someone else controls); put the file itself in its place, or remove the link: `rm " + file + "`";
        }
        if (!seen.isRegularFile()) {
            return file + " is not a regular file; move it away";
        }
        if (!seen.ownedByMe()) {
            return file + " belongs to " + seen.owner() + ", not to you, and latchkey hands out no other user's tokens as "
                    + "yours; if it is yours, `sudo chown " + me() + " " + file + "`, else move it away";
        }
        if (seen.openToOthers()) {
            return file + " can be read or written by " + seen.otherUsers() + " (mode " + seen.octalMode()
                    + "), which latchkey never makes it, so what it holds may have been read or changed; `chmod 600 "
                    + file + "`, and replace the tokens it holds if others may have read them";
        }
        return null;
    }

    /**
     * Why latchkey should not read {@code file}, a file of tokens that another program writes too
     * (links followed, as that program follows them), or null: it, or its directory, belongs to
     * another user than you or root, who could have put their tokens there for latchkey to hand
     * out as yours.
     */
    public static String anotherProgramsFile(Path file) throws IOException {
        Path dir = file.getParent();
        Seen directory = stat(dir);
        if (directory != null && !directory.ownedByMeOrRoot()) {
            return "the directory " + dir + " belongs to " + directory.owner() + ", not to you, so its owner could put "
                    + "tokens in " + file + " for latchkey to hand out as yours; if it is yours, `sudo chown "
                    + me() + " " + dir + "`, else move it away";
        }
        Seen seen = stat(file);
        if (seen != null && !seen.ownedByMeOrRoot()) {
            return file + " belongs to " + seen.owner() + ", not to you, and latchkey hands out no other user's tokens as "
                    + "yours; if it is yours, `sudo chown " + me() + " " + file + "`, else move it away";
        }
        return null;
    }

    /** That group or others can read or write {@code file} (links followed), and the fix; null when they cannot, or it is absent. */
    public static String openToOthers(Path file) throws IOException {
        Seen seen = stat(file);
        return seen == null || !seen.openToOthers() ? null : openToOthers(seen);
    }

    private static String openToOthers(Seen seen) {
        return seen.path() + " can be read or written by " + seen.otherUsers() + " (mode " + seen.octalMode()
                + "), so its tokens may have been read or replaced; `chmod 600 " + seen.path()
                + "`, and replace its tokens if others may have read them";
    }
}
