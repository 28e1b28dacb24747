package dev.latchkey.daemon.service;

import dev.latchkey.daemon.config.Config;
import dev.latchkey.daemon.config.StoreId;
import dev.latchkey.daemon.metadata.BookEntry;
import dev.latchkey.daemon.metadata.MetadataBook;
import dev.latchkey.daemon.store.Capabilities;
import dev.latchkey.daemon.store.CredentialKey;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.env.EnvStore;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Operation;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which stores a request visits, in what order, and where a new credential goes: the rule of
 * docs/stores.md, "Where a token is looked for", kept in one place so that get, list, erase and rotate agree on it.
 *
 * <p>A lookup visits the key's stores (a registry's own {@code stores} when configured, else the
 * configured order), then every other store the metadata book says latchkey put a token of that
 * key in (one stored with {@code --store NAME}), then the memory store; each usable one, and a
 * store reached by two names (the {@code keychain} is {@code libsecret} here) once. So a token
 * latchkey acknowledged is found again, whichever store it went to.
 */
final class StorePlan {
    private final Config config;
    private final StoreCatalog stores;

    StorePlan(Config config, StoreCatalog stores) {
        this.config = config;
        this.stores = stores;
    }

    /**
     * The stores a lookup of {@code key} visits, in order ({@code page}: the book, or null when it
     * could not be read); only {@code onlyStore} when one is named, which must then be usable.
     */
    List<Store> lookup(CredentialKey key, String onlyStore, MetadataBook.Page page) throws CredentialException {
        return lookup(key, onlyStore, page == null ? Set.of() : page.storesHolding(key.canonical()));
    }

    /** The same, with the stores the book says hold it ({@code holders}, by backend name) given. */
    List<Store> lookup(CredentialKey key, String onlyStore, Set<String> holders) throws CredentialException {
        if (onlyStore != null) {
            return List.of(usableStore(onlyStore));
        }
        Set<StoreId> visited = EnumSet.noneOf(StoreId.class);
        List<Store> order = new ArrayList<>();
        for (StoreId id : ownStores(key).orElse(config.storeOrder())) {
            visit(key, id, visited, order);
        }
        for (StoreId id : StoreId.values()) { // in one order, whatever order the book's set has
            if (holders.contains(id.configName())) { // a book edited by hand may name anything: only stores count
                visit(key, id, visited, order);
            }
        }
        visit(key, StoreId.MEMORY, visited, order);
        return order;
    }

    /**
     * How many stores of {@code order} this process reads as its caller would: all of them, but
     * for the env store and those after it when the caller holds the key's token variable, which
     * this process cannot read ({@code withheld}, the daemon's for a relayed invocation).
     */
    static int readableHere(List<Store> order, RegistryKey key, Set<String> withheld) {
        String variable = withheld.isEmpty() ? null : EnvStore.variableFor(key);
        if (variable == null || !withheld.contains(variable)) {
            return order.size();
        }
        for (int i = 0; i < order.size(); i++) {
            if (order.get(i).id() == StoreId.ENV) {
                return i;
            }
        }
        return order.size();
    }

    /** For the caller's own process to serve a lookup of {@code key} that reached the env store, which reads its variable. */
    static TokenVariableWithheld withheld(RegistryKey key) {
        return new TokenVariableWithheld("the caller's environment holds " + EnvStore.variableFor(key)
                + ", which the lookup reads and only the caller can");
    }

    /**
     * The same for {@code list}, which shows every token variable of the caller's that the env
     * store would hand out.
     *
     * @throws TokenVariableWithheld when {@code stores} include the env store and the caller withholds any
     */
    static void listableHere(List<Store> stores, Set<String> withheld) {
        if (!withheld.isEmpty() && readsEnv(stores)) {
            throw new TokenVariableWithheld("the caller's environment holds token variables ("
                    + String.join(", ", new TreeSet<>(withheld)) + "), which `list` shows and only the caller can read");
        }
    }

