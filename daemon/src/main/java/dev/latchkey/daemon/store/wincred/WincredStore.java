package dev.latchkey.daemon.store.wincred;

import dev.latchkey.daemon.config.StoreId;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.keychain.CargoKeychainItems;
import dev.latchkey.daemon.store.keychain.NamedItemKeychain;
import dev.latchkey.daemon.store.keychain.NamedItemKeychainStore;
import dev.latchkey.daemon.store.keychain.OperatingSystem;

/**
 * The {@code wincred} store: Windows Credential Manager generic credentials, target
 * {@code cargo-registry:<index URL>}, the token as UTF-8 bytes, exactly as {@code cargo:wincred}
 * writes them. Not run on Windows by this project's tests (see docs/stores.md, "Keychains").
 */
public final class WincredStore extends NamedItemKeychainStore {
    public WincredStore(OperatingSystem os) {
        super(StoreId.WINCRED, OperatingSystem.WINDOWS, "Windows Credential Manager", os);
    }

    @Override
    protected StoreState stateAtHome() {
        CredentialManager.Loaded loaded = CredentialManager.get();
        if (loaded.manager() == null) {
            return StoreState.unusable(loaded.problem());
        }
        return StoreState.ready("Credential Manager; generic credentials as cargo:wincred writes them (target "
                + CargoKeychainItems.PREFIX + "<index URL>, UTF-8, at most 2560 bytes)");
    }

    @Override
    protected NamedItemKeychain keychain() {
        return CredentialManager.get().manager();
    }
}
