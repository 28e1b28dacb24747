package dev.latchkey.caller.scan;

/** A scan that cannot be done as asked (exit status 2): the message says why and what to do. */
public final class ScanUsageException extends Exception {
    private static final long serialVersionUID = 1L;

    ScanUsageException(String message) {
        super(message);
    }
}
