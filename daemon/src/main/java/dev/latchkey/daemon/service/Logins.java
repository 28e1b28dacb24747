package dev.latchkey.daemon.service;

import dev.latchkey.daemon.audit.AuditLog;
import dev.latchkey.daemon.config.Config;
import dev.latchkey.daemon.metadata.BookEntry;
import dev.latchkey.daemon.metadata.MetadataBook;
import dev.latchkey.daemon.store.CredentialKey;
import dev.latchkey.daemon.store.LoginKey;
import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Secret;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The logins of the other clients' front doors (git, docker, pip, pnpm): found, kept and erased
 * in the same stores, with the same metadata book, cache and audit log as registry tokens, and
 * the same rule for where a lookup looks ({@link StorePlan}). A login is never a registry's token
 * and a registry's token never a login, so no front door can be handed another's secret.
 *
 * <p>A {@link Query} matches a login as git's own helpers match: each part the query gives must be
 * the login's; a part it leaves out matches anything (a query without a user name finds the
 * site's login whatever its user). The clients that name a site without a scheme or path (docker,
 * pip by its netloc) or that keep a login without a user name (pnpm's token) ask with
 * {@link Query#site} or {@link Query#exactly}, where a part left out must be absent from the login
 * too: a docker registry's login is never git's login for a repository on the same host.
 */
public final class Logins {
    private final Config config;
    private final StorePlan plan;
    private final StoreAccess access;
    private final AuditLog audit;

    Logins(Config config, StorePlan plan, StoreAccess access, AuditLog audit) {
        this.config = config;
        this.plan = plan;
        this.access = access;
        this.audit = audit;
    }

    /**
     * A login as a front door names it: the site (a scheme, or null when its client gives none; the
     * host with its port; a path without its leading {@code /}, or null for the whole site) and the
     * user name, or null. Checked and normalised (scheme and host lower case) as the stores key
     * logins, so a door never needs the store's own key type.
     */
    public record Login(String protocol, String host, String path, String username) {
        /** @throws IllegalArgumentException for a part no key can hold (a host with {@code /} or {@code @}, a control character) */
        public Login {
            LoginKey key = new LoginKey(protocol, host, path, username);
            protocol = key.protocol();
            host = key.host();
            path = key.path();
            username = key.username();
        }

        static Login of(LoginKey key) {
            return new Login(key.protocol(), key.host(), key.path(), key.username());
        }

        LoginKey key() {
            return new LoginKey(protocol, host, path, username);
        }

        /** How the audit log and {@code latchkey list} name it: {@code https://alice@git.example/team}, never a secret. */
        public String displayName() {
            return key().displayName();
        }
    }

    /**
     * What a front door asks for: a site's host (required), and, when its client gives them, the
     * scheme, the path and the user name; {@code omitted} says what a part left out (null) means.
     */
    public record Query(String protocol, String host, String path, String username, Omitted omitted) {
        /** What a part a query leaves out (null) asks for. */
        public enum Omitted {
            /** Any value: git's rule. */
            ANY,
            /**
             * Any value, but a user name left out matches only a login that has one: git's rule among
             * the logins git could have kept (it keeps none without a user name; pnpm's token for a
             * registry on the same host is not git's to send).
             */
            ANY_WITH_A_USER,
            /** A scheme or path left out is absent from the login (the site is exactly the one given); a user name left out is any. */
            ABSENT_FROM_SITE,
            /** Absent from the login, whichever part it is: the query names one login. */
            ABSENT
        }

        /** A query whose parts left out match anything, as git's helpers match. */
        public Query(String protocol, String host, String path, String username) {
            this(protocol, host, path, username, Omitted.ANY);
        }

        /** The login exactly this query names, with no part left open. */
        public static Query of(Login key) {
            return new Query(key.protocol(), key.host(), key.path(), key.username());
        }

        /** The logins git's helpers would match, among those with a user name ({@link Omitted#ANY_WITH_A_USER}). */
        public static Query ofGit(String protocol, String host, String path, String username) {
            return new Query(protocol, host, path, username, Omitted.ANY_WITH_A_USER);
        }

        /** The logins of exactly the site {@code protocol://host/path} (null: without a scheme, without a path), of {@code username} or, when null, of any user. */
        public static Query site(String protocol, String host, String path, String username) {
            return new Query(protocol, host, path, username, Omitted.ABSENT_FROM_SITE);
        }

        /** The one login {@code key}: a part it lacks must be absent from the login too. */
        public static Query exactly(Login key) {
            return new Query(key.protocol(), key.host(), key.path(), key.username(), Omitted.ABSENT);
        }

        /** Whether {@code key} is a login this query asks for. */
        boolean matches(LoginKey key) {
            LoginKey self = asKey();
            if (!self.host().equals(key.host())) {
                return false;
            }
            boolean siteExact = omitted != Omitted.ANY && omitted != Omitted.ANY_WITH_A_USER;
            if (omitted == Omitted.ANY_WITH_A_USER && key.username() == null) {
                return false;
            }
            return part(self.protocol(), key.protocol(), siteExact)
                    && part(self.path(), key.path(), siteExact)
                    && part(self.username(), key.username(), omitted == Omitted.ABSENT);
        }

        private static boolean part(String asked, String held, boolean absentMeansAbsent) {
            return asked == null ? !absentMeansAbsent || held == null : asked.equals(held);
        }

        /** Whether this query names one login, which a store can be asked for without listing it. */
        boolean namesOneLogin() {
            return omitted == Omitted.ABSENT || (username != null && (omitted == Omitted.ABSENT_FROM_SITE
                    || (protocol != null && path != null)));
        }

        /** The query as a key, normalised as keys are (scheme and host lower case). */
        LoginKey asKey() {
            return new LoginKey(protocol, host, path, username);
        }
    }

    /**
     * A login found: its key (with the user name), its password or token, its expiry (or null), the
     * store that gave it, and what its user should be told with it (it is past {@code rotate-after},
     * its store warns, its use could not be recorded), for a client that shows its helper's stderr.
     */
    public record Found(Login login, Secret secret, Long expiration, String store, List<String> warnings) {
    }

    /**
     * The first login {@code query} matches, in lookup order; empty when none. A store that is
     * locked or unavailable may hold it: the others are still asked, and when none has it that
     * failure is thrown, never "not found". {@code client} names the front door in the audit log.
     */
    public Optional<Found> find(String client, Query query, RequestContext context) throws CredentialException {
        return find(client, List.of(query), context);
    }

    /**
     * The first login the first of {@code queries} matches, else the first the second matches, and
     * so on: one request of a client that names a credential several ways, most specific first (pip
     * asks by the index URL, then by its host), recorded as one line naming the first query.
     */
    public Optional<Found> find(String client, List<Query> queries, RequestContext context) throws CredentialException {
        return Optional.ofNullable(lookUp(client, queries, context).found());
    }

    /**
     * What a lookup came to: the login found, or null; and when none was, when the newest login the
     * queries matched but that was not handed out because it had expired expired (or null), so that
     * its client can be told why it is asked for a password again.
     */
    public record Lookup(Found found, Long expiredAt) {
    }

    /** {@link #find(String, List, RequestContext)}, saying also when a matching login expired ({@link Lookup}). */
    public Lookup lookUp(String client, List<Query> queries, RequestContext context) throws CredentialException {
        Lookup lookup = new Lookup(null, null);
        String outcome = "not-found";
        try {
            for (int i = 0; i < queries.size() && lookup.found() == null; i++) {
                Lookup next = lookup(queries.get(i), context);
                lookup = new Lookup(next.found(), later(lookup.expiredAt(), next.expiredAt()));
            }
            outcome = lookup.found() != null ? "ok" : outcome;
            return lookup;
        } catch (CredentialException e) {
            outcome = e.kind().wire();
            throw e;
        } finally {
            record(client + "-get", queries.get(0).asKey(), lookup.found() != null ? lookup.found().store() : null, outcome, context);
        }
    }

    private static Long later(Long a, Long b) {
        return a == null ? b : b == null ? a : Long.valueOf(Math.max(a, b));
    }

    private Lookup lookup(Query query, RequestContext context) throws CredentialException {
        MetadataBook.Page page = access.bookOrNull(context.batch().arrival());
        CredentialException firstFailure = null;
        Long expiredAt = null;
        for (Store store : plan.lookup(query.asKey(), context.onlyStore(), holders(page, query))) {
            List<LoginKey> candidates;
            try {
                candidates = candidates(store, query, context);
            } catch (CredentialException.Locked | CredentialException.Unavailable e) {
                firstFailure = firstFailure == null ? e : firstFailure;
                continue;
            }
            for (LoginKey key : candidates) {
                StoreAccess.Outcome outcome;
                try {
                    outcome = access.find(List.of(store), key, Operation.READ, page, context.batch().arrival());
                } catch (CredentialException.Locked | CredentialException.Unavailable e) {
                    firstFailure = firstFailure == null ? e : firstFailure;
                    break;
                }
                StoreAccess.Found found = outcome.found();
                if (found != null) {
                    List<String> warnings = new ArrayList<>();
                    String caution = store.diagnose(false).caution();
                    if (caution != null) {
                        warnings.add(caution);
                    }
                    String due = CredentialService.rotationWarning(config, key, found.life(), access.now());
                    if (due != null) {
                        warnings.add(due);
                    }
                    String unrecorded = access.used(key, found);
                    if (unrecorded != null) {
                        warnings.add(unrecorded);
                    }
                    return new Lookup(new Found(Login.of(key), found.token().secret(), found.life().expiration(), store.id().configName(),
                            List.copyOf(warnings)), null);
                }
                expiredAt = later(expiredAt, outcome.expiredAt());
            }
        }
        if (firstFailure != null) {
            throw firstFailure;
        }
        return new Lookup(null, expiredAt);
    }

    /**
     * The logins of {@code store} that {@code query} may mean: the one it names, when it names one;
     * else those the store lists that it matches.
     */
    private List<LoginKey> candidates(Store store, Query query, RequestContext context) throws CredentialException {
        if (query.namesOneLogin()) {
            return List.of(query.asKey());
        }
        List<LoginKey> matching = new ArrayList<>();
        Set<String> seen = new HashSet<>(); // by canonical form: a record's generated equals has no place on a read
        for (StoreEntry entry : access.list(store, context.batch().arrival())) {
            if (entry.key() instanceof LoginKey login && query.matches(login) && seen.add(login.canonical())) {
                matching.add(login);
            }
        }
        return matching;
    }

    /** The stores the book says hold a login {@code query} matches. */
    private static Set<String> holders(MetadataBook.Page page, Query query) {
        Set<String> stores = new HashSet<>();
        if (page != null) {
            for (BookEntry entry : page.entries()) {
                if (entry.key().startsWith(LoginKey.PREFIX)) {
                    Optional<LoginKey> key = LoginKey.tryParse(entry.key());
                    if (key.isPresent() && query.matches(key.get())) {
                        stores.addAll(entry.stores());
                    }
                }
            }
        }
        return stores;
    }

    /**
     * Keeps {@code secret} as the login {@code key}, in the store a new login goes to (the one the
     * context names, or the first writable one of the order that keeps logins); the store's name.
     * Clients store again after every success (git does): the same secret already kept there is
     * left as it is, with nothing written, when {@code expiration} is the one it has, or none is
     * given and the one it has has not passed (git before 2.40 passes no expiry on, and must not
     * clear latchkey's; a password typed again after its expiry, and taken, has none).
     */
    public String store(String client, Login login, Secret secret, Long expiration, RequestContext context)
            throws CredentialException {
        LoginKey key = login.key();
        String outcome = "ok";
        String kept = null;
        try {
            Store target = plan.target(key, context.onlyStore(), Set.of());
            kept = target.id().configName();
            if (!alreadyHolds(target, key, secret, expiration, context)) {
                access.keep(target, key, secret, Set.of(), expiration, false);
            }
            return kept;
        } catch (CredentialException e) {
            outcome = e.kind().wire();
            throw e;
        } finally {
            record(client + "-store", key, kept, outcome, context);
        }
    }

    private boolean alreadyHolds(Store target, LoginKey key, Secret secret, Long expiration, RequestContext context)
            throws CredentialException {
        // the expiry a keychain item cannot hold is in the book
        MetadataBook.Page page = StoreAccess.describedInBook(target) ? access.book(context.batch().arrival()) : null;
        boolean same = false;
        for (StoredToken held : access.get(target, key, context.batch().arrival())) {
            if (equal(held.secret(), secret)) {
                Long has = Lifetime.of(held, page == null ? Optional.empty() : page.entryFor(key.canonical(), secret)).expiration();
                same |= expiration != null ? expiration.equals(has) : has == null || has > access.now();
            }
            held.secret().wipe();
        }
        return same;
    }

    /** Compares two secrets in time that does not depend on where they differ. */
    private static boolean equal(Secret a, Secret b) {
        byte[] x = a.toUtf8();
        byte[] y = b.toUtf8();
        try {
            return MessageDigest.isEqual(x, y);
        } finally {
            Arrays.fill(x, (byte) 0);
            Arrays.fill(y, (byte) 0);
        }
    }

    /**
     * Erases every login {@code query} matches from every writable store a lookup visits; with a
     * {@code secret} (git's erase after the server refused it), only logins holding that very
     * secret, so that one stored meanwhile by another client survives. How many were erased.
     */
    public int erase(String client, Query query, Secret secret, RequestContext context) throws CredentialException {
        int erased = 0;
        String outcome = "ok";
        List<String> from = new ArrayList<>();
        try {
            MetadataBook.Page page = access.bookOrNull(context.batch().arrival());
            List<Store> stores = context.onlyStore() != null ? List.of(plan.writableStore(context.onlyStore()))
                    : plan.writable(query.asKey(), holders(page, query));
            for (Store store : stores) {
                for (LoginKey key : candidates(store, query, context)) {
                    if ((secret == null || holdsSecret(store, key, secret, context)) && access.erase(store, key)) {
                        erased++;
                        from.add(store.id().configName());
                    }
                }
            }
            outcome = erased > 0 ? "ok" : "not-found";
            return erased;
        } catch (CredentialException e) {
            outcome = e.kind().wire();
            throw e;
        } finally {
            record(client + "-erase", query.asKey(), from.isEmpty() ? null : String.join(",", from), outcome, context);
        }
    }

    private boolean holdsSecret(Store store, LoginKey key, Secret secret, RequestContext context) throws CredentialException {
        boolean holds = false;
        for (StoredToken held : access.get(store, key, context.batch().arrival())) {
            holds |= equal(held.secret(), secret);
            held.secret().wipe();
        }
        return holds;
    }

    /**
     * Replaces the secret of exactly {@code login} in every writable store holding it (or in the one
     * store the context names), keeping its {@code created} and marking it rotated, with
     * {@code expiration} (null: none); the stores' names, none when no store held it.
     */
    public List<String> rotate(String client, Login login, Secret secret, Long expiration, RequestContext context)
            throws CredentialException {
        LoginKey key = login.key();
        List<String> rotated = new ArrayList<>();
        String outcome = "not-found";
        try {
            for (Store store : writableStores(key, context)) {
                List<StoredToken> held = access.get(store, key, context.batch().arrival());
                for (StoredToken token : held) {
                    token.secret().wipe();
                }
                if (!held.isEmpty()) {
                    access.keep(store, key, secret, Set.of(), expiration, true);
                    rotated.add(store.id().configName());
                }
            }
            outcome = rotated.isEmpty() ? outcome : "ok";
            return rotated;
        } catch (CredentialException e) {
            outcome = e.kind().wire();
            throw e;
        } finally {
            record(client + "-rotate", key, rotated.isEmpty() ? null : String.join(",", rotated), outcome, context);
        }
    }

    /**
     * Erases exactly {@code login} (no part of it taken as "any"): from the first writable store
     * holding it, or with {@code allStores} from every one, or from the one store the context
     * names; the stores' names, none when no store held it.
     */
    public List<String> eraseExactly(String client, Login login, boolean allStores, RequestContext context)
            throws CredentialException {
        LoginKey key = login.key();
        List<String> erased = new ArrayList<>();
        String outcome = "not-found";
        try {
            for (Store store : writableStores(key, context)) {
                if (access.erase(store, key)) {
                    erased.add(store.id().configName());
                    if (!allStores) {
                        break;
                    }
                }
            }
            outcome = erased.isEmpty() ? outcome : "ok";
            return erased;
        } catch (CredentialException e) {
            outcome = e.kind().wire();
            throw e;
        } finally {
            record(client + "-erase", key, erased.isEmpty() ? null : String.join(",", erased), outcome, context);
        }
    }

    /** The writable stores a lookup of {@code key} visits, or the one the context names. */
    private List<Store> writableStores(LoginKey key, RequestContext context) throws CredentialException {
        return context.onlyStore() != null ? List.of(plan.writableStore(context.onlyStore()))
                : plan.writable(key, access.bookOrNull(context.batch().arrival()));
    }

    /** Every login a lookup can find, each once, in lookup order (docker's {@code list}). */
    public List<Login> list(String client, RequestContext context) throws CredentialException {
        MetadataBook.Page page = access.book(context.batch().arrival());
        List<Login> logins = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Store store : plan.everyVisited(page)) {
            if (!store.capabilities().logins()) {
                continue;
            }
            for (StoreEntry entry : access.list(store, context.batch().arrival())) {
                if (entry.key() instanceof LoginKey login && plan.visits(login, store, page) && seen.add(login.canonical())) {
                    logins.add(Login.of(login));
                }
            }
        }
        record(client + "-list", null, null, "ok", context);
        return logins;
    }

    private void record(String kind, CredentialKey key, String store, String outcome, RequestContext context) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", access.now());
        line.put("kind", kind);
        if (key != null) {
            line.put("registry", key.displayName());
        }
        line.put("store", store);
        line.put("outcome", outcome);
        // A login's client has no room for a warning; while the log cannot be written, every request
        // that can carry one (a registry's get) says so.
        AuditLines.append(audit, line, context);
    }
}
