package dev.latchkey.daemon.metadata;

import dev.latchkey.protocol.Operation;

import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the metadata book knows about one token (never the token itself). Times are Unix seconds,
 * null when unknown.
 *
 * @param key         the credential's key, in its canonical form (a registry's index URL, a login's {@code login:...})
 * @param name        the registry's name, when known
 * @param fingerprint a salted hash that tells this token from another one for the same registry
 *                    (see {@link MetadataBook}), so that a token replaced behind latchkey's back
 *                    (by {@code cargo login}, say) never inherits the old one's expiry
 * @param stores      the stores that hold it, by their {@linkplain dev.latchkey.daemon.store.Store#backend() backend} name
 * @param operations  what it may be used for; empty means every operation
 * @param expiration  after when it is never handed out
 * @param created     when latchkey first held a token for this registry, these operations and store;
 *                    kept when the token is replaced or rotated
 * @param updated     when latchkey was first given this very token: its age counts from here
 * @param rotated     when {@code latchkey rotate} put this token in place
 * @param lastUsed    when it was last handed out, to the minute
 */
public record BookEntry(String key, String name, String fingerprint, Set<String> stores, Set<Operation> operations,
                        Long expiration, Long created, Long updated, Long rotated, Long lastUsed) {
    public BookEntry {
        stores = Set.copyOf(new TreeSet<>(stores));
        operations = operations.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(operations));
    }

    /** Whether this entry is for the credential held in {@code store} for {@code operations} under {@code key}. */
    boolean fills(String key, String store, Set<Operation> operations) {
        return this.key.equals(key) && stores.contains(store) && this.operations.equals(operations);
    }

    BookEntry withStores(Set<String> newStores) {
        return new BookEntry(key, name, fingerprint, newStores, operations, expiration, created, updated, rotated, lastUsed);
    }

    BookEntry withLastUsed(long when) {
        return new BookEntry(key, name, fingerprint, stores, operations, expiration, created, updated, rotated, when);
    }
}