    private static boolean readsEnv(List<Store> stores) {
        for (Store store : stores) {
            if (store.id() == StoreId.ENV) {
                return true;
            }
        }
        return false;
    }

    /** Whether a lookup of {@code key} visits {@code store}: what {@code list} shows is what {@code get} can find. */
    boolean visits(CredentialKey key, Store store, MetadataBook.Page page) throws CredentialException {
        StoreId backend = store.capabilities().backend();
        for (Store visited : lookup(key, null, page)) {
            if (visited.capabilities().backend() == backend) {
                return true;
            }
        }
        return false;
    }

    private void visit(CredentialKey key, StoreId id, Set<StoreId> visited, List<Store> order) {
        Store store = stores.get(id);
        Capabilities can = store.capabilities();
        if ((key instanceof RegistryKey || can.logins()) && !visited.contains(can.backend()) && store.diagnose(false).usable()) {
            visited.add(can.backend());
            order.add(store);
        }
    }

    /**
     * Every store some lookup visits, for {@code list}: the configured order, each configured
     * registry's own stores, every store the book names, and the memory store.
     */
    List<Store> everyVisited(MetadataBook.Page page) {
        Set<StoreId> ids = EnumSet.noneOf(StoreId.class);
        List<StoreId> order = new ArrayList<>(config.storeOrder());
        for (String registry : config.registries().keySet().stream().sorted().toList()) {
            order.addAll(config.registries().get(registry).stores());
        }
        for (BookEntry entry : page.entries()) {
            for (String holder : entry.stores()) {
                StoreId.named(holder).ifPresent(order::add);
            }
        }
        order.add(StoreId.MEMORY);
        List<Store> result = new ArrayList<>();
        for (StoreId id : order) {
            Store store = stores.get(id);
            if (ids.add(store.capabilities().backend()) && store.diagnose(false).usable()) {
                result.add(store);
            }
        }
        return result;
    }

    /**
     * The writable stores of a lookup of {@code key}, where an erase or a rotation looks: cargo's
     * file only when the registry's own stores name it, since latchkey writes there only when told to.
     */
    List<Store> writable(CredentialKey key, MetadataBook.Page page) throws CredentialException {
        return writable(key, page == null ? Set.of() : page.storesHolding(key.canonical()));
    }

    /** The same, with the stores the book says hold it ({@code holders}) given. */
    List<Store> writable(CredentialKey key, Set<String> holders) throws CredentialException {
        boolean named = ownStores(key).isPresent();
        List<Store> result = new ArrayList<>();
        for (Store store : lookup(key, null, holders)) {
            Capabilities can = store.capabilities();
            if (can.writable() && (named || !can.onlyWhenNamed())) {
                result.add(store);
            }
        }
        return result;
    }

    /**
     * Where a new credential of {@code key} goes: the named store, else the registry's first
     * writable configured store, else the first usable writable store in the order, never cargo's
     * file unless named (cargo warns about every token it finds there for a registry with a
     * provider); for one limited to some operations, the first that can keep such a token.
     */
    Store target(CredentialKey key, String named, Set<Operation> operations) throws CredentialException {
        if (named != null) {
            return writableStore(named);
        }
        Optional<List<StoreId>> own = ownStores(key);
        List<Store> candidates = new ArrayList<>();
        Set<StoreId> visited = EnumSet.noneOf(StoreId.class);
        List<Store> order = new ArrayList<>();
        for (StoreId id : own.orElse(config.storeOrder())) {
            visit(key, id, visited, order);
        }
        for (Store store : order) {
            Capabilities can = store.capabilities();
            if (can.writable() && (own.isPresent() || !can.onlyWhenNamed())) {
                candidates.add(store);
            }
        }
        if (candidates.isEmpty()) {
            throw new CredentialException.Unavailable(noWritableStore(key, own.orElse(config.storeOrder())));
        }
        if (operations.isEmpty()) {
            return candidates.get(0);
        }
        // A keychain item or cargo's file would hand a scoped token out for every operation: skip them.
        for (Store store : candidates) {
            if (store.capabilities().scopedTokens()) {
                return store;
            }
        }
        throw new CredentialException.BadRequest(describe(candidates) + " cannot keep a token limited to "
                + "some operations (each holds one token per registry, as cargo's own providers do); name the file or "
                + "encrypted store (`--store file`), or add it to this registry's `stores`");
    }

