package dev.latchkey.daemon.cli;

/** A command line that cannot be run as typed; exit status 2. */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
