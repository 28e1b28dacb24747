package dev.latchkey.testing;

import dev.latchkey.daemon.service.TokenChoice;
import dev.latchkey.daemon.store.Arrival;
import dev.latchkey.daemon.store.CredentialKey;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.protocol.Operation;

import java.util.Optional;

/** A store read as the service reads it: of the tokens it holds under a key, the one that answers an operation. */
public final class StoreReads {
    private StoreReads() {
    }

    /** The registry an entry of {@code list} is for; fails for a login's. */
    public static RegistryKey registryOf(StoreEntry entry) {
        return (RegistryKey) entry.key();
    }

    public static Optional<StoredToken> best(Store store, CredentialKey key, Operation operation) throws StoreException {
        return TokenChoice.best(store.get(key, Arrival.NOW), operation);
    }
}
