package dev.latchkey.daemon.store.memory;

import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.daemon.store.TokenChoice;

import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Secret;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Tokens in this process's memory only: gone when it exits. Thread-safe. */
public final class MemoryStore implements Store {
    private final Map<String, List<Held>> byIndexUrl = new ConcurrentHashMap<>();

    private record Held(RegistryKey registry, StoredToken token) {
    }

    @Override
    public String name() {
        return "memory";
    }

    /** It keeps its tokens' metadata itself, for as long as it keeps them. */
    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean writable() {
        return true;
    }

    @Override
    public StoreState state() {
        return StoreState.ready("tokens kept in this process's memory until it exits");
    }

    @Override
    public Optional<StoredToken> get(RegistryKey registry, Operation operation) {
        List<Held> held = byIndexUrl.getOrDefault(registry.indexUrl(), List.of());
        synchronized (held) {
            return TokenChoice.best(held.stream().map(Held::token).toList(), operation).map(MemoryStore::copy);
        }
    }

    @Override
    public void put(RegistryKey registry, StoredToken token) {
        List<Held> held = byIndexUrl.computeIfAbsent(registry.indexUrl(), url -> new ArrayList<>());
        synchronized (held) {
            held.removeIf(h -> {
                boolean same = h.token().operations().equals(token.operations());
                if (same) {
                    h.token().secret().wipe();
                }
                return same;
            });
            held.add(new Held(registry, copy(token)));
        }
    }

    @Override
    public boolean erase(RegistryKey registry) {
        List<Held> removed = byIndexUrl.remove(registry.indexUrl());
        if (removed == null) {
            return false;
        }
        synchronized (removed) {
            removed.forEach(h -> h.token().secret().wipe());
            return !removed.isEmpty();
        }
    }

    /** Callers wipe the secrets they are given and the ones they hand in, so the store keeps its own. */
    private static StoredToken copy(StoredToken t) {
        return t.withSecret(Secret.copyOf(t.secret().exposeChars()));
    }

    @Override
    public List<StoreEntry> list() {
        List<StoreEntry> entries = new ArrayList<>();
        for (List<Held> held : byIndexUrl.values()) {
            synchronized (held) {
                for (Held h : held) {
                    StoredToken t = h.token();
                    entries.add(new StoreEntry(h.registry(), t.operations(), t.expiration(), t.created(), t.updated()));
                }
            }
        }
        return entries;
    }
}
