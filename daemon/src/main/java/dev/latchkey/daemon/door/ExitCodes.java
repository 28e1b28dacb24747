package dev.latchkey.daemon.door;

import dev.latchkey.protocol.ErrorKind;

/** The exit statuses of latchkey(1) (docs/man/latchkey.1), mapped once from error kinds. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int NOT_FOUND = 1;
    public static final int USAGE = 2;
    public static final int STORE_UNUSABLE = 3;
    public static final int FAILURE = 4;

    private ExitCodes() {
    }

    public static int of(ErrorKind kind) {
        return switch (kind) {
            case NOT_FOUND -> NOT_FOUND;
            case BAD_REQUEST, URL_NOT_SUPPORTED, OPERATION_NOT_SUPPORTED -> USAGE;
            case LOCKED, UNAVAILABLE, DENIED -> STORE_UNUSABLE;
            case OTHER -> FAILURE;
        };
    }
}
