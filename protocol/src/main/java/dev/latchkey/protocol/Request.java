package dev.latchkey.protocol;

import java.util.Set;

/** One request of the latchkey protocol; cargo's get, login and logout are among them. */
public sealed interface Request {

    /** The kind word as the client sent it; responses repeat it, so {@code login} is answered as {@code login}. */
    String kind();

    /** The registry the request is about; null for kinds that name none. */
    default Registry registry() {
        return null;
    }

    /** Fetch the token for {@code registry}, for {@code operation}; the crate fields come with publish, yank and owners. */
    record Get(Registry registry, Operation operation, String crateName, String crateVersion, String checksum)
            implements Request {
        public Get {
            operation = operation == null ? Operation.READ : operation;
        }

        public static Get read(Registry registry) {
            return new Get(registry, Operation.READ, null, null, null);
        }

        @Override
        public String kind() {
            return "get";
        }
    }

    /**
     * Keep {@code token} for {@code registry}. {@code token} is null only for a cargo {@code login}
     * made on a terminal, where the provider must ask for it; {@code operations} empty means all.
     */
    record Store(String kind, Registry registry, Secret token, Long expiration, Set<Operation> operations,
                 String store, String loginUrl) implements Request {
        public Store {
            operations = operations == null ? Set.of() : Set.copyOf(operations);
        }

        public Store withToken(Secret newToken) {
            return new Store(kind, registry, newToken, expiration, operations, store, loginUrl);
        }
    }

    /**
     * Forget the token for {@code registry}: in {@code store} when given; else from the first
     * writable store holding one, or with {@code allStores} from every writable store holding one.
     */
    record Erase(String kind, Registry registry, String store, boolean allStores) implements Request {
        public Erase(String kind, Registry registry, String store) {
            this(kind, registry, store, false);
        }
    }

    /**
     * Replace {@code registry}'s token for {@code operations} (empty: the one for every operation)
     * with {@code token} in every store that holds it, or in {@code store} when given.
     */
    record Rotate(Registry registry, Secret token, Long expiration, Set<Operation> operations, String store)
            implements Request {
        public Rotate {
            operations = operations == null ? Set.of() : Set.copyOf(operations);
        }

        @Override
        public String kind() {
            return "rotate";
        }
    }

    /** Describe the stored tokens, of one registry when {@code registry} is given; never the tokens themselves. */
    record ListTokens(Registry registry) implements Request {
        @Override
        public String kind() {
            return "list";
        }
    }

    /** Report the server's version, uptime and stores. */
    record Status() implements Request {
        @Override
        public String kind() {
            return "status";
        }
    }

    /** A kind this version does not know; answered with {@code operation-not-supported}. */
    record Unsupported(String kind) implements Request {
    }
}
