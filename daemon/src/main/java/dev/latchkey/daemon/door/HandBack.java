package dev.latchkey.daemon.door;

/**
 * Thrown by a front door in the daemon when only the caller's own process can go on with the
 * invocation: the caller serves it itself from the last point the door marked answered. Made by
 * {@link Route} only, where every such rule is written.
 */
public final class HandBack extends Exception {
    private static final long serialVersionUID = 1L;

    HandBack(String why) {
        super(why, null, false, false);
    }
}
