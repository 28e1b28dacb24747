package dev.latchkey.daemon.store.macos;

import dev.latchkey.daemon.config.StoreId;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.keychain.CargoKeychainItems;
import dev.latchkey.daemon.store.keychain.NamedItemKeychain;
import dev.latchkey.daemon.store.keychain.NamedItemKeychainStore;
import dev.latchkey.daemon.store.keychain.OperatingSystem;

/**
 * The {@code macos-keychain} store: generic passwords in the default macOS keychain, service
 * {@code cargo-registry:<index URL>} and an empty account, exactly as {@code cargo:macos-keychain}
 * keeps them. Not run on macOS by this project's tests (see docs/stores.md, "Keychains").
 */
public final class MacosKeychainStore extends NamedItemKeychainStore {
    public MacosKeychainStore(OperatingSystem os) {
        super(StoreId.MACOS_KEYCHAIN, OperatingSystem.MACOS, "the macOS keychain", os);
    }

    @Override
    protected StoreState stateAtHome() {
        MacosKeychain.Loaded loaded = MacosKeychain.get();
        if (loaded.keychain() == null) {
            return StoreState.unusable(loaded.problem());
        }
        return StoreState.ready("default keychain; generic passwords as cargo:macos-keychain writes them (service "
                + CargoKeychainItems.PREFIX + "<index URL>, empty account)");
    }

    @Override
    protected NamedItemKeychain keychain() {
        return MacosKeychain.get().keychain();
    }
}
