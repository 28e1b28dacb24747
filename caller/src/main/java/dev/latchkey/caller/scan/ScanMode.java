package dev.latchkey.caller.scan;

/** What a scan looks through. */
public enum ScanMode {
    /** The files (in a git repository: its working tree, and the index where it differs). */
    FILES,
    /** The files, and in a git repository every commit reachable from any ref. */
    HISTORY,
    /** What the next commit would add: the lines {@code git diff --cached} adds (for a pre-commit hook). */
    STAGED
}
