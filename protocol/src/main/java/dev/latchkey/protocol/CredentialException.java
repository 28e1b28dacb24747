package dev.latchkey.protocol;

import java.util.List;

/**
 * A failure a caller must tell apart from the others, one subclass per error kind. Servers turn
 * it into an {@code Err} line with {@link #toFailure()}, clients turn an {@code Err} line back
 * into it with {@link #from(Response.Failure)}. Messages say what failed and what fixes it, and
 * never hold a token.
 */
public abstract sealed class CredentialException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<String> causedBy;

    CredentialException(String message, List<String> causedBy) {
        super(message);
        this.causedBy = causedBy == null ? List.of() : List.copyOf(causedBy);
    }

    public abstract ErrorKind kind();

    public List<String> causedBy() {
        return causedBy;
    }

    public Response.Failure toFailure() {
        return new Response.Failure(kind(), getMessage(), causedBy);
    }

    /** The exception an {@code Err} line stands for. */
    public static CredentialException from(Response.Failure failure) {
        String message = failure.message() != null ? failure.message() : defaultMessage(failure.kind());
        List<String> causes = failure.causedBy();
        return switch (failure.kind()) {
            case NOT_FOUND -> new NotFound(message);
            case URL_NOT_SUPPORTED, OPERATION_NOT_SUPPORTED -> new Unsupported(failure.kind(), message);
            case BAD_REQUEST -> new BadRequest(message);
            case LOCKED -> new Locked(message);
            case UNAVAILABLE -> new Unavailable(message, causes);
            case DENIED -> new Denied(message);
            case OTHER -> new Failed(message, causes);
        };
    }

    private static String defaultMessage(ErrorKind kind) {
        return switch (kind) {
            case NOT_FOUND -> "credential not found";
            case URL_NOT_SUPPORTED -> "registry not supported";
            case OPERATION_NOT_SUPPORTED -> "requested operation not supported";
            default -> kind.wire();
        };
    }

    /** No token is stored for the registry (or none for the operation, or it expired). */
    public static final class NotFound extends CredentialException {
        private static final long serialVersionUID = 1L;

        public NotFound(String message) {
            super(message, List.of());
        }

        @Override
        public ErrorKind kind() {
            return ErrorKind.NOT_FOUND;
        }
    }

    /** The registry or the operation is one this server does not handle. */
    public static final class Unsupported extends CredentialException {
        private static final long serialVersionUID = 1L;
        private final ErrorKind kind;

        public Unsupported(ErrorKind kind, String message) {
            super(message, List.of());
            if (kind != ErrorKind.URL_NOT_SUPPORTED && kind != ErrorKind.OPERATION_NOT_SUPPORTED) {
                throw new IllegalArgumentException(kind + " is not an unsupported-kind");
            }
            this.kind = kind;
        }

        @Override
        public ErrorKind kind() {
            return kind;
        }
    }

    /** The request itself is wrong: a missing or malformed field, an unknown store, an empty token. */
    public static final class BadRequest extends CredentialException {
        private static final long serialVersionUID = 1L;

        public BadRequest(String message) {
            super(message, List.of());
        }

        @Override
        public ErrorKind kind() {
            return ErrorKind.BAD_REQUEST;
        }
    }

    /** The store holds the token but is locked; the message says how to unlock it. */
    public static final class Locked extends CredentialException {
        private static final long serialVersionUID = 1L;

        public Locked(String message) {
            super(message, List.of());
        }

        @Override
        public ErrorKind kind() {
            return ErrorKind.LOCKED;
        }
    }

    /** The store cannot be used here or now (no session bus, a corrupt file, a missing library). */
    public static final class Unavailable extends CredentialException {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message) {
            super(message, List.of());
        }

        public Unavailable(String message, List<String> causedBy) {
            super(message, causedBy);
        }

        @Override
        public ErrorKind kind() {
            return ErrorKind.UNAVAILABLE;
        }
    }

    /** The caller may not have this: another user, or a store that refused access. */
    public static final class Denied extends CredentialException {
        private static final long serialVersionUID = 1L;

        public Denied(String message) {
            super(message, List.of());
        }

        @Override
        public ErrorKind kind() {
            return ErrorKind.DENIED;
        }
    }

    /** Anything else that went wrong. */
    public static final class Failed extends CredentialException {
        private static final long serialVersionUID = 1L;

        public Failed(String message, List<String> causedBy) {
            super(message, causedBy);
        }

        @Override
        public ErrorKind kind() {
            return ErrorKind.OTHER;
        }
    }
}
