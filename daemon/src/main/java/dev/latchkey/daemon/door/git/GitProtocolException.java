package dev.latchkey.daemon.door.git;

/**
 * A credential description or reply that git's helper protocol cannot carry. The message names
 * the problem (and the attribute, when known) and never quotes a value: values hold passwords.
 */
final class GitProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    GitProtocolException(String message) {
        super(message);
    }
}
