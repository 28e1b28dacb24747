package dev.latchkey.daemon.store.keychain;

import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Operation;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the {@code macos-keychain} and {@code wincred} stores share: cargo's items named
 * {@code cargo-registry:<index URL>}, one token per registry for every operation and without
 * expiry. A subclass says whether its keychain can be used here, and hands it out.
 */
public abstract class NamedItemKeychainStore implements Store {
    private final String name;
    private final OperatingSystem home;
    private final String keychainName;
    private final OperatingSystem os;

    /**
     * @param name         the store's name, as cargo's built-in provider is named
     * @param home         the one OS this keychain exists on
     * @param keychainName how the keychain is called in a message
     * @param os           the OS this process runs on
     */
    protected NamedItemKeychainStore(String name, OperatingSystem home, String keychainName, OperatingSystem os) {
        this.name = name;
        this.home = home;
        this.keychainName = keychainName;
        this.os = os;
    }

    /** On its own OS: whether the binding loaded, and what the keychain holds; the binding is loaded here. */
    protected abstract StoreState stateAtHome();

    /** The keychain; called only once {@link #state()} says it is usable. */
    protected abstract NamedItemKeychain keychain();

    @Override
    public final String name() {
        return name;
    }

    /** No native code is loaded off its own OS. */
    @Override
    public final StoreState state() {
        if (os != home) {
            return StoreState.unusable("not this OS: " + keychainName + " exists only on " + home.displayName() + "; on "
                    + os.displayName() + " use the `keychain` store");
        }
        return stateAtHome();
    }

    @Override
    public boolean slow() {
        return true; // a call into the OS keychain, which may prompt
    }

    @Override
    public boolean writable() {
        return true;
    }

    @Override
    public Optional<StoredToken> get(RegistryKey registry, Operation operation) throws CredentialException {
        return usable().find(CargoKeychainItems.serviceName(registry)).map(StoredToken::plain);
    }

    /** One item per registry, read by cargo for every operation. */
    @Override
    public boolean keepsScopedTokens() {
        return false;
    }

    @Override
    public void put(RegistryKey registry, StoredToken token) throws CredentialException {
        CargoKeychainItems.requireCargoShaped(token, name());
        usable().save(CargoKeychainItems.serviceName(registry), token.secret());
    }

    @Override
    public boolean erase(RegistryKey registry) throws CredentialException {
        return usable().delete(CargoKeychainItems.serviceName(registry));
    }

    @Override
    public List<StoreEntry> list() throws CredentialException {
        List<StoreEntry> entries = new ArrayList<>();
        for (String name : usable().namesStartingWith(CargoKeychainItems.PREFIX)) {
            String indexUrl = name.substring(CargoKeychainItems.PREFIX.length());
            if (!indexUrl.isEmpty()) {
                entries.add(new StoreEntry(new RegistryKey(indexUrl, null), Set.of(), null, null, null));
            }
        }
        return entries;
    }

    private NamedItemKeychain usable() throws CredentialException {
        StoreState state = state();
        if (!state.usable()) {
            throw new CredentialException.Unavailable("the " + name() + " store is not usable: " + state.detail());
        }
        return keychain();
    }
}
