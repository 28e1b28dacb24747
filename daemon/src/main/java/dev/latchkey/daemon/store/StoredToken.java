package dev.latchkey.daemon.store;

import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Secret;

import java.util.EnumSet;
import java.util.Set;

/**
 * A token and what is known about it. Times are Unix seconds and null when the store does not
 * know them; {@code operations} empty means the token serves every operation.
 * {@code scopedSiblings}: the store also holds other tokens of the same registry, and some token
 * of the registry is limited to some operations, so even a token for every operation is not the
 * answer for every operation (a publish token beats it for publish), and a publish token is not
 * the one to read with.
 */
public record StoredToken(Secret secret, Set<Operation> operations, Long expiration, Long created, Long updated,
                          boolean scopedSiblings) {
    public StoredToken {
        operations = operations.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(operations));
    }

    public StoredToken(Secret secret, Set<Operation> operations, Long expiration, Long created, Long updated) {
        this(secret, operations, expiration, created, updated, false);
    }

    public static StoredToken plain(Secret secret) {
        return new StoredToken(secret, Set.of(), null, null, null);
    }

    /** Whether this token may be handed out for {@code operation}. */
    public boolean serves(Operation operation) {
        return operations.isEmpty() || operations.contains(operation);
    }

    /** Whether the same token would be the answer for every other operation too (cargo's {@code operation_independent}). */
    public boolean operationIndependent() {
        return operations.isEmpty() && !scopedSiblings;
    }

    /** The same description around another secret: a copy of this one, for a cache or a store that keeps its own. */
    public StoredToken withSecret(Secret other) {
        return new StoredToken(other, operations, expiration, created, updated, scopedSiblings);
    }
}
