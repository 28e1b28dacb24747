package dev.latchkey.protocol;

/** The error kinds of the latchkey protocol; the first four are cargo's own. */
public enum ErrorKind {
    NOT_FOUND("not-found", true),
    URL_NOT_SUPPORTED("url-not-supported", true),
    OPERATION_NOT_SUPPORTED("operation-not-supported", true),
    OTHER("other", true),
    BAD_REQUEST("bad-request", false),
    LOCKED("locked", false),
    UNAVAILABLE("unavailable", false),
    DENIED("denied", false);

    private final String wire;
    private final boolean cargoKnowsIt;

    ErrorKind(String wire, boolean cargoKnowsIt) {
        this.wire = wire;
        this.cargoKnowsIt = cargoKnowsIt;
    }

    public String wire() {
        return wire;
    }

    /** cargo treats any kind but its four as fatal and unreadable, so the others travel as {@code other}. */
    public boolean cargoKnowsIt() {
        return cargoKnowsIt;
    }

    /** Whether a message is required on the wire (cargo requires one for {@code other}). */
    public boolean needsMessage() {
        return this != NOT_FOUND && this != URL_NOT_SUPPORTED && this != OPERATION_NOT_SUPPORTED;
    }

    /** The kind named by {@code wire}, or {@code null} for a kind this version does not know. */
    public static ErrorKind fromWire(String wire) {
        for (ErrorKind kind : values()) {
            if (kind.wire.equals(wire)) {
                return kind;
            }
        }
        return null;
    }
}
