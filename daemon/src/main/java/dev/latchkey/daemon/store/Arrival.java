package dev.latchkey.daemon.store;

/**
 * When the request a store is asked for was read from its client ({@link System#nanoTime()}): a
 * look at a file ({@code stat}) begun after that sees every change made before the client sent the
 * request, so the requests the daemon read at one wake-up can share one look per file. Passed down
 * with each call rather than kept per thread.
 */
public record Arrival(long readAt) {
    /** Unknown: each use of a file looks at it again (a request served in its own process). */
    public static final Arrival NOW = new Arrival(Long.MAX_VALUE);

    public boolean known() {
        return readAt != Long.MAX_VALUE;
    }
}
