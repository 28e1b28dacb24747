package dev.latchkey.daemon.store.memory;

import dev.latchkey.daemon.config.StoreId;
import dev.latchkey.daemon.store.Arrival;
import dev.latchkey.daemon.store.Capabilities;
import dev.latchkey.daemon.store.CredentialKey;
import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.protocol.Secret;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Credentials in the daemon's memory only: gone when it exits. Only a process that outlives the
 * request that stores a token may hold one, or the token would be acknowledged and lost; any
 * other gets a memory store that is {@linkplain #unusable unusable}. Thread-safe.
 */
public final class MemoryStore implements Store {
    /** It keeps its credentials' metadata itself, for as long as it keeps them. */
    private static final Capabilities CAPABILITIES = Capabilities.writable(StoreId.MEMORY).forgottenAtExit();

    private final Map<String, List<Held>> byKey = new ConcurrentHashMap<>();
    private final StoreState state;

    /** The daemon's: kept until it exits. */
    public MemoryStore() {
        this.state = StoreState.ready("kept in the daemon's memory until it exits");
    }

    private MemoryStore(StoreState state) {
        this.state = state;
    }

    /** One that holds nothing, for a process that exits after its request; {@code why} says so and names the fix. */
    public static MemoryStore unusable(String why) {
        return new MemoryStore(StoreState.unusable(why));
    }

    private record Held(CredentialKey key, StoredToken token) {
    }

    @Override
    public StoreId id() {
        return StoreId.MEMORY;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public StoreState diagnose(boolean thorough) {
        return state;
    }

    @Override
    public List<StoredToken> get(CredentialKey key, Arrival arrival) {
        List<Held> held = byKey.getOrDefault(key.canonical(), List.of());
        List<StoredToken> copies = new ArrayList<>();
        synchronized (held) {
            for (Held h : held) {
                copies.add(copy(h.token()));
            }
        }
        return copies;
    }

    @Override
    public void put(CredentialKey key, StoredToken token) throws StoreException {
        if (!state.usable()) {
            throw new StoreException.Refused(state.detail());
        }
        List<Held> held = byKey.computeIfAbsent(key.canonical(), unused -> new ArrayList<>());
        synchronized (held) {
            for (var it = held.iterator(); it.hasNext(); ) {
                Held h = it.next();
                if (h.token().operations().equals(token.operations())) {
                    h.token().secret().wipe();
                    it.remove();
                }
            }
            held.add(new Held(key, copy(token)));
        }
    }

    @Override
    public boolean erase(CredentialKey key) {
        List<Held> removed = byKey.remove(key.canonical());
        if (removed == null) {
            return false;
        }
        synchronized (removed) {
            for (Held h : removed) {
                h.token().secret().wipe();
            }
            return !removed.isEmpty();
        }
    }

    /** Callers wipe the secrets they are given and the ones they hand in, so the store keeps its own. */
    private static StoredToken copy(StoredToken t) {
        return t.withSecret(Secret.copyOf(t.secret().exposeChars()));
    }

    @Override
    public List<StoreEntry> list(Arrival arrival) {
        List<StoreEntry> entries = new ArrayList<>();
        for (List<Held> held : byKey.values()) {
            synchronized (held) {
                for (Held h : held) {
                    StoredToken t = h.token();
                    entries.add(new StoreEntry(h.key(), t.operations(), t.expiration(), t.created(), t.updated()));
                }
            }
        }
        return entries;
    }
}
