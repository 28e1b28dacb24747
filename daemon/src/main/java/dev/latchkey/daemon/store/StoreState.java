package dev.latchkey.daemon.store;

/** Whether a store can be used here and now, and if not, why and what fixes it. */
public record StoreState(boolean usable, String detail) {
    public static StoreState ready(String detail) {
        return new StoreState(true, detail);
    }

    public static StoreState unusable(String why) {
        return new StoreState(false, why);
    }
}
