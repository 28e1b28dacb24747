package dev.latchkey.daemon.store.secretservice;

import dev.latchkey.daemon.config.Durations;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.daemon.store.keychain.CargoKeychainItems;
import dev.latchkey.daemon.store.keychain.OperatingSystem;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Secret;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The {@code libsecret} store: the Linux Secret Service (gnome-keyring, KWallet, KeePassXC) through
 * libsecret, holding exactly the items {@code cargo:libsecret} holds, so each reads what the other
 * wrote. libsecret answers "nothing" for a locked collection as it does for a missing item, so every
 * empty answer is checked against the collection's lock before it is believed.
 */
public final class SecretServiceStore implements Store {
    public static final String NAME = "libsecret";
    /** Overrides how long one call to the Secret Service may take ({@code 5s} by default). */
    public static final String TIMEOUT_VARIABLE = "LATCHKEY_KEYRING_TIMEOUT";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** How long whether there is a session bus is believed: state() is asked on every request, and looking costs a syscall. */
    private static final long BUS_RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final StoreState READY = StoreState.ready("Secret Service on the session bus; items as cargo:libsecret "
            + "writes them (schema " + CargoKeychainItems.SECRET_SCHEMA + ", collection `default`)");

    private final OperatingSystem os;
    private final Environment env;
    private final Duration deadline;
    private final String badDeadline;
    private volatile BusCheck busCheck;
    /** Made on first use; it keeps item proxies between gets. */
    private SecretService service;

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
    public String name() {
        return NAME;
    }

    @Override
    public boolean slow() {
        return true; // a D-Bus round trip to the keyring daemon
    }

    @Override
    public boolean writable() {
        return true;
    }

    /** No D-Bus traffic: the OS, the session bus (no native code) and, only when both are there, loading libsecret. */
    @Override
    public StoreState state() {
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
            bus = new BusCheck(now, SessionBus.missing(env).map(StoreState::unusable).orElse(null));
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

    /** Also asks the service whether the default collection exists and is unlocked. */
    @Override
    public StoreState diagnose() {
        StoreState state = state();
        if (!state.usable()) {
            return state;
        }
        try {
            return switch (service().defaultCollection()) {
                case UNLOCKED -> StoreState.ready("default collection unlocked; items as cargo:libsecret writes them "
                        + "(schema " + CargoKeychainItems.SECRET_SCHEMA + ")");
                case LOCKED -> StoreState.unusable(SecretServiceFailures.LOCKED);
                case MISSING -> StoreState.unusable(SecretServiceFailures.NO_DEFAULT_COLLECTION);
            };
        } catch (SecretServiceError e) {
            return StoreState.unusable(SecretServiceFailures.of(e, deadline).getMessage());
        } catch (CredentialException e) {
            return StoreState.unusable(e.getMessage());
        }
    }

    @Override
    public Optional<StoredToken> get(RegistryKey registry, Operation operation) throws CredentialException {
        SecretService service = service();
        Optional<Secret> token;
        try {
            token = service.lookup(registry.indexUrl());
        } catch (SecretServiceError e) {
            throw SecretServiceFailures.of(e, deadline);
        }
        if (token.isEmpty()) {
            requireOpenCollection(service);
            return Optional.empty();
        }
        return Optional.of(StoredToken.plain(token.get()));
    }

    /** One item per registry, read by cargo for every operation. */
    @Override
    public boolean keepsScopedTokens() {
        return false;
    }

    @Override
    public void put(RegistryKey registry, StoredToken token) throws CredentialException {
        CargoKeychainItems.requireCargoShaped(token, NAME);
        SecretService service = service();
        try {
            service.store(registry.indexUrl(), CargoKeychainItems.secretServiceLabel(registry), token.secret());
        } catch (SecretServiceError e) {
            if (!SecretServiceFailures.isNotAnswering(e)) {
                // A missing collection comes back as "Object does not exist at path ...": ask what it was.
                requireOpenCollection(service);
            }
            throw SecretServiceFailures.of(e, deadline);
        }
    }

    @Override
    public boolean erase(RegistryKey registry) throws CredentialException {
        SecretService service = service();
        boolean removed;
        try {
            removed = service.clear(registry.indexUrl());
        } catch (SecretServiceError e) {
            throw SecretServiceFailures.of(e, deadline);
        }
        if (!removed) {
            requireOpenCollection(service);
        }
        return removed;
    }

    @Override
    public List<StoreEntry> list() throws CredentialException {
        SecretService service = service();
        List<SecretService.Item> items;
        try {
            items = service.search();
        } catch (SecretServiceError e) {
            throw SecretServiceFailures.of(e, deadline);
        }
        if (items.isEmpty()) {
            requireOpenCollection(service);
        }
        List<StoreEntry> entries = new ArrayList<>();
        for (SecretService.Item item : items) {
            if (item.key() == null || item.key().isEmpty()) {
                continue; // not an item cargo could use either
            }
            RegistryKey registry = new RegistryKey(item.key(), CargoKeychainItems.nameFromLabel(item.label(), item.key()));
            entries.add(new StoreEntry(registry, Set.of(), null, positive(item.created()), positive(item.modified())));
        }
        return entries;
    }

    /** The wrapper around the loaded library, or the reason this store cannot be used, as an exception. */
    private synchronized SecretService service() throws CredentialException {
        requireUsable();
        if (service == null) {
            service = new SecretService(SecretServiceLibrary.get().library(), deadline, ItemSchema.CARGO);
        }
        return service;
    }

    /** A new wrapper for the items of {@code schema}, after the checks of {@link #state()}. */
    SecretService connect(ItemSchema schema) throws CredentialException {
        requireUsable();
        return new SecretService(SecretServiceLibrary.get().library(), deadline, schema);
    }

    private void requireUsable() throws CredentialException {
        StoreState state = state();
        if (!state.usable()) {
            throw new CredentialException.Unavailable("the " + NAME + " store is not usable: " + state.detail());
        }
    }

    /** How long one call may take, for the messages of {@link SecretServiceFailures}. */
    Duration deadline() {
        return deadline;
    }

    /** An empty answer is believed only from an unlocked default collection. */
    void requireOpenCollection(SecretService service) throws CredentialException {
        SecretService.CollectionState collection;
        try {
            collection = service.defaultCollection();
        } catch (SecretServiceError e) {
            throw SecretServiceFailures.of(e, deadline);
        }
        if (collection == SecretService.CollectionState.LOCKED) {
            throw new CredentialException.Locked(SecretServiceFailures.LOCKED);
        }
        if (collection == SecretService.CollectionState.MISSING) {
            throw new CredentialException.Unavailable(SecretServiceFailures.NO_DEFAULT_COLLECTION);
        }
    }

    private static Long positive(long seconds) {
        return seconds > 0 ? seconds : null;
    }
}
