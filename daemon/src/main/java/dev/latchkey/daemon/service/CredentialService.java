package dev.latchkey.daemon.service;

import dev.latchkey.daemon.config.Config;
import dev.latchkey.daemon.registry.RegistryResolver;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.store.StoreCatalog;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.protocol.CacheControl;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.ErrorKind;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Request;
import dev.latchkey.protocol.Response;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Serves one request: resolves the registry, picks the stores, asks them. Every transport (cargo,
 * stdio, the socket, the CLI) comes through here, so all give the same answers. It never throws:
 * every failure becomes a {@link Response.Failure}.
 */
public final class CredentialService {
    private final Config config;
    private final StoreCatalog stores;
    private final RegistryResolver resolver;
    private final Clock clock;
    private final String version;
    private final Instant started;
    private final TokenCache cache;

    public CredentialService(Config config, StoreCatalog stores, RegistryResolver resolver, Clock clock, String version) {
        this(config, stores, resolver, clock, version, TokenCache.disabled());
    }

    /** {@code cache}: what the daemon keeps of tokens read from slow stores. */
    public CredentialService(Config config, StoreCatalog stores, RegistryResolver resolver, Clock clock, String version,
                             TokenCache cache) {
        this.config = config;
        this.stores = stores;
        this.resolver = resolver;
        this.clock = clock;
        this.version = version;
        this.started = clock.instant();
        this.cache = cache;
    }

    public RegistryResolver resolver() {
        return resolver;
    }

    /**
     * Answers {@code request}. {@code onlyStore}, when not null, is the one store to use (cargo's
     * {@code --store} argument); a store named in the request itself wins over it.
     */
    public Response handle(Request request, String onlyStore) {
        try {
            if (request instanceof Request.Get get) {
                return get(get, onlyStore);
            } else if (request instanceof Request.Store store) {
                return store(store, onlyStore);
            } else if (request instanceof Request.Erase erase) {
                return erase(erase, onlyStore);
            } else if (request instanceof Request.ListTokens list) {
                return list(list);
            } else if (request instanceof Request.Status) {
                return status();
            }
            return Response.Failure.of(ErrorKind.OPERATION_NOT_SUPPORTED, "unknown request kind `" + request.kind()
                    + "`; latchkey answers get, store, erase, list and status (login and logout as synonyms)");
        } catch (CredentialException e) {
            return e.toFailure();
        }
    }

    private Response get(Request.Get get, String onlyStore) throws CredentialException {
        if (get.operation() == Operation.UNKNOWN) {
            return Response.Failure.of(ErrorKind.OPERATION_NOT_SUPPORTED,
                    "unknown operation; latchkey hands out tokens for read, publish, yank, unyank and owners");
        }
        RegistryKey registry = resolver.resolve(get.registry());
        long now = clock.instant().getEpochSecond();
        CredentialException firstFailure = null;
        Long expiredAt = null;
        for (Store store : lookupOrder(registry, onlyStore)) {
            Optional<StoredToken> found;
            try {
                found = cache.get(store, registry, get.operation());
            } catch (CredentialException.Locked | CredentialException.Unavailable e) {
                // A locked store may hold the token: keep looking, but never call that "not found".
                firstFailure = firstFailure == null ? e : firstFailure;
                continue;
            }
            if (found.isEmpty()) {
                continue;
            }
            StoredToken token = found.get();
            if (token.expiration() != null && token.expiration() <= now) {
                expiredAt = expiredAt == null ? token.expiration() : expiredAt;
                token.secret().wipe();
                continue;
            }
            CacheControl cache = token.expiration() != null ? CacheControl.EXPIRES : CacheControl.SESSION;
            return new Response.Got(token.secret(), cache, token.expiration(), token.operations().isEmpty(), store.name());
        }
        if (firstFailure != null) {
            throw firstFailure;
        }
        if (expiredAt != null) {
            throw new CredentialException.NotFound("the token for `" + registry.displayName() + "` expired at "
                    + Instant.ofEpochSecond(expiredAt) + "; store a new one with `latchkey store " + registry.displayName() + "`");
        }
        throw new CredentialException.NotFound("no token for `" + registry.displayName() + "` in "
                + describe(lookupOrder(registry, onlyStore)) + "; log in with `cargo login --registry "
                + registry.displayName() + "` or `latchkey store " + registry.displayName() + "`");
    }

    private Response store(Request.Store request, String onlyStore) throws CredentialException {
        if (request.token() == null) {
            throw new CredentialException.BadRequest("missing field `token`");
        }
        RegistryKey registry = resolver.resolve(request.registry());
        Store target = storeTarget(registry, request.store() != null ? request.store() : onlyStore);
        long now = clock.instant().getEpochSecond();
        target.put(registry, new StoredToken(request.token(), request.operations(), request.expiration(), now, now));
        cache.forget(registry);
        return new Response.Stored(request.kind(), target.name());
    }

    private Response erase(Request.Erase request, String onlyStore) throws CredentialException {
        RegistryKey registry = resolver.resolve(request.registry());
        String named = request.store() != null ? request.store() : onlyStore;
        List<Store> candidates = named != null ? List.of(writableStore(named)) : writableInOrder(registry);
        for (Store store : candidates) {
            if (store.erase(registry)) {
                cache.forget(registry);
                return new Response.Erased(request.kind(), List.of(store.name()));
            }
        }
        throw new CredentialException.NotFound("no token for `" + registry.displayName() + "` to erase in "
                + describe(candidates));
    }

