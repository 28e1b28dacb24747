package dev.latchkey.caller.scan;

/** What a scan looks through. */
public enum ScanMode {
    /**
     * The files. In a git repository, those {@code git add -A} would take (ignored files are not:
     * they never reach a commit; name one to scan it), and the index where it differs from them.
     */
    FILES,
    /** The files, and in a git repository every commit reachable from any ref. */
    HISTORY,
    /** What the next commit would add: the lines {@code git diff --cached} adds (for a pre-commit hook). */
    STAGED
}
