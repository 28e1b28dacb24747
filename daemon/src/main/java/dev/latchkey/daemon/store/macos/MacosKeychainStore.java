package dev.latchkey.daemon.store.macos;

import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.daemon.store.keychain.CargoKeychainItems;
import dev.latchkey.daemon.store.keychain.OperatingSystem;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Operation;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code macos-keychain} store: generic passwords in the default macOS keychain, service
 * {@code cargo-registry:<index URL>} and an empty account, exactly as {@code cargo:macos-keychain}
 * keeps them. Not run on macOS by this project's tests (see README, "Keychains").
 */
public final class MacosKeychainStore implements Store {
    public static final String NAME = "macos-keychain";

    private final OperatingSystem os;

    public MacosKeychainStore(OperatingSystem os) {
        this.os = os;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean slow() {
        return true; // a call into Security.framework, which may prompt
    }

    @Override
    public boolean writable() {
        return true;
    }

    @Override
    public StoreState state() {
        if (os != OperatingSystem.MACOS) {
            return StoreState.unusable("not this OS: the macOS keychain exists only on macOS; on " + os.displayName()
                    + " use the `keychain` store");
        }
        MacosKeychain.Loaded loaded = MacosKeychain.get();
        if (loaded.keychain() == null) {
            return StoreState.unusable(loaded.problem());
        }
        return StoreState.ready("default keychain; generic passwords as cargo:macos-keychain writes them (service "
                + CargoKeychainItems.PREFIX + "<index URL>, empty account)");
    }

    @Override
    public Optional<StoredToken> get(RegistryKey registry, Operation operation) throws CredentialException {
        return keychain().find(CargoKeychainItems.serviceName(registry)).map(StoredToken::plain);
    }

    @Override
    public void put(RegistryKey registry, StoredToken token) throws CredentialException {
        CargoKeychainItems.requireCargoShaped(token, NAME);
        keychain().save(CargoKeychainItems.serviceName(registry), token.secret());
    }

    @Override
    public boolean erase(RegistryKey registry) throws CredentialException {
        return keychain().delete(CargoKeychainItems.serviceName(registry));
    }

    @Override
    public List<StoreEntry> list() throws CredentialException {
        List<StoreEntry> entries = new ArrayList<>();
        for (String service : keychain().servicesStartingWith(CargoKeychainItems.PREFIX)) {
            String indexUrl = service.substring(CargoKeychainItems.PREFIX.length());
            if (!indexUrl.isEmpty()) {
                entries.add(new StoreEntry(new RegistryKey(indexUrl, null), Set.of(), null, null, null));
            }
        }
        return entries;
    }

    private MacosKeychain keychain() throws CredentialException {
        StoreState state = state();
        if (!state.usable()) {
            throw new CredentialException.Unavailable("the " + NAME + " store is not usable: " + state.detail());
        }
        return MacosKeychain.get().keychain();
    }
}
