package dev.latchkey.daemon.door.keyring;

/**
 * A command line or input that python-keyring's command line, as pip and uv run it, does not
 * allow, or that latchkey refuses as hostile. The message names the problem and never quotes a
 * password.
 */
final class KeyringProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    KeyringProtocolException(String message) {
        super(message);
    }
}
