package dev.latchkey.daemon.files;

/**
 * When the requests a thread is serving were read from their clients, for {@link FileReading} to
 * look at a file no more often than that tells: a look ({@code stat}) begun after a request was
 * read sees every change made before its client sent it, so requests read in one wake-up of the
 * daemon's socket loop share one look per file. A thread that never says (stdio, the CLI) looks
 * at each use, as if each request had just arrived.
 */
public final class RequestArrival {
    /** A thread that has not said: every use looks again. */
    static final long UNKNOWN = Long.MAX_VALUE;
    /**
     * One slot per thread, set once per wake-up: cheaper than a ThreadLocal of Long. A class
     * rather than a lambda: cargo's provider reads its token file through here, and linking a
     * lambda costs a fresh JVM a few milliseconds on that path.
     */
    private static final ThreadLocal<long[]> READ_AT = new ThreadLocal<>() {
        @Override
        protected long[] initialValue() {
            return new long[] {UNKNOWN};
        }
    };

    private RequestArrival() {
    }

    /** The requests this thread serves next were all read by {@code nanoTime} ({@link System#nanoTime()}). */
    public static void readAt(long nanoTime) {
        READ_AT.get()[0] = nanoTime;
    }

    /** When this thread's requests were read; {@link #UNKNOWN} if it never said. */
    static long onThisThread() {
        return READ_AT.get()[0];
    }
}