    /** Why no store of {@code order} can take a new credential of {@code key}: each that could, were it usable, with why it is not. */
    private String noWritableStore(CredentialKey key, List<StoreId> order) {
        List<String> unusable = new ArrayList<>();
        for (StoreId id : order) {
            Store store = stores.get(id);
            Capabilities can = store.capabilities();
            StoreState state = store.diagnose(false);
            if (can.writable() && !can.onlyWhenNamed() && (key instanceof RegistryKey || can.logins()) && !state.usable()) {
                unusable.add("the " + id + " store is not usable: " + state.detail());
            }
        }
        return unusable.isEmpty()
                ? "no store in the lookup order (" + order + ") can keep " + (key instanceof RegistryKey ? "a token" : "a login")
                        + "; add a writable one such as file to `stores` in latchkey's config, or name one with --store"
                : "no writable store can keep it: " + String.join("; ", unusable);
    }

    /** A store named by the caller to write to: unusable or read-only is an error, since nothing else will be asked. */
    Store writableStore(String name) throws CredentialException {
        Store store = usableStore(name);
        if (!store.capabilities().writable()) {
            throw new CredentialException.BadRequest("the " + name + " store is read-only; name a writable store such as file");
        }
        return store;
    }

    /** A store named by the caller: unusable is an error, since nothing else will be asked. */
    Store usableStore(String name) throws CredentialException {
        Store store = stores.named(name);
        StoreState state = store.diagnose(false);
        if (!state.usable()) {
            throw new CredentialException.Unavailable("the " + name + " store is not usable: " + state.detail());
        }
        return store;
    }

    /** The stores configured for a registry, when it has its own. */
    private Optional<List<StoreId>> ownStores(CredentialKey key) {
        if (!(key instanceof RegistryKey registry)) {
            return Optional.empty();
        }
        Optional<Config.RegistryConfig> configured = registry.name() != null ? config.registry(registry.name()) : Optional.empty();
        if (configured.isEmpty()) {
            configured = config.registryByIndex(registry.indexUrl());
        }
        return configured.isPresent() && !configured.get().stores().isEmpty() ? Optional.of(configured.get().stores()) : Optional.empty();
    }

    /** {@code order} with the stores named in {@code first} (by backend) ahead of the others, each group in its order. */
    static List<Store> ahead(List<Store> order, Set<String> first) {
        List<Store> ahead = new ArrayList<>();
        List<Store> behind = new ArrayList<>();
        for (Store store : order) {
            (first.contains(store.capabilities().backend().configName()) ? ahead : behind).add(store);
        }
        ahead.addAll(behind);
        return ahead;
    }

    /**
     * The stores of a lookup's {@code order} as its not-found answer names them: the daemon's memory
     * store, visited last whether configured or not, only when configured, so that the answer is
     * the one a process serving itself gives.
     */
    String describeLookup(List<Store> order) {
        List<Store> named = new ArrayList<>();
        for (Store store : order) {
            if (store.id() != StoreId.MEMORY || config.storeOrder().contains(StoreId.MEMORY)) {
                named.add(store);
            }
        }
        return describe(named);
    }

    static String describe(List<Store> searched) {
        if (searched.isEmpty()) {
            return "no usable store";
        }
        List<String> names = new ArrayList<>();
        for (Store store : searched) {
            names.add(store.id().configName());
        }
        return "the " + String.join(", ", names) + " store" + (searched.size() > 1 ? "s" : "");
    }
}
