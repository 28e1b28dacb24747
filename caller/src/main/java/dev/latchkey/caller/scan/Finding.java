package dev.latchkey.caller.scan;

import dev.latchkey.daemon.terminal.TerminalText;

/**
 * A token where it must not be. {@code path} is the file as found (relative to the working
 * directory, or for the index and commits to the repository's top), {@code commit} the commit
 * that has it there or null, {@code line} counts from 1; {@code what} names the registry whose
 * token latchkey holds or the token's shape, and {@code fix} says what to do. Nothing here holds
 * the token or any part of it.
 */
public record Finding(Place place, String path, String commit, int line, String what, String fix) {

    /** Where the file is. */
    public enum Place {
        /** On disk: a working tree, or files outside git. */
        FILE,
        /** In the git index (staged), differing from the file on disk. */
        INDEX,
        /** In a commit. */
        COMMIT
    }

    /** The finding as one line for a terminal: the path's control characters are escaped, the rest is latchkey's own text. */
    public String render() {
        String where = TerminalText.line(path) + ":" + line;
        String in = switch (place) {
            case FILE -> "";
            case INDEX -> " (staged)";
            case COMMIT -> " (in commit " + commit.substring(0, Math.min(12, commit.length())) + ")";
        };
        return where + in + ": " + what + "; " + fix;
    }
}
