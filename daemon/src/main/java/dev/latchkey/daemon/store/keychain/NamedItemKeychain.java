package dev.latchkey.daemon.store.keychain;

import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.protocol.Secret;

import java.util.List;
import java.util.Optional;

/**
 * An OS keychain in which cargo finds each of its items by one name,
 * {@code cargo-registry:<index URL>}: a generic password's service on macOS, a generic
 * credential's target on Windows. The safe wrapper over each raw binding is one.
 */
public interface NamedItemKeychain {

    /** The token in the item called {@code name}; empty when there is none. */
    Optional<Secret> find(String name) throws StoreException;

    /** Creates or replaces the item called {@code name}, shaped as cargo writes it. */
    void save(String name, Secret token) throws StoreException;

    /** Removes the item called {@code name}; false when there was none. */
    boolean delete(String name) throws StoreException;

    /** The names of the items whose name starts with {@code prefix}, read without their secrets. */
    List<String> namesStartingWith(String prefix) throws StoreException;
}
