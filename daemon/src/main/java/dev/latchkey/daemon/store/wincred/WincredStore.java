package dev.latchkey.daemon.store.wincred;

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
 * The {@code wincred} store: Windows Credential Manager generic credentials, target
 * {@code cargo-registry:<index URL>}, the token as UTF-8 bytes, exactly as {@code cargo:wincred}
 * writes them. Not run on Windows by this project's tests (see README, "Keychains").
 */
public final class WincredStore implements Store {
    public static final String NAME = "wincred";

    private final OperatingSystem os;

    public WincredStore(OperatingSystem os) {
        this.os = os;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean slow() {
        return true; // a call into Credential Manager
    }

    @Override
    public boolean writable() {
        return true;
    }

    @Override
    public StoreState state() {
        if (os != OperatingSystem.WINDOWS) {
            return StoreState.unusable("not this OS: Windows Credential Manager exists only on Windows; on "
                    + os.displayName() + " use the `keychain` store");
        }
        CredentialManager.Loaded loaded = CredentialManager.get();
        if (loaded.manager() == null) {
            return StoreState.unusable(loaded.problem());
        }
        return StoreState.ready("Credential Manager; generic credentials as cargo:wincred writes them (target "
                + CargoKeychainItems.PREFIX + "<index URL>, UTF-8, at most 2560 bytes)");
    }

    @Override
    public Optional<StoredToken> get(RegistryKey registry, Operation operation) throws CredentialException {
        return manager().read(CargoKeychainItems.serviceName(registry)).map(StoredToken::plain);
    }

    @Override
    public void put(RegistryKey registry, StoredToken token) throws CredentialException {
        CargoKeychainItems.requireCargoShaped(token, NAME);
        manager().write(CargoKeychainItems.serviceName(registry), token.secret());
    }

    @Override
    public boolean erase(RegistryKey registry) throws CredentialException {
        return manager().delete(CargoKeychainItems.serviceName(registry));
    }

    @Override
    public List<StoreEntry> list() throws CredentialException {
        List<StoreEntry> entries = new ArrayList<>();
        for (String target : manager().targets(CargoKeychainItems.PREFIX + "*")) {
            String indexUrl = target.substring(CargoKeychainItems.PREFIX.length());
            if (!indexUrl.isEmpty()) {
                entries.add(new StoreEntry(new RegistryKey(indexUrl, null), Set.of(), null, null, null));
            }
        }
        return entries;
    }

    private CredentialManager manager() throws CredentialException {
        StoreState state = state();
        if (!state.usable()) {
            throw new CredentialException.Unavailable("the " + NAME + " store is not usable: " + state.detail());
        }
        return CredentialManager.get().manager();
    }
}
