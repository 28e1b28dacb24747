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

    /**
     * What a list found; never a token. {@code unreadable}: the stores that could not be read (a
     * locked keyring, an encrypted store without its passphrase), each with why and the fix, whose
     * tokens are missing from {@code entries}.
     */
    record Listed(List<TokenInfo> entries, List<Unreadable> unreadable) implements Response {
        public Listed {
            entries = List.copyOf(entries);
            unreadable = unreadable == null ? List.of() : List.copyOf(unreadable);
        }

        public Listed(List<TokenInfo> entries) {
            this(entries, List.of());
        }
    }

    /** A store {@code list} could not read: the error's kind and its message, which names the fix. */
    record Unreadable(String store, ErrorKind kind, String message) {
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
     * One stored credential as {@code list} describes it: a registry's token ({@code indexUrl},
     * perhaps {@code name}) or a login of git, docker or pip ({@code login}: its user at its site,
     * {@code https://alice@git.example/team}). Times are Unix seconds, absent when unknown.
     * {@code rotateDue}: the token is older than the configured {@code rotate-after}.
     */
    record TokenInfo(String indexUrl, String name, String login, String store, List<Operation> operations, Long expiration,
                     Long created, Long updated, Long lastUsed, Long rotated, boolean rotateDue) {
        public TokenInfo {
            operations = operations == null ? List.of() : List.copyOf(operations);
        }

        public TokenInfo(String indexUrl, String name, String store, List<Operation> operations, Long expiration,
                         Long created, Long updated) {
            this(indexUrl, name, null, store, operations, expiration, created, updated, null, null, false);
        }
    }

    /** One store's state as {@code status} reports it; {@code detail} says why it is unusable and what fixes it. */
    record StoreStatus(String name, boolean usable, boolean writable, String detail) {
    }
}
