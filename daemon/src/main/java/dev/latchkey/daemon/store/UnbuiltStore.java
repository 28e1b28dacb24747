package dev.latchkey.daemon.store;

import dev.latchkey.protocol.Operation;

import java.util.List;
import java.util.Optional;

/**
 * A store named in the SPEC that this version does not have yet: always unusable, and says so,
 * so that a config naming it works and {@code doctor} tells the truth.
 */
public final class UnbuiltStore implements Store {
    private final String name;

    public UnbuiltStore(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean writable() {
        return false;
    }

    @Override
    public StoreState state() {
        return StoreState.unusable("not built in this version of latchkey (see README, \"Not built yet\"); use the file store meanwhile");
    }

    @Override
    public Optional<StoredToken> get(RegistryKey registry, Operation operation) {
        return Optional.empty();
    }

    @Override
    public void put(RegistryKey registry, StoredToken token) {
        throw new UnsupportedOperationException(name + " is not built");
    }

    @Override
    public boolean erase(RegistryKey registry) {
        throw new UnsupportedOperationException(name + " is not built");
    }

    @Override
    public List<StoreEntry> list() {
        return List.of();
    }
}
