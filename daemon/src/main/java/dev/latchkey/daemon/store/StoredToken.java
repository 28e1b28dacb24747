package dev.latchkey.daemon.store;

import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Secret;

import java.util.EnumSet;
import java.util.Set;

/**
 * A token and what is known about it. Times are Unix seconds and null when the store does not
 * know them; {@code operations} empty means the token serves every operation.
 */
public record StoredToken(Secret secret, Set<Operation> operations, Long expiration, Long created, Long updated) {
    public StoredToken {
        operations = operations.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(operations));
    }

    public static StoredToken plain(Secret secret) {
        return new StoredToken(secret, Set.of(), null, null, null);
    }

    /** Whether this token may be handed out for {@code operation}. */
    public boolean serves(Operation operation) {
        return operations.isEmpty() || operations.contains(operation);
    }
}
