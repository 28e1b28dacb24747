package dev.latchkey.daemon.store.keychain;

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

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the {@code macos-keychain} and {@code wincred} stores share: cargo's items named
 * {@code cargo-registry:<index URL>}, one token per registry for every operation and without
 * expiry; and latchkey's own items for logins, named {@code latchkey:} and the login's canonical
 * form. A subclass says whether its keychain can be used here, and hands it out.
 */
public abstract class NamedItemKeychainStore implements Store {
    /** The prefix of the items latchkey keeps logins in; cargo never reads them. */
    static final String LOGIN_PREFIX = "latchkey:";

    private final StoreId id;
    private final Capabilities capabilities;
    private final OperatingSystem home;
    private final String keychainName;
    private final OperatingSystem os;

    /**
     * @param id           the store, named as cargo's built-in provider is
     * @param home         the one OS this keychain exists on
     * @param keychainName how the keychain is called in a message
     * @param os           the OS this process runs on
     */
    protected NamedItemKeychainStore(StoreId id, OperatingSystem home, String keychainName, OperatingSystem os) {
        this.id = id;
        // A call into the OS keychain, which may prompt: worth keeping what it read.
        this.capabilities = Capabilities.writable(id).slowToRead().oneTokenPerRegistry();
        this.home = home;
        this.keychainName = keychainName;
        this.os = os;
    }

    /** On its own OS: whether the binding loaded, and what the keychain holds; the binding is loaded here. */
    protected abstract StoreState stateAtHome();

    /** The keychain; called only once {@link #diagnose} says it is usable. */
    protected abstract NamedItemKeychain keychain();

    @Override
    public final StoreId id() {
        return id;
    }

    @Override
    public final Capabilities capabilities() {
        return capabilities;
    }

    /** No native code is loaded off its own OS; on it, the binding is all there is to check without asking for an item. */
    @Override
    public final StoreState diagnose(boolean thorough) {
        if (os != home) {
            return StoreState.unusable("not this OS: " + keychainName + " exists only on " + home.displayName() + "; on "
                    + os.displayName() + " use the `keychain` store");
        }
        return stateAtHome();
    }

    /** The name of the item {@code key} is kept in. */
    static String itemName(CredentialKey key) {
        return key instanceof RegistryKey registry ? CargoKeychainItems.serviceName(registry) : LOGIN_PREFIX + key.canonical();
    }

    @Override
    public List<StoredToken> get(CredentialKey key, Arrival arrival) throws StoreException {
        Optional<StoredToken> found = usable().find(itemName(key)).map(StoredToken::plain);
        return found.map(List::of).orElse(List.of());
    }

    @Override
    public void put(CredentialKey key, StoredToken token) throws StoreException {
        CargoKeychainItems.requireCargoShaped(token, id.configName());
        usable().save(itemName(key), token.secret());
    }

    @Override
    public boolean erase(CredentialKey key) throws StoreException {
        return usable().delete(itemName(key));
    }

    @Override
    public List<StoreEntry> list(Arrival arrival) throws StoreException {
        NamedItemKeychain keychain = usable();
        List<StoreEntry> entries = new ArrayList<>();
        for (String name : keychain.namesStartingWith(CargoKeychainItems.PREFIX)) {
            String indexUrl = name.substring(CargoKeychainItems.PREFIX.length());
            if (!indexUrl.isEmpty()) {
                entries.add(new StoreEntry(new RegistryKey(indexUrl, null), Set.of(), null, null, null));
            }
        }
        for (String name : keychain.namesStartingWith(LOGIN_PREFIX + LoginKey.PREFIX)) {
            LoginKey.tryParse(name.substring(LOGIN_PREFIX.length()))
                    .ifPresent(login -> entries.add(new StoreEntry(login, Set.of(), null, null, null)));
        }
        return entries;
    }

    private NamedItemKeychain usable() throws StoreException {
        StoreState state = diagnose(false);
        if (!state.usable()) {
            throw new StoreException.Unavailable("the " + id + " store is not usable: " + state.detail());
        }
        return keychain();
    }
}
