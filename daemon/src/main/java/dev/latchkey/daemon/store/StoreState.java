package dev.latchkey.daemon.store;

/**
 * Whether a store can be used here and now, and if not, why and what fixes it; and, for one that
 * can, a caution to hand out with each credential it gives (a file of cargo's that others can
 * read, say), naming the fix, or null.
 */
public record StoreState(boolean usable, String detail, String caution) {
    public static StoreState ready(String detail) {
        return new StoreState(true, detail, null);
    }

    public static StoreState unusable(String why) {
        return new StoreState(false, why, null);
    }

    /** Usable, with {@code caution} told with each credential it gives. */
    public static StoreState cautioned(String detail, String caution) {
        return new StoreState(true, detail + "; warning: " + caution, caution);
    }
}
