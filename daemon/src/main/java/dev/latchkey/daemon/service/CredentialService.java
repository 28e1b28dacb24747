package dev.latchkey.daemon.service;

import dev.latchkey.daemon.audit.AuditLog;
import dev.latchkey.daemon.config.Config;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.config.ConfigLoader;
import dev.latchkey.daemon.config.Durations;
import dev.latchkey.daemon.metadata.BookEntry;
import dev.latchkey.daemon.metadata.MetadataBook;
import dev.latchkey.daemon.registry.RegistryResolver;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.service.StoreCatalog;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.protocol.CacheControl;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.ErrorKind;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Request;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.Secret;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Serves one request: resolves the registry, picks the stores, asks them, keeps the metadata book
 * and the audit log. Every transport (cargo, stdio, the socket, the CLI) comes through here, so all
 * give the same answers. It never throws: every failure becomes a {@link Response.Failure}.
 *
 * <p>What a token's store knows of it (a token file keeps its expiry and operations, a keychain
 * item nothing) is completed from the metadata book for every writable store; read-only stores
 * (the environment, a command) are never looked up there, so their tokens cost no file read.
 */
public final class CredentialService {
    private final Config config;
    private final StoreCatalog stores;
    private final RegistryResolver resolver;
    private final Environment env;
    /** Resolvers for callers elsewhere than {@link #env} (the daemon's callers), the latest few kept. */
    private final Map<RegistryResolver.Scope, RegistryResolver> callerResolvers = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<RegistryResolver.Scope, RegistryResolver> eldest) {
                    return size() > 16;
                }
            });
    private final Clock clock;
    private final String version;
    private final Instant started;
    private final TokenCache cache;
    private final MetadataBook book;
    private final AuditLog audit;

    /**
     * @param cache what the daemon keeps of tokens read from slow stores
     * @param book  where each kept token's metadata lives
     * @param audit where each request is recorded
     */
    public CredentialService(Config config, StoreCatalog stores, RegistryResolver resolver, Environment env, Clock clock, String version,
                             TokenCache cache, MetadataBook book, AuditLog audit) {
        this.config = config;
        this.stores = stores;
        this.resolver = resolver;
        this.env = env;
        this.clock = clock;
        this.version = version;
        this.started = clock.instant();
        this.cache = cache;
        this.book = book;
        this.audit = audit;
    }

    /** The config this service answers with. */
    public Config config() {
        return config;
    }

    /**
     * Answers {@code request} and records it in the audit log. The context's {@code onlyStore},
     * when not null, is the one store to use (cargo's {@code --store} argument); a store named in
     * the request itself wins over it.
     */
    public Response handle(Request request, RequestContext context) {
        RegistryResolver resolver = resolverFor(context.callerEnvironment());
        Response response = answer(request, context.onlyStore(), resolver);
        String auditProblem = record(request, response, context, resolver);
        if (auditProblem != null && response instanceof Response.Got got) {
            return withWarning(got, auditProblem);
        }
        return response;
    }

    /**
     * The resolver for names as a caller in {@code caller} would look them up: in the cargo config
     * files around its working directory and its {@code CARGO_REGISTRIES_<NAME>_INDEX} variables.
     */
    private RegistryResolver resolverFor(Environment caller) {
        if (caller == null) {
            return resolver;
        }
        RegistryResolver.Scope scope = RegistryResolver.Scope.of(caller);
        if (scope.equals(resolver.scope())) {
            return resolver;
        }
        return callerResolvers.computeIfAbsent(scope, unused -> new RegistryResolver(config, caller));
    }

    private Response answer(Request request, String onlyStore, RegistryResolver resolver) {
        try {
            if (request instanceof Request.Get get) {
                return get(get, onlyStore, resolver);
            } else if (request instanceof Request.Store store) {
                return store(store, onlyStore, resolver);
            } else if (request instanceof Request.Rotate rotate) {
                return rotate(rotate, onlyStore, resolver);
            } else if (request instanceof Request.Erase erase) {
                return erase(erase, onlyStore, resolver);
            } else if (request instanceof Request.ListTokens list) {
                return list(list, resolver);
            } else if (request instanceof Request.Status) {
                return status();
            }
            return Response.Failure.of(ErrorKind.OPERATION_NOT_SUPPORTED, "unknown request kind `" + request.kind()
                    + "`; latchkey answers get, store, rotate, erase, list and status (login and logout as synonyms)");
        } catch (CredentialException e) {
            return e.toFailure();
        }
    }

    /** Appends the request's line to the audit log; returns what went wrong, for the caller to hear, or null. */
    private String record(Request request, Response response, RequestContext context, RegistryResolver resolver) {
        Caller caller = context.caller();
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", clock.instant().getEpochSecond()); // Unix seconds: formatting a date costs a cold JVM 10 ms
        line.put("kind", request.kind());
        Registry registry = request.registry();
        if (registry != null) {
            line.put("registry", registry.indexUrl() != null ? registry.indexUrl()
                    : resolver.indexOf(registry.name()).orElse(null));
            line.put("name", registry.name() != null ? registry.name()
                    : registry.indexUrl() != null ? resolver.nameOf(registry.indexUrl()).orElse(null) : null);
        }
        if (request instanceof Request.Get get) {
            line.put("operation", get.operation().wire());
        }
        line.put("store", storeOf(response));
        line.put("outcome", response instanceof Response.Failure failure ? failure.kind().wire() : "ok");
        line.put("pid", caller.pid());
        line.put("uid", caller.uid());
        line.put("exe", caller.executable());
        line.put("ppid", caller.parentPid());
        line.put("parent-exe", caller.parentExecutable());
        line.put("for-command", context.forCommand());
        try {
            audit.append(line);
            return null;
        } catch (IOException e) {
            return "could not write the audit log " + audit.path() + ": " + e.getMessage()
                    + "; check that latchkey's state directory is writable by you";
        }
    }

    private static String storeOf(Response response) {
        if (response instanceof Response.Got got) {
            return got.store();
        } else if (response instanceof Response.Stored stored) {
            return stored.store();
        } else if (response instanceof Response.Erased erased) {
            return String.join(",", erased.stores());
        } else if (response instanceof Response.Rotated rotated) {
            return String.join(",", rotated.stores());
        }
        return null;
    }

    private static Response.Got withWarning(Response.Got got, String warning) {
        List<String> warnings = new ArrayList<>(got.warnings());
        warnings.add(warning);
        return new Response.Got(got.token(), got.cache(), got.expiration(), got.operationIndependent(), got.store(), warnings);
    }

    private Response get(Request.Get get, String onlyStore, RegistryResolver resolver) throws CredentialException {
        if (get.operation() == Operation.UNKNOWN) {
            return Response.Failure.of(ErrorKind.OPERATION_NOT_SUPPORTED,
                    "unknown operation; latchkey hands out tokens for read, publish, yank, unyank and owners");
        }
        RegistryKey registry = resolver.resolve(get.registry());
        long now = clock.instant().getEpochSecond();
        CredentialException firstFailure = null;
        Long expiredAt = null;
        List<Store> order = lookupOrder(registry, onlyStore);
        MetadataBook.Page page = null;
        try {
            page = book.read();
        } catch (CredentialException unreadable) {
            // reported below, when a writable store hands out a token whose expiry it may hold
        }
        // A token limited to this operation beats one for every operation, whichever store holds
        // either; and with scoped tokens anywhere, cargo must ask again for each operation.
        boolean registryHasScopedTokens = page != null && page.hasScopedTokens(registry.indexUrl());
        if (registryHasScopedTokens) {
            order = scopedFirst(order, page.storesScopedTo(registry.indexUrl(), get.operation()));
        }
        for (Store store : order) {
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
            Optional<BookEntry> entry = Optional.empty();
            if (keepsMetadata(store)) {
                try {
                    page = page != null ? page : book.read();
                } catch (CredentialException e) {
                    token.secret().wipe(); // its expiry may be written there: never hand it out unread
                    throw e;
                }
                entry = page.entryFor(registry.indexUrl(), token.secret());
            }
            Lifetime life = Lifetime.of(token, entry);
            if (life.expiration() != null && life.expiration() <= now) {
                expiredAt = expiredAt == null ? life.expiration() : expiredAt;
                token.secret().wipe();
                continue;
            }
            List<String> warnings = new ArrayList<>();
            String caution = store.caution();
            if (caution != null) {
                warnings.add(caution);
            }
            Optional<String> due = rotationWarning(registry, life, now);
            if (due.isPresent()) {
                warnings.add(due.get());
            }
            if (keepsMetadata(store) && (entry.isEmpty() || MetadataBook.isStale(entry.get().lastUsed(), now)
                    || !entry.get().stores().contains(store.backend()))) {
                try {
                    book.used(registry, store.backend(), token.secret(), token.operations(), token.expiration(),
                            token.created(), token.updated(), now);
                } catch (CredentialException e) {
                    warnings.add("could not record that the token was used: " + e.getMessage());
                }
            }
            if (!token.serves(Operation.READ) && token.scopedSiblings()) {
                // cargo reads with whatever token its session keeps, so one that cannot read, beside one that
                // can, must not be kept
                return new Response.Got(token.secret(), CacheControl.NEVER, null, false, store.name(), warnings);
            }
            CacheControl cache = life.expiration() != null ? CacheControl.EXPIRES : CacheControl.SESSION;
            return new Response.Got(token.secret(), cache, life.expiration(),
                    token.operationIndependent() && !registryHasScopedTokens, store.name(), warnings);
        }
        if (firstFailure != null) {
            throw firstFailure;
        }
        if (expiredAt != null) {
            throw new CredentialException.NotFound("the token for `" + registry.displayName() + "` expired at "
                    + Instant.ofEpochSecond(expiredAt) + "; store a new one with `latchkey store " + registry.displayName() + "`");
        }
        throw new CredentialException.NotFound("no token for `" + registry.displayName() + "` in "
                + describe(order) + "; log in with `cargo login --registry "
                + registry.displayName() + "` or `latchkey store " + registry.displayName() + "`");
    }

    private Response store(Request.Store request, String onlyStore, RegistryResolver resolver) throws CredentialException {
        if (request.token() == null) {
            throw new CredentialException.BadRequest("missing field `token`");
        }
        RegistryKey registry = resolver.resolve(request.registry());
        Store target = storeTarget(registry, request.store() != null ? request.store() : onlyStore, request.operations());
        keep(target, registry, request.token(), request.operations(), request.expiration(), false);
        return new Response.Stored(request.kind(), target.name());
    }

    /**
     * Replaces the registry's token for the request's operations, wherever it lives: in every
     * writable store holding one (cargo's file only when named or configured for the registry), or
     * in the named store. The new token keeps the old one's {@code created} and is marked rotated.
     */
    private Response rotate(Request.Rotate request, String onlyStore, RegistryResolver resolver) throws CredentialException {
        if (request.token() == null) {
            throw new CredentialException.BadRequest("missing field `token`");
        }
        RegistryKey registry = resolver.resolve(request.registry());
        String named = request.store() != null ? request.store() : onlyStore;
        List<Store> holders = new ArrayList<>();
        for (Store store : named != null ? List.of(writableStore(named)) : everyWritableStore(registry)) {
            if (holds(store, registry, request.operations())) {
                holders.add(store);
            }
        }
        if (holders.isEmpty()) {
            String which = request.operations().isEmpty() ? "for every operation"
                    : "for " + String.join(",", request.operations().stream().sorted().map(Operation::wire).toList());
            throw new CredentialException.NotFound("no token " + which + " of `" + registry.displayName() + "` to rotate in "
                    + (named != null ? "the " + named + " store" : "a writable store")
                    + "; see `latchkey list`, name its operations with --operations, or store a first one with `latchkey store "
                    + registry.displayName() + "`");
        }
        List<String> rotated = new ArrayList<>();
        for (Store store : holders) {
            keep(store, registry, request.token(), request.operations(), request.expiration(), true);
            rotated.add(store.name());
        }
        return new Response.Rotated(rotated);
    }

    /**
     * Puts a token into {@code target} with its metadata: recorded in the book first, so that an
     * expiry a keychain item cannot hold is known before the token can be handed out; settled
     * after, or withdrawn when the store refused it.
     */
    private void keep(Store target, RegistryKey registry, Secret token, Set<Operation> operations, Long expiration,
                      boolean rotation) throws CredentialException {
        long now = clock.instant().getEpochSecond();
        boolean described = keepsMetadata(target);
        if (described) {
            book.recordStored(registry, target.backend(), token, operations, expiration, now, rotation);
        }
        try {
            target.put(registry, new StoredToken(token, operations, expiration, now, now));
        } catch (CredentialException | RuntimeException e) {
            if (described) {
                try {
                    book.withdraw(registry, target.backend(), token);
                } catch (CredentialException ignored) {
                    // an entry no store holds is never matched: the put's own failure is what to report
                }
            }
            throw e;
        } finally {
            cache.forget(registry);
        }
        if (described) {
            book.settle(registry, target.backend(), token, operations);
        }
    }

    private Response erase(Request.Erase request, String onlyStore, RegistryResolver resolver) throws CredentialException {
        RegistryKey registry = resolver.resolve(request.registry());
        String named = request.store() != null ? request.store() : onlyStore;
        List<Store> candidates = named != null ? List.of(writableStore(named))
                : request.allStores() ? everyWritableStore(registry) : writableInOrder(registry);
        List<String> erased = new ArrayList<>();
        for (Store store : candidates) {
            if (store.erase(registry)) {
                cache.forget(registry);
                forgetInBook(registry, store);
                erased.add(store.name());
                if (!request.allStores()) {
                    break;
                }
            }
        }
        if (erased.isEmpty()) {
            throw new CredentialException.NotFound("no token for `" + registry.displayName() + "` to erase in "
                    + describe(candidates));
        }
        return new Response.Erased(request.kind(), erased);
    }

    /** The token is gone; an entry left behind would only describe a token no store holds, so a failure here is not the caller's. */
    private void forgetInBook(RegistryKey registry, Store store) {
        if (!keepsMetadata(store)) {
            return;
        }
        try {
            book.erased(registry, store.backend());
        } catch (CredentialException e) {
            // a stale entry is matched by no token (see MetadataBook): harmless
        }
    }

    /** Whether {@code store} holds a token of {@code registry} for exactly {@code operations}. */
    private static boolean holds(Store store, RegistryKey registry, Set<Operation> operations) throws CredentialException {
        for (StoreEntry e : store.list()) {
            if (e.registry().indexUrl().equals(registry.indexUrl()) && e.operations().equals(operations)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Every usable writable store, each backend once (the {@code keychain} is {@code libsecret} here),
     * for revoking or rotating a token wherever it is: cargo's file only when the registry's
     * configured stores name it, since latchkey touches that file only when told to.
     */
    private List<Store> everyWritableStore(RegistryKey registry) throws CredentialException {
        boolean cargoAllowed = configuredStores(registry).map(list -> list.contains("cargo")).orElse(false);
        Set<String> backends = new HashSet<>();
        List<Store> result = new ArrayList<>();
        for (Store store : usable(StoreCatalog.ALL)) {
            if (store.writable() && (cargoAllowed || !store.name().equals("cargo")) && backends.add(store.backend())) {
                result.add(store);
            }
        }
        return result;
    }

    private Response list(Request.ListTokens request, RegistryResolver resolver) throws CredentialException {
        RegistryKey only = request.registry() == null ? null : resolver.resolve(request.registry());
        long now = clock.instant().getEpochSecond();
        MetadataBook.Page page = book.read();
        List<Response.TokenInfo> entries = new ArrayList<>();
        for (Store store : everyStoreLookedIn(page)) {
            for (StoreEntry e : store.list()) {
                if (only == null || only.indexUrl().equals(e.registry().indexUrl())) {
                    Optional<BookEntry> entry = keepsMetadata(store)
                            ? page.entryFilling(e.registry().indexUrl(), store.backend(), e.operations()) : Optional.empty();
                    Lifetime life = Lifetime.of(e, entry);
                    entries.add(new Response.TokenInfo(e.registry().indexUrl(), e.registry().name(), store.name(),
                            e.operations().stream().sorted(Comparator.naturalOrder()).toList(),
                            life.expiration(), life.created(), life.updated(), life.lastUsed(), life.rotated(),
                            rotationWarning(e.registry(), life, now).isPresent()));
                }
            }
        }
        return new Response.Listed(entries);
    }

    /**
     * Every usable store latchkey would look in for some registry, each backend once (the
     * {@code keychain} is {@code libsecret} here): the lookup order, each configured registry's own
     * stores, and the stores the metadata book says hold a token (one stored with {@code --store NAME}).
     */
    private List<Store> everyStoreLookedIn(MetadataBook.Page page) throws CredentialException {
        Set<String> names = new LinkedHashSet<>(config.storeOrder());
        for (String registry : config.registries().keySet().stream().sorted().toList()) {
            names.addAll(config.registries().get(registry).stores());
        }
        for (BookEntry entry : page.entries()) {
            names.addAll(entry.stores());
        }
        names.retainAll(ConfigLoader.STORE_NAMES); // a book edited by hand may name anything
        Set<String> backends = new HashSet<>();
        List<Store> result = new ArrayList<>();
        for (Store store : usable(List.copyOf(names))) {
            if (backends.add(store.backend())) {
                result.add(store);
            }
        }
        return result;
    }

    /**
     * Whether the metadata book describes {@code store}'s tokens: those of stores that latchkey
     * writes and that outlive the process. Read-only stores (the environment, a command) are never
     * looked up there, and the memory store keeps what it knows itself.
     */
    private static boolean keepsMetadata(Store store) {
        return store.writable() && store.persistent();
    }

    /** The warning a token due for rotation carries, if it is due: older than its registry's {@code rotate-after}. */
    private Optional<String> rotationWarning(RegistryKey registry, Lifetime life, long now) {
        Duration limit = config.rotateAfter(registry.name());
        Long since = life.updated() != null ? life.updated() : life.created();
        if (limit.isZero() || since == null || now - since <= limit.toSeconds()) {
            return Optional.empty();
        }
        return Optional.of("the token for `" + registry.displayName() + "` is " + Durations.format(Duration.ofSeconds(now - since))
                + " old, past rotate-after (" + Durations.format(limit) + "): get a new one from the registry and run `latchkey rotate "
                + registry.displayName() + "`");
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
    public List<Imported> importFromCargo(RequestContext context) throws CredentialException {
        Store cargo = stores.named("cargo");
        List<Imported> moved = new ArrayList<>();
        for (StoreEntry entry : cargo.list()) {
            RegistryKey registry = entry.registry();
            Store target = storeTarget(registry, null, entry.operations());
            if (target == cargo) {
                continue; // this registry is configured to keep its token in cargo's file
            }
            Optional<StoredToken> token = cargo.get(registry, Operation.READ);
            if (token.isPresent()) {
                try (Secret secret = token.get().secret()) {
                    keep(target, registry, secret, token.get().operations(), null, false);
                }
                cargo.erase(registry);
                forgetInBook(registry, cargo);
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
    private Store storeTarget(RegistryKey registry, String named, Set<Operation> operations) throws CredentialException {
        if (named != null) {
            return writableStore(named);
        }
        List<Store> candidates = writableInOrder(registry);
        if (candidates.isEmpty()) {
            throw new CredentialException.Unavailable("no writable store is usable; the file store needs a writable "
                    + "data directory (XDG_DATA_HOME); run `latchkey doctor` to see each store's state");
        }
        if (operations.isEmpty()) {
            return candidates.get(0);
        }
        // A keychain item or cargo's file would hand a scoped token out for every operation: skip them.
        for (Store store : candidates) {
            if (store.keepsScopedTokens()) {
                return store;
            }
        }
        throw new CredentialException.BadRequest(describe(candidates) + " cannot keep a token limited to "
                + "some operations (each holds one token per registry, as cargo's own providers do); name the file or "
                + "encrypted store (`--store file`), or add it to this registry's `stores`");
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

    /** {@code order} with the stores named in {@code first} (by backend) ahead of the others, each group in its order. */
    private static List<Store> scopedFirst(List<Store> order, Set<String> first) {
        List<Store> ahead = new ArrayList<>();
        List<Store> behind = new ArrayList<>();
        for (Store store : order) {
            (first.contains(store.backend()) ? ahead : behind).add(store);
        }
        ahead.addAll(behind);
        return ahead;
    }

    private static String describe(List<Store> searched) {
        return searched.isEmpty() ? "no usable store"
                : "the " + String.join(", ", searched.stream().map(Store::name).toList()) + " store" + (searched.size() > 1 ? "s" : "");
    }
}
