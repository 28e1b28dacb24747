package dev.latchkey.daemon.service;

import dev.latchkey.daemon.audit.AuditLog;
import dev.latchkey.daemon.config.Config;
import dev.latchkey.daemon.config.Durations;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.config.Locations;
import dev.latchkey.daemon.config.StoreId;
import dev.latchkey.daemon.metadata.BookEntry;
import dev.latchkey.daemon.metadata.MetadataBook;
import dev.latchkey.daemon.registry.RegistryResolver;
import dev.latchkey.daemon.registry.TrustedNames;
import dev.latchkey.daemon.store.CredentialKey;
import dev.latchkey.daemon.store.LoginKey;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.Store;
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

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Serves one request of the latchkey protocol (cargo's too): resolves the registry, asks the
 * stores {@link StorePlan} picks through {@link StoreAccess}, and records the request in the audit
 * log. Every front door comes through here or through {@link #logins()}, so all give the same
 * answers. Every failure becomes a {@link Response.Failure}; the one exception, in the daemon, is a
 * request that would read a token variable only its caller can ({@link TokenVariableWithheld}).
 */
public final class CredentialService {
    private final Config config;
    private final StoreCatalog stores;
    private final StorePlan plan;
    private final StoreAccess access;
    private final RegistryResolver resolver;
    private final Environment env;
    /** Resolvers for callers elsewhere than {@link #env} (the daemon's callers), the latest few kept. */
    private final Map<RegistryResolver.Scope, RegistryResolver> callerResolvers = Collections.synchronizedMap(
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
    private final AuditLog audit;
    private final Logins logins;

    /**
     * @param cache what the daemon keeps of tokens read from slow stores
     * @param book  where each kept token's metadata lives
     * @param audit where each request is recorded
     */
    public CredentialService(Config config, StoreCatalog stores, RegistryResolver resolver, Environment env, Clock clock, String version,
                             TokenCache cache, MetadataBook book, AuditLog audit) {
        this.config = config;
        this.stores = stores;
        this.plan = new StorePlan(config, stores);
        this.access = new StoreAccess(book, cache, clock);
        this.resolver = resolver;
        this.env = env;
        this.clock = clock;
        this.version = version;
        this.started = clock.instant();
        this.audit = audit;
        this.logins = new Logins(config, plan, access, audit);
    }

    /** The config this service answers with. */
    public Config config() {
        return config;
    }

    /** The logins of git, docker, pip and pnpm, kept by the same stores, book and audit log. */
    public Logins logins() {
        return logins;
    }

    /**
     * Answers {@code request} and records it in the audit log. The context's {@code onlyStore},
     * when not null, is the one store to use (cargo's {@code --store} argument); a store named in
     * the request itself wins over it.
     */
    public Response handle(Request request, RequestContext context) {
        RegistryResolver resolver = resolverFor(context.callerEnvironment());
        Response response = answer(request, context, resolver);
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
        if (caller == null || caller == env) {
            return resolver; // a process serving itself: comparing scopes (records) would link their equals at run time
        }
        RegistryResolver.Scope scope = RegistryResolver.Scope.of(caller);
        if (scope.equals(resolver.scope())) {
            return resolver;
        }
        return callerResolvers.computeIfAbsent(scope, unused -> new RegistryResolver(config, caller));
    }

    private Response answer(Request request, RequestContext context, RegistryResolver resolver) {
        try {
            if (request instanceof Request.Get get) {
                return get(get, context, resolver);
            } else if (request instanceof Request.Store store) {
                return store(store, context, resolver);
            } else if (request instanceof Request.Rotate rotate) {
                return rotate(rotate, context, resolver);
            } else if (request instanceof Request.Erase erase) {
                return erase(erase, context, resolver);
            } else if (request instanceof Request.ListTokens list) {
                return list(list, context, resolver);
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
        return AuditLines.append(audit, line, context);
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

    private Response get(Request.Get get, RequestContext context, RegistryResolver resolver) throws CredentialException {
        if (get.operation() == Operation.UNKNOWN) {
            return Response.Failure.of(ErrorKind.OPERATION_NOT_SUPPORTED,
                    "unknown operation; latchkey hands out tokens for read, publish, yank, unyank and owners");
        }
        RegistryKey registry = resolver.resolve(get.registry());
        MetadataBook.Page page = access.bookOrNull(context.batch().arrival());
        List<Store> order = plan.lookup(registry, context.onlyStore(), page);
        // A token limited to this operation beats one for every operation, whichever store holds
        // either; and with scoped tokens anywhere, cargo must ask again for each operation.
        boolean registryHasScopedTokens = page != null && page.hasScopedTokens(registry.indexUrl());
        if (registryHasScopedTokens) {
            order = StorePlan.ahead(order, page.storesScopedTo(registry.indexUrl(), get.operation()));
        }
        // The stores ahead of one that reads a variable only the caller has are read here all the same.
        int readable = StorePlan.readableHere(order, registry, context.withheldTokenVariables());
        StoreAccess.Outcome outcome = access.find(order.subList(0, readable), registry, get.operation(), page,
                context.batch().arrival());
        StoreAccess.Found found = outcome.found();
        if (found == null && readable < order.size()) {
            throw StorePlan.withheld(registry);
        }
        if (found == null) {
            if (outcome.expiredAt() != null) {
                throw new CredentialException.NotFound("the token for `" + registry.displayName() + "` expired at "
                        + Instant.ofEpochSecond(outcome.expiredAt()) + "; store a new one with `latchkey store "
                        + registry.displayName() + "`");
            }
            throw new CredentialException.NotFound("no token for `" + registry.displayName() + "` in "
                    + plan.describeLookup(order) + "; " + howToStore(registry));
        }
        StoredToken token = found.token();
        List<String> warnings = new ArrayList<>();
        String caution = found.store().diagnose(false).caution();
        if (caution != null) {
            warnings.add(caution);
        }
        String due = rotationWarning(config, registry, found.life(), access.now());
        if (due != null) {
            warnings.add(due);
        }
        String unrecorded = access.used(registry, found);
        if (unrecorded != null) {
            warnings.add(unrecorded);
        }
        String store = found.store().id().configName();
        if (!token.serves(Operation.READ) && token.scopedSiblings()) {
            // cargo reads with whatever token its session keeps, so one that cannot read, beside one that
            // can, must not be kept
            return new Response.Got(token.secret(), CacheControl.NEVER, null, false, store, warnings);
        }
        Long expiration = found.life().expiration();
        return new Response.Got(token.secret(), expiration != null ? CacheControl.EXPIRES : CacheControl.SESSION, expiration,
                token.operationIndependent() && !registryHasScopedTokens, store, warnings);
    }

    /** How a token for {@code registry} is stored: cargo logs in by name with {@code --registry}, by URL with {@code --index}. */
    private static String howToStore(RegistryKey registry) {
        return registry.name() != null
                ? "store one with `latchkey store " + registry.name() + "` or `cargo login --registry " + registry.name() + "`"
                : "store one with `latchkey store " + registry.indexUrl() + "` or `cargo login --index " + registry.indexUrl() + "`";
    }

    private Response store(Request.Store request, RequestContext context, RegistryResolver resolver) throws CredentialException {
        if (request.token() == null) {
            throw new CredentialException.BadRequest("missing field `token`");
        }
        RegistryKey registry = resolver.resolve(request.registry());
        Store target = plan.target(registry, request.store() != null ? request.store() : context.onlyStore(), request.operations());
        access.keep(target, registry, request.token(), request.operations(), request.expiration(), false);
        return new Response.Stored(request.kind(), target.id().configName());
    }

    /**
     * Replaces the registry's token for the request's operations wherever a lookup finds one: in
     * every writable store holding one (cargo's file only when named or configured for the
     * registry), or in the named store. The new token keeps the old one's {@code created} and is
     * marked rotated.
     */
    private Response rotate(Request.Rotate request, RequestContext context, RegistryResolver resolver) throws CredentialException {
        if (request.token() == null) {
            throw new CredentialException.BadRequest("missing field `token`");
        }
        RegistryKey registry = resolver.resolve(request.registry());
        String named = request.store() != null ? request.store() : context.onlyStore();
        List<Store> holders = new ArrayList<>();
        for (Store store : named != null ? List.of(plan.writableStore(named))
                : plan.writable(registry, access.bookOrNull(context.batch().arrival()))) {
            if (holds(store, registry, request.operations(), context)) {
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
            access.keep(store, registry, request.token(), request.operations(), request.expiration(), true);
            rotated.add(store.id().configName());
        }
        return new Response.Rotated(rotated);
    }

    /** Whether {@code store} holds a token of {@code registry} for exactly {@code operations}. */
    private boolean holds(Store store, RegistryKey registry, Set<Operation> operations, RequestContext context)
            throws CredentialException {
        boolean held = false;
        for (StoredToken token : access.get(store, registry, context.batch().arrival())) {
            held |= token.operations().equals(operations);
            token.secret().wipe();
        }
        return held;
    }

    /**
     * Forgets the registry's token: in the named store; else in the first writable store of a
     * lookup that holds one (the one {@code get} would have answered from, cargo's file only when
     * configured), or with {@code allStores} in every one.
     */
    private Response erase(Request.Erase request, RequestContext context, RegistryResolver resolver) throws CredentialException {
        RegistryKey registry = resolver.resolve(request.registry());
        String named = request.store() != null ? request.store() : context.onlyStore();
        List<Store> candidates = named != null ? List.of(plan.writableStore(named))
                : plan.writable(registry, access.bookOrNull(context.batch().arrival()));
        List<String> erased = new ArrayList<>();
        for (Store store : candidates) {
            if (access.erase(store, registry)) {
                erased.add(store.id().configName());
                if (!request.allStores()) {
                    break;
                }
            }
        }
        if (erased.isEmpty()) {
            throw new CredentialException.NotFound("no token for `" + registry.displayName() + "` to erase in "
                    + plan.describeLookup(candidates));
        }
        return new Response.Erased(request.kind(), erased);
    }

    /**
     * Every credential a lookup can find, in every store some lookup visits; a store that cannot be
     * read (locked, say) is reported with its fix, and the others are listed all the same.
     */
    private Response list(Request.ListTokens request, RequestContext context, RegistryResolver resolver) throws CredentialException {
        RegistryKey only = request.registry() == null ? null : resolver.resolve(request.registry());
        long now = access.now();
        MetadataBook.Page page = access.book(context.batch().arrival());
        List<Response.TokenInfo> entries = new ArrayList<>();
        List<Response.Unreadable> unreadable = new ArrayList<>();
        List<Store> stores = plan.everyVisited(page);
        StorePlan.listableHere(stores, context.withheldTokenVariables());
        for (Store store : stores) {
            List<StoreEntry> held;
            try {
                held = access.list(store, context.batch().arrival());
            } catch (CredentialException e) {
                unreadable.add(new Response.Unreadable(store.id().configName(), e.kind(), e.getMessage()));
                continue;
            }
            for (StoreEntry e : held) {
                if (only != null && !only.equals(e.key()) || !plan.visits(e.key(), store, page)) {
                    continue;
                }
                Optional<BookEntry> entry = StoreAccess.entryFilling(page, e.key(), store, e.operations());
                Lifetime life = Lifetime.of(e, entry);
                RegistryKey registry = e.key() instanceof RegistryKey r ? r : null;
                entries.add(new Response.TokenInfo(registry != null ? registry.indexUrl() : null, registry != null ? registry.name() : null,
                        e.key() instanceof LoginKey login ? login.displayName() : null, store.id().configName(),
                        e.operations().stream().sorted(Comparator.naturalOrder()).toList(),
                        life.expiration(), life.created(), life.updated(), life.lastUsed(), life.rotated(),
                        rotationWarning(config, e.key(), life, now) != null));
            }
        }
        return new Response.Listed(entries, unreadable);
    }

    /**
     * The warning a token or login due for rotation carries, if it is due (older than its
     * registry's {@code rotate-after}, a login's the default one); null when it is not.
     */
    static String rotationWarning(Config config, CredentialKey key, Lifetime life, long now) {
        Duration limit = config.rotateAfter(key instanceof RegistryKey registry ? registry.name() : null);
        Long since = life.updated() != null ? life.updated() : life.created();
        if (limit.isZero() || since == null || now - since <= limit.toSeconds()) {
            return null;
        }
        String age = Durations.format(Duration.ofSeconds(now - since));
        if (key instanceof LoginKey) {
            return "the login for `" + key.displayName() + "` is " + age + " old, past rotate-after (" + Durations.format(limit)
                    + "): get a new password or token from the site and run `latchkey rotate --login " + key.displayName() + "`";
        }
        return "the token for `" + key.displayName() + "` is " + age + " old, past rotate-after (" + Durations.format(limit)
                + "): get a new one from the registry and run `latchkey rotate " + key.displayName() + "`";
    }

    private Response status() {
        List<Response.StoreStatus> report = new ArrayList<>();
        for (StoreId id : StoreId.values()) {
            Store store = stores.get(id);
            StoreState state = store.diagnose(true);
            report.add(new Response.StoreStatus(id.configName(), state.usable(), state.usable() && store.capabilities().writable(),
                    state.detail()));
        }
        long uptime = clock.instant().getEpochSecond() - started.getEpochSecond();
        return new Response.StatusReport(version, ProcessHandle.current().pid(), uptime, report);
    }

    /** What {@link #importFromCargo} did: the tokens moved, and why each other one was left where it is. */
    public record ImportReport(List<Imported> moved, List<String> leftAlone) {
    }

    /** One token moved by {@link #importFromCargo}: its registry, as people are shown it, and the store it went to. */
    public record Imported(String registry, String store) {
    }

    /**
     * Moves every token in cargo's credentials file into the store a new token for its registry
     * would go to, then removes it from cargo's file (which silences cargo's warning about it).
     * Each token is written to its new store before it is erased from cargo's, so a failure
     * part-way loses nothing. A registry's name is taken to mean only the index URL the user bound
     * it to ({@link TrustedNames}): a project checkout that binds a name to its own index URL must
     * not have the user's token filed under it, so such a token is left alone, and said so.
     */
    public ImportReport importFromCargo(RequestContext context) throws CredentialException {
        Store cargo = stores.get(StoreId.CARGO);
        TrustedNames trusted = new TrustedNames(config, new Locations(env).cargoHome());
        List<Imported> moved = new ArrayList<>();
        List<String> leftAlone = new ArrayList<>();
        for (StoreEntry entry : access.list(cargo, context.batch().arrival())) {
            RegistryKey listed = (RegistryKey) entry.key();
            Optional<String> index = trusted.indexOf(listed.name());
            if (index.isEmpty()) {
                leftAlone.add("`" + listed.name() + "`: no index URL is bound to that name in " + TrustedNames.PLACES
                        + "; bind it there, then import again");
                continue;
            }
            if (!index.get().equals(listed.indexUrl())) {
                leftAlone.add("`" + listed.name() + "`: the cargo config around " + env.workingDirectory()
                        + " binds it to " + listed.indexUrl() + ", not to " + index.get() + " as " + TrustedNames.PLACES
                        + " does; import from another directory");
                continue;
            }
            RegistryKey registry = new RegistryKey(index.get(), listed.name());
            Store target = plan.target(registry, null, entry.operations());
            if (target == cargo) {
                continue; // this registry is configured to keep its token in cargo's file
            }
            List<StoredToken> tokens = access.get(cargo, registry, context.batch().arrival());
            for (StoredToken token : tokens) {
                try (Secret secret = token.secret()) {
                    access.keep(target, registry, secret, token.operations(), null, false);
                }
            }
            if (!tokens.isEmpty()) {
                access.erase(cargo, registry);
                moved.add(new Imported(registry.displayName(), target.id().configName()));
            }
        }
        return new ImportReport(moved, leftAlone);
    }
}
