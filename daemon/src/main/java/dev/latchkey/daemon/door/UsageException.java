package dev.latchkey.daemon.door;

/**
 * A command line that cannot be run as typed, or input it cannot take; exit status 2. Only for the
 * first is the user pointed at {@code --help}, which cannot fix the second.
 */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean helpHelps;

    /** A command line that cannot be run as typed: {@code --help} shows how it goes. */
    public UsageException(String message) {
        this(message, true);
    }

    private UsageException(String message, boolean helpHelps) {
        super(message);
        this.helpHelps = helpHelps;
    }

    /** Input the command cannot take (a token on stdin, say), which {@code --help} does not fix. */
    public static UsageException badInput(String message) {
        return new UsageException(message, false);
    }

    /** Whether {@code latchkey --help} shows the way out. */
    public boolean helpHelps() {
        return helpHelps;
    }
}
