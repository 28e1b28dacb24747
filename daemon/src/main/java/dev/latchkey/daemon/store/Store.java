package dev.latchkey.daemon.store;

import dev.latchkey.daemon.config.StoreId;

import java.util.List;

/**
 * Where credentials live. As small as docker's helper contract (get, put, erase, list) plus how it
 * is doing and what it can do; stores know this interface and their own backend, never a transport,
 * the wire format or the service's rules. Failures are {@link StoreException}s with the fix in the
 * message; "nothing stored" is an empty result, never an exception.
 */
public interface Store {
    /** Which store this is. */
    StoreId id();

    /** What it can do, which the service goes by. */
    Capabilities capabilities();

    /**
     * Whether it can be used here and now, and the detail {@code status} and {@code doctor} show.
     * Not {@code thorough}: cheap, asked before every use; conditions a call reports by itself (a
     * locked keyring) leave it usable. {@code thorough}: also what only asking the backend shows (a
     * locked keyring, a service that does not answer), with the fix in the detail.
     */
    StoreState diagnose(boolean thorough);

    /**
     * Every credential it holds under exactly {@code key} (a registry may have several tokens, each
     * limited to some operations), copies its caller wipes. {@code arrival} says how fresh a file it
     * reads must be looked at.
     */
    List<StoredToken> get(CredentialKey key, Arrival arrival) throws StoreException;

    /**
     * Keeps {@code credential} under {@code key}, replacing one of the same key and operations.
     * Callers check {@link Capabilities#writable()} first.
     */
    void put(CredentialKey key, StoredToken credential) throws StoreException;

    /** Removes every credential under exactly {@code key}; false when there was none. */
    boolean erase(CredentialKey key) throws StoreException;

    /** Every credential it holds, described without its secret. */
    List<StoreEntry> list(Arrival arrival) throws StoreException;
}
