package dev.latchkey.protocol;

import java.util.List;

/** The answer to one request: an {@code Ok} payload or a {@link Failure}. */
public sealed interface Response {

    /**
     * The token for a get. {@code expiration} (Unix seconds) is set exactly when {@code cache} is
     * {@code EXPIRES}. {@code warnings} are for the person behind the request (a token due for
     * rotation): the latchkey dialect carries them, cargo's never does, and whichever process talks
     * to that person prints them on its stderr.
     */
    record Got(Secret token, CacheControl cache, Long expiration, boolean operationIndependent, String store,
               List<String> warnings) implements Response {
        public Got {
            if ((cache == CacheControl.EXPIRES) != (expiration != null)) {
                throw new IllegalArgumentException("expiration goes with cache=expires, and only with it");
            }
            warnings = warnings == null ? List.of() : List.copyOf(warnings);
        }

        public Got(Secret token, CacheControl cache, Long expiration, boolean operationIndependent, String store) {
            this(token, cache, expiration, operationIndependent, store, List.of());
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

    /** A rotate replaced the token in {@code stores}. */
    record Rotated(List<String> stores) implements Response {
        public Rotated {
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

    /**
     * One stored token as {@code list} describes it; times are Unix seconds, absent when unknown.
     * {@code rotateDue}: the token is older than the configured {@code rotate-after}.
     */
    record TokenInfo(String indexUrl, String name, String store, List<Operation> operations, Long expiration,
                     Long created, Long updated, Long lastUsed, Long rotated, boolean rotateDue) {
        public TokenInfo {
            operations = operations == null ? List.of() : List.copyOf(operations);
        }

        public TokenInfo(String indexUrl, String name, String store, List<Operation> operations, Long expiration,
                         Long created, Long updated) {
            this(indexUrl, name, store, operations, expiration, created, updated, null, null, false);
        }
    }

    /** One store's state as {@code status} reports it; {@code detail} says why it is unusable and what fixes it. */
    record StoreStatus(String name, boolean usable, boolean writable, String detail) {
    }
}
