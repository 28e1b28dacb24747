package dev.latchkey.daemon.store.keychain;

import dev.latchkey.daemon.config.StoreId;
import dev.latchkey.daemon.store.Arrival;
import dev.latchkey.daemon.store.LoginKey;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the macOS and Windows keychain stores share, run against a map standing in for the OS
 * keychain (neither runs on Linux): which item each credential is kept in, and what {@code list}
 * makes of the items it finds.
 */
class NamedItemKeychainStoreTest {
    private static final RegistryKey REGISTRY = new RegistryKey("sparse+https://packages.example.com/index/", "company");
    private static final LoginKey LOGIN = new LoginKey("https", "git.example", "team/repo.git", "alice@example.com");

    /** A keychain in a map, in place of Security.framework or Credential Manager. */
    private static final class MapStandingInForTheKeychain implements NamedItemKeychain {
        final Map<String, String> items = new TreeMap<>();

        @Override
        public Optional<Secret> find(String name) {
            return Optional.ofNullable(items.get(name)).map(Secret::fromString);
        }

        @Override
        public void save(String name, Secret token) {
            items.put(name, token.reveal());
        }

        @Override
        public boolean delete(String name) {
            return items.remove(name) != null;
        }

        @Override
        public List<String> namesStartingWith(String prefix) {
            List<String> names = new ArrayList<>();
            for (String name : items.keySet()) {
                if (name.startsWith(prefix)) {
                    names.add(name);
                }
            }
            return names;
        }
    }

    private final MapStandingInForTheKeychain keychain = new MapStandingInForTheKeychain();
    private final NamedItemKeychainStore store = new NamedItemKeychainStore(StoreId.MACOS_KEYCHAIN, OperatingSystem.LINUX,
            "the map", OperatingSystem.LINUX) {
        @Override
        protected StoreState stateAtHome() {
            return StoreState.ready("a map");
        }

        @Override
        protected NamedItemKeychain keychain() {
            return keychain;
        }
    };

    @Test
    void aRegistrysTokenIsCargosItemAndALoginIsLatchkeysOwn() throws Exception {
        store.put(REGISTRY, StoredToken.plain(Secret.fromString("registry-token")));
        store.put(LOGIN, StoredToken.plain(Secret.fromString("login-password")));
        assertEquals(Map.of("cargo-registry:sparse+https://packages.example.com/index/", "registry-token",
                "latchkey:login:https://alice%40example.com@git.example/team/repo.git", "login-password"), keychain.items);
        assertEquals("login-password", store.get(LOGIN, Arrival.NOW).get(0).secret().reveal());
        assertTrue(store.get(new LoginKey("https", "git.example", null, "alice@example.com"), Arrival.NOW).isEmpty(),
                "another site's login is another item");
    }

    @Test
    void listFindsBothKindsAndSkipsItemsItCannotRead() throws Exception {
        store.put(REGISTRY, StoredToken.plain(Secret.fromString("registry-token")));
        store.put(LOGIN, StoredToken.plain(Secret.fromString("login-password")));
        keychain.items.put("latchkey:login:not a login", "x");
        keychain.items.put("cargo-registry:", "x");
        List<Object> keys = new ArrayList<>();
        for (StoreEntry entry : store.list(Arrival.NOW)) {
            keys.add(entry.key());
        }
        assertEquals(List.of(new RegistryKey(REGISTRY.indexUrl(), null), LOGIN), keys);
    }

    @Test
    void aTokenLimitedToSomeOperationsIsRefusedAsCargosItemsHoldOneForEvery() {
        assertThrows(StoreException.Refused.class,
                () -> store.put(REGISTRY, new StoredToken(Secret.fromString("t"), Set.of(Operation.PUBLISH), null, null, null)));
        assertTrue(keychain.items.isEmpty());
    }

    @Test
    void eraseRemovesTheOneItem() throws Exception {
        store.put(LOGIN, StoredToken.plain(Secret.fromString("login-password")));
        assertTrue(store.erase(LOGIN));
        assertFalse(store.erase(LOGIN));
        assertTrue(keychain.items.isEmpty());
    }
}
