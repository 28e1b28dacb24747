package dev.latchkey.protocol;

/**
 * A line that is not a valid protocol message. The message names the field and the problem; it
 * never quotes the input, which may hold a token.
 */
public final class MalformedMessageException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedMessageException(String message) {
        super(message);
    }
}