    private Response list(Request.ListTokens request) throws CredentialException {
        RegistryKey only = request.registry() == null ? null : resolver.resolve(request.registry());
        List<Response.TokenInfo> entries = new ArrayList<>();
        for (Store store : usable(config.storeOrder())) {
            for (StoreEntry e : store.list()) {
                if (only == null || only.indexUrl().equals(e.registry().indexUrl())) {
                    entries.add(new Response.TokenInfo(e.registry().indexUrl(), e.registry().name(), store.name(),
                            e.operations().stream().sorted(Comparator.naturalOrder()).toList(),
                            e.expiration(), e.created(), e.updated()));
                }
            }
        }
        return new Response.Listed(entries);
    }

    private Response status() throws CredentialException {
        List<Response.StoreStatus> report = new ArrayList<>();
        for (String name : StoreCatalog.ALL) {
            Store store = stores.named(name);
            StoreState state = store.diagnose();
            report.add(new Response.StoreStatus(name, state.usable(), state.usable() && store.writable(), state.detail()));
        }
        long uptime = clock.instant().getEpochSecond() - started.getEpochSecond();
        return new Response.StatusReport(version, ProcessHandle.current().pid(), uptime, report);
    }

    /** One token moved by {@link #importFromCargo()}. */
    public record Imported(RegistryKey registry, String store) {
    }

    /**
     * Moves every token in cargo's credentials file into the store a new token for its registry
     * would go to, then removes it from cargo's file (which silences cargo's warning about it).
     * Each token is written to its new store before it is erased from cargo's, so a failure
     * part-way loses nothing.
     */
    public List<Imported> importFromCargo() throws CredentialException {
        Store cargo = stores.named("cargo");
        List<Imported> moved = new ArrayList<>();
        long now = clock.instant().getEpochSecond();
        for (StoreEntry entry : cargo.list()) {
            RegistryKey registry = entry.registry();
            Store target = storeTarget(registry, null);
            if (target == cargo) {
                continue; // this registry is configured to keep its token in cargo's file
            }
            Optional<StoredToken> token = cargo.get(registry, Operation.READ);
            if (token.isPresent()) {
                target.put(registry, new StoredToken(token.get().secret(), token.get().operations(), null, now, now));
                cargo.erase(registry);
                cache.forget(registry);
                moved.add(new Imported(registry, target.name()));
            }
        }
        return moved;
    }

    /** The registry's own stores when configured, else the configured order; unusable ones dropped. */
    private List<Store> lookupOrder(RegistryKey registry, String onlyStore) throws CredentialException {
        if (onlyStore != null) {
            return List.of(usableStore(onlyStore));
        }
        return usable(configuredStores(registry).orElse(config.storeOrder()));
    }

    private Optional<List<String>> configuredStores(RegistryKey registry) {
        Optional<Config.RegistryConfig> configured = registry.name() != null ? config.registry(registry.name()) : Optional.empty();
        if (configured.isEmpty()) {
            configured = config.registryByIndex(registry.indexUrl());
        }
        return configured.isPresent() && !configured.get().stores().isEmpty() ? Optional.of(configured.get().stores()) : Optional.empty();
    }

    /**
     * Where a new token goes: the named store, else the registry's first writable configured
     * store, else the first usable writable store in the order, never cargo's file unless named
     * (cargo warns about every token it finds there for a registry with a provider).
     */
    private Store storeTarget(RegistryKey registry, String named) throws CredentialException {
        if (named != null) {
            return writableStore(named);
        }
        List<Store> candidates = writableInOrder(registry);
        if (candidates.isEmpty()) {
            throw new CredentialException.Unavailable("no writable store is usable; the file store needs a writable "
                    + "data directory (XDG_DATA_HOME); run `latchkey doctor` to see each store's state");
        }
        return candidates.get(0);
    }

    private List<Store> writableInOrder(RegistryKey registry) throws CredentialException {
        Optional<List<String>> configured = configuredStores(registry);
        List<Store> candidates = new ArrayList<>();
        for (Store store : usable(configured.orElse(config.storeOrder()))) {
            boolean allowed = configured.isPresent() || !store.name().equals("cargo");
            if (store.writable() && allowed) {
                candidates.add(store);
            }
        }
        return candidates;
    }

    private Store writableStore(String name) throws CredentialException {
        Store store = usableStore(name);
        if (!store.writable()) {
            throw new CredentialException.BadRequest("the " + name + " store is read-only; name a writable store such as file");
        }
        return store;
    }

    /** A store named by the caller: unusable is an error, since nothing else will be asked. */
    private Store usableStore(String name) throws CredentialException {
        Store store = stores.named(name);
        StoreState state = store.state();
        if (!state.usable()) {
            throw new CredentialException.Unavailable("the " + name + " store is not usable: " + state.detail());
        }
        return store;
    }

    private List<Store> usable(List<String> names) throws CredentialException {
        List<Store> result = new ArrayList<>();
        for (String name : names) {
            Store store = stores.named(name);
            if (store.state().usable()) {
                result.add(store);
            }
        }
        return result;
    }

    private static String describe(List<Store> searched) {
        return searched.isEmpty() ? "no usable store"
                : "the " + String.join(", ", searched.stream().map(Store::name).toList()) + " store" + (searched.size() > 1 ? "s" : "");
    }
}
