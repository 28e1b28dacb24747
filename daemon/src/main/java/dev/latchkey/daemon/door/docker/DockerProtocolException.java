package dev.latchkey.daemon.door.docker;

/**
 * Input that docker's credential-helper protocol does not allow, or that latchkey refuses as
 * hostile (a server address with a user name in it, say). The message names the problem and never
 * quotes the input, which may hold a secret.
 */
final class DockerProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    DockerProtocolException(String message) {
        super(message);
    }
}
