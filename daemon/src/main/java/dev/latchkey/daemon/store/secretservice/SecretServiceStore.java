package dev.latchkey.daemon.store.secretservice;

import dev.latchkey.daemon.config.Durations;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.config.StoreId;
import dev.latchkey.daemon.store.Arrival;
import dev.latchkey.daemon.store.Capabilities;
import dev.latchkey.daemon.store.CredentialKey;
import dev.latchkey.daemon.store.LoginKey;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.daemon.store.keychain.CargoKeychainItems;
import dev.latchkey.daemon.store.keychain.OperatingSystem;
import dev.latchkey.protocol.Secret;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The {@code libsecret} store: the Linux Secret Service (gnome-keyring, KWallet, KeePassXC) through
 * libsecret, holding registry tokens exactly as {@code cargo:libsecret} holds them, so each reads
 * what the other wrote, and logins under latchkey's own schema. libsecret answers "nothing" for a locked collection as it does for a missing item, so every
 * empty answer is checked against the collection's lock before it is believed.
 */
public final class SecretServiceStore implements Store {
    /** A D-Bus round trip to the keyring daemon: worth keeping what it read. */
    private static final Capabilities CAPABILITIES = Capabilities.writable(StoreId.LIBSECRET).slowToRead().oneTokenPerRegistry();
    /** The schema of latchkey's login items, never cargo's: cargo must not take a login for a registry token. */
    public static final String LOGIN_SCHEMA = "dev.latchkey.login";
    public static final String LOGIN_ATTRIBUTE = "key";
    /** How a login's item is labelled in a keyring manager (seahorse); lookups ignore labels. */
    private static final String LOGIN_LABEL = "latchkey login ";
    /** Overrides how long one call to the Secret Service may take ({@code 5s} by default). */
    public static final String TIMEOUT_VARIABLE = "LATCHKEY_KEYRING_TIMEOUT";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** How long whether there is a session bus is believed: a quick diagnosis is asked for on every request, and looking costs a syscall. */
    private static final long BUS_RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final StoreState READY = StoreState.ready("Secret Service on the session bus; items as cargo:libsecret "
            + "writes them (schema " + CargoKeychainItems.SECRET_SCHEMA + ", collection `default`)");

    private final OperatingSystem os;
    private final Environment env;
    private final Duration deadline;
    private final String badDeadline;
    private volatile BusCheck busCheck;
    /** Made on first use, one per kind of item; each keeps item proxies between gets. Guarded by {@code this}. */
    private final Map<ItemSchema, SecretService> services = new EnumMap<>(ItemSchema.class);

    public SecretServiceStore(OperatingSystem os, Environment env) {
        this.os = os;
        this.env = env;
        Duration parsed = DEFAULT_TIMEOUT;
        String problem = null;
        Optional<String> configured = env.get(TIMEOUT_VARIABLE);
        if (configured.isPresent()) {
            try {
                parsed = Durations.parse(configured.get());
                if (parsed.isZero()) {
                    problem = TIMEOUT_VARIABLE + " is 0; give the keyring some time, e.g. `5s`";
                }
            } catch (IllegalArgumentException e) {
                problem = TIMEOUT_VARIABLE + ": " + e.getMessage();
            }
        }
        this.deadline = parsed;
        this.badDeadline = problem;
    }

