package dev.latchkey.protocol;

/** How long cargo may keep a token it was given: cargo's {@code cache} field. */
public enum CacheControl {
    /** For the rest of this cargo command. */
    SESSION("session"),
    /** Ask again every time. */
    NEVER("never"),
    /** Until {@code expiration}, less cargo's one-minute margin. */
    EXPIRES("expires");

    private final String wire;

    CacheControl(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** cargo reads an unknown value as "never"; so do we. */
    public static CacheControl fromWire(String wire) {
        for (CacheControl c : values()) {
            if (c.wire.equals(wire)) {
                return c;
            }
        }
        return NEVER;
    }
}
