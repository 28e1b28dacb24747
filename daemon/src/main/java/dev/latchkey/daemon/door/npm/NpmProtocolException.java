package dev.latchkey.daemon.door.npm;

/**
 * A registry URL or token that the npm front door cannot take or print. The message names the
 * problem and never quotes a token.
 */
final class NpmProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    NpmProtocolException(String message) {
        super(message);
    }
}
