package dev.latchkey.protocol;

/** What cargo wants a token for. {@link #UNKNOWN} stands for any operation a newer cargo may send. */
public enum Operation {
    READ("read"),
    PUBLISH("publish"),
    YANK("yank"),
    UNYANK("unyank"),
    OWNERS("owners"),
    UNKNOWN("unknown");

    private final String wire;

    Operation(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** The operation named {@code wire}; {@link #UNKNOWN} for anything else, never an exception. */
    public static Operation fromWire(String wire) {
        for (Operation op : values()) {
            if (op != UNKNOWN && op.wire.equals(wire)) {
                return op;
            }
        }
        return UNKNOWN;
    }
}
