package dev.latchkey.protocol;

import java.util.List;

/** The answer to one request: an {@code Ok} payload or a {@link Failure}. */
public sealed interface Response {

    /** The token for a get. {@code expiration} (Unix seconds) is set exactly when {@code cache} is {@code EXPIRES}. */
    record Got(Secret token, CacheControl cache, Long expiration, boolean operationIndependent, String store)
            implements Response {
        public Got {
            if ((cache == CacheControl.EXPIRES) != (expiration != null)) {
                throw new IllegalArgumentException("expiration goes with cache=expires, and only with it");
            }
        }
    }

    /** A store (or login) succeeded into {@code store}. */
    record Stored(String kind, String store) implements Response {
    }

    /** An erase (or logout) removed the token from {@code stores}. */
    record Erased(String kind, List<String> stores) implements Response {
        public Erased {
            stores = List.copyOf(stores);
        }
    }

    /** What a list found; never a token. */
    record Listed(List<TokenInfo> entries) implements Response {
        public Listed {
            entries = List.copyOf(entries);
        }
    }

    /** What a status request reports. */
    record StatusReport(String version, long pid, long uptimeSeconds, List<StoreStatus> stores) implements Response {
        public StatusReport {
            stores = List.copyOf(stores);
        }
    }

    /** An error. {@code message} is never null for the kinds that need one and never holds a token. */
    record Failure(ErrorKind kind, String message, List<String> causedBy) implements Response {
        public Failure {
            causedBy = causedBy == null ? List.of() : List.copyOf(causedBy);
            if (message == null && kind.needsMessage()) {
                throw new IllegalArgumentException(kind.wire() + " needs a message");
            }
        }

        public static Failure of(ErrorKind kind, String message) {
            return new Failure(kind, message, List.of());
        }

        public static Failure notFound(String message) {
            return of(ErrorKind.NOT_FOUND, message);
        }

        public static Failure badRequest(String message) {
            return of(ErrorKind.BAD_REQUEST, message);
        }
    }

    /** One stored token as {@code list} describes it; times are Unix seconds, absent when unknown. */
    record TokenInfo(String indexUrl, String name, String store, List<Operation> operations, Long expiration,
                     Long created, Long updated) {
        public TokenInfo {
            operations = operations == null ? List.of() : List.copyOf(operations);
        }
    }

    /** One store's state as {@code status} reports it; {@code detail} says why it is unusable and what fixes it. */
    record StoreStatus(String name, boolean usable, boolean writable, String detail) {
    }
}