    @Override
    public StoreId id() {
        return StoreId.LIBSECRET;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    /**
     * Quick: no D-Bus traffic, only the OS, the session bus (no native code) and, only when both are
     * there, loading libsecret. Thorough: also asks the service whether the default collection
     * exists and is unlocked.
     */
    @Override
    public StoreState diagnose(boolean thorough) {
        StoreState state = available();
        if (!thorough || !state.usable()) {
            return state;
        }
        try {
            return switch (service(ItemSchema.CARGO).defaultCollection()) {
                case UNLOCKED -> StoreState.ready("default collection unlocked; items as cargo:libsecret writes them "
                        + "(schema " + CargoKeychainItems.SECRET_SCHEMA + ")");
                case LOCKED -> StoreState.unusable(SecretServiceFailures.LOCKED);
                case MISSING -> StoreState.unusable(SecretServiceFailures.NO_DEFAULT_COLLECTION);
            };
        } catch (SecretServiceError e) {
            return StoreState.unusable(SecretServiceFailures.of(e, deadline).getMessage());
        } catch (StoreException e) {
            return StoreState.unusable(e.getMessage());
        }
    }

    private StoreState available() {
        if (os == OperatingSystem.MACOS || os == OperatingSystem.WINDOWS) {
            return StoreState.unusable("not this OS: libsecret is the Secret Service of Linux desktops; on "
                    + os.displayName() + " use the `keychain` store");
        }
        if (badDeadline != null) {
            return StoreState.unusable(badDeadline);
        }
        BusCheck bus = busCheck;
        long now = System.nanoTime();
        if (bus == null || now - bus.at() > BUS_RECHECK_NANOS) {
            Optional<String> missing = SessionBus.missing(env);
            bus = new BusCheck(now, missing.isPresent() ? StoreState.unusable(missing.get()) : null);
            busCheck = bus;
        }
        if (bus.missing() != null) {
            return bus.missing();
        }
        SecretServiceLibrary.Loaded loaded = SecretServiceLibrary.get();
        if (loaded.library() == null) {
            return StoreState.unusable(loaded.problem());
        }
        return READY;
    }

    /** When the session bus was last looked for, and the state without one (null: it was there). */
    private record BusCheck(long at, StoreState missing) {
    }

    /** Registry tokens are cargo's items; logins are latchkey's own, which cargo never sees. */
    private static ItemSchema schemaOf(CredentialKey key) {
        return key instanceof RegistryKey ? ItemSchema.CARGO : ItemSchema.LOGIN;
    }

    /** The value of the schema's one attribute: the index URL exactly as cargo sends it, or the login's canonical form. */
    private static String attributeOf(CredentialKey key) {
        return key instanceof RegistryKey registry ? registry.indexUrl() : key.canonical();
    }

    @Override
    public List<StoredToken> get(CredentialKey key, Arrival arrival) throws StoreException {
        SecretService service = service(schemaOf(key));
        Optional<Secret> token;
        try {
            token = service.lookup(attributeOf(key));
        } catch (SecretServiceError e) {
            throw SecretServiceFailures.of(e, deadline);
        }
        if (token.isEmpty()) {
            requireOpenCollection(service);
            return List.of();
        }
        return List.of(StoredToken.plain(token.get()));
    }

    @Override
    public void put(CredentialKey key, StoredToken token) throws StoreException {
        CargoKeychainItems.requireCargoShaped(token, StoreId.LIBSECRET.configName());
        SecretService service = service(schemaOf(key));
        String label = key instanceof RegistryKey registry ? CargoKeychainItems.secretServiceLabel(registry)
                : LOGIN_LABEL + key.displayName();
        try {
            service.store(attributeOf(key), label, token.secret());
        } catch (SecretServiceError e) {
            if (!SecretServiceFailures.isNotAnswering(e)) {
                // A missing collection comes back as "Object does not exist at path ...": ask what it was.
                requireOpenCollection(service);
            }
            throw SecretServiceFailures.of(e, deadline);
        }
    }

    @Override
    public boolean erase(CredentialKey key) throws StoreException {
        SecretService service = service(schemaOf(key));
        boolean removed;
        try {
            removed = service.clear(attributeOf(key));
        } catch (SecretServiceError e) {
            throw SecretServiceFailures.of(e, deadline);
        }
        if (!removed) {
            requireOpenCollection(service);
        }
        return removed;
    }

    @Override
    public List<StoreEntry> list(Arrival arrival) throws StoreException {
        List<StoreEntry> entries = new ArrayList<>();
        boolean none = true;
        for (ItemSchema schema : List.of(ItemSchema.CARGO, ItemSchema.LOGIN)) {
            List<SecretService.Item> items;
            try {
                items = service(schema).search();
            } catch (SecretServiceError e) {
                throw SecretServiceFailures.of(e, deadline);
            }
            none &= items.isEmpty();
            for (SecretService.Item item : items) {
                entryOf(schema, item).ifPresent(entries::add);
            }
        }
        if (none) {
            requireOpenCollection(service(ItemSchema.CARGO));
        }
        return entries;
    }

    /** How {@code list} shows an item; empty for one no client could use (no attribute, or a login's that does not parse). */
    private static Optional<StoreEntry> entryOf(ItemSchema schema, SecretService.Item item) {
        if (item.key() == null || item.key().isEmpty()) {
            return Optional.empty();
        }
        Optional<? extends CredentialKey> key = schema == ItemSchema.CARGO
                ? Optional.of(new RegistryKey(item.key(), CargoKeychainItems.nameFromLabel(item.label(), item.key())))
                : LoginKey.tryParse(item.key());
        return key.map(k -> new StoreEntry(k, Set.of(), null, positive(item.created()), positive(item.modified())));
    }

    /** The wrapper for the items of {@code schema}, or the reason this store cannot be used, as an exception. */
    private synchronized SecretService service(ItemSchema schema) throws StoreException {
        requireUsable();
        return services.computeIfAbsent(schema, s -> new SecretService(SecretServiceLibrary.get().library(), deadline, s));
    }

    /** A new wrapper for the items of {@code schema}, after the checks of {@link #diagnose}. */
    SecretService connect(ItemSchema schema) throws StoreException {
        requireUsable();
        return new SecretService(SecretServiceLibrary.get().library(), deadline, schema);
    }

    private void requireUsable() throws StoreException {
        StoreState state = available();
        if (!state.usable()) {
            throw new StoreException.Unavailable("the " + StoreId.LIBSECRET + " store is not usable: " + state.detail());
        }
    }

    /** How long one call may take, for the messages of {@link SecretServiceFailures}. */
    Duration deadline() {
        return deadline;
    }

    /** An empty answer is believed only from an unlocked default collection. */
    void requireOpenCollection(SecretService service) throws StoreException {
        SecretService.CollectionState collection;
        try {
            collection = service.defaultCollection();
        } catch (SecretServiceError e) {
            throw SecretServiceFailures.of(e, deadline);
        }
        if (collection == SecretService.CollectionState.LOCKED) {
            throw new StoreException.Locked(SecretServiceFailures.LOCKED);
        }
        if (collection == SecretService.CollectionState.MISSING) {
            throw new StoreException.Unavailable(SecretServiceFailures.NO_DEFAULT_COLLECTION);
        }
    }

    private static Long positive(long seconds) {
        return seconds > 0 ? seconds : null;
    }
}
