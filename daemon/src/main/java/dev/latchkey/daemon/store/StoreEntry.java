package dev.latchkey.daemon.store;

import dev.latchkey.protocol.Operation;

import java.util.Set;

/** One credential a store holds, described without its secret: what {@code list} shows. */
public record StoreEntry(CredentialKey key, Set<Operation> operations, Long expiration, Long created, Long updated) {
    public StoreEntry {
        operations = Set.copyOf(operations);
    }
}
