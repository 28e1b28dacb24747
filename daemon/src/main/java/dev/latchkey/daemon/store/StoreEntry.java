package dev.latchkey.daemon.store;

import dev.latchkey.protocol.Operation;

import java.util.Set;

/** One token a store holds, described without the token: what {@code list} shows. */
public record StoreEntry(RegistryKey registry, Set<Operation> operations, Long expiration, Long created, Long updated) {
    public StoreEntry {
        operations = Set.copyOf(operations);
    }
}
