package dev.latchkey.client;

import java.io.IOException;

/**
 * The connection ended before the answer came: the server stopped, was restarted or killed.
 * When {@link #requestSent()} the request may or may not have been served.
 */
public final class ConnectionLostException extends IOException {
    private static final long serialVersionUID = 1L;

    private final boolean requestSent;

    ConnectionLostException(String message, Throwable cause, boolean requestSent) {
        super(message, cause);
        this.requestSent = requestSent;
    }

    /** Whether the request had been written whole before the connection ended. */
    public boolean requestSent() {
        return requestSent;
    }
}
