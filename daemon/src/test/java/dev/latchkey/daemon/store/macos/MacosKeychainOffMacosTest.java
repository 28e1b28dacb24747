package dev.latchkey.daemon.store.macos;

import dev.latchkey.daemon.config.StoreId;
import dev.latchkey.daemon.store.Arrival;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.daemon.store.keychain.CargoKeychainItems;
import dev.latchkey.daemon.store.keychain.OperatingSystem;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;

import static dev.latchkey.testing.StoreReads.best;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The macos-keychain store, run off macOS: what can be checked without Security.framework (the
 * item naming, the OSStatus mapping, and that it refuses to run elsewhere). Its calls into the
 * framework have not been run by this project; see docs/stores.md.
 */
class MacosKeychainOffMacosTest {
    private static final RegistryKey REGISTRY = new RegistryKey("sparse+https://packages.example.com/index/", "company");

    @Test
    void theItemIsCargosGenericPasswordForTheIndexUrl() {
        assertEquals("macos-keychain", new MacosKeychainStore(OperatingSystem.LINUX).id().configName());
        assertEquals("cargo-registry:sparse+https://packages.example.com/index/", CargoKeychainItems.serviceName(REGISTRY));
    }

    @Test
    void statusCodesMapToTheErrorKindsCargoAndLatchkeyUse() {
        assertInstanceOf(StoreException.NotFound.class, KeychainStatus.failure(-25300, "call"));
        StoreException locked = KeychainStatus.failure(-25308, "call");
        assertInstanceOf(StoreException.Locked.class, locked);
        assertTrue(locked.getMessage().contains("security unlock-keychain"), locked.getMessage());
        assertInstanceOf(StoreException.Denied.class, KeychainStatus.failure(-25293, "call"));
        assertInstanceOf(StoreException.Denied.class, KeychainStatus.failure(-128, "call"));
        assertInstanceOf(StoreException.Unavailable.class, KeychainStatus.failure(-25291, "call"));
        assertInstanceOf(StoreException.Unavailable.class, KeychainStatus.failure(-25294, "call"));
        StoreException other = KeychainStatus.failure(-67030, "SecKeychainAddGenericPassword");
        assertInstanceOf(StoreException.Failed.class, other);
        assertTrue(other.getMessage().contains("-67030") && other.getMessage().contains("SecKeychainAddGenericPassword"),
                other.getMessage());
    }

    @Test
    void offMacosItIsUnusableBecauseOfTheOsAndLoadsNothing() {
        MacosKeychainStore store = new MacosKeychainStore(OperatingSystem.LINUX);
        StoreState state = store.diagnose(false);
        assertFalse(state.usable());
        assertEquals("not this OS: the macOS keychain exists only on macOS; on Linux use the `keychain` store", state.detail());
        assertEquals(StoreId.MACOS_KEYCHAIN, store.id());
        StoreException refused = assertThrows(StoreException.Unavailable.class,
                () -> best(store, REGISTRY, Operation.READ));
        assertEquals("the macos-keychain store is not usable: " + state.detail(), refused.getMessage());
        assertThrows(StoreException.Unavailable.class,
                () -> store.put(REGISTRY, StoredToken.plain(Secret.fromString("t"))));
        assertThrows(StoreException.Unavailable.class, () -> store.erase(REGISTRY));
        assertThrows(StoreException.Unavailable.class, () -> store.list(Arrival.NOW));
        assertFalse(new MacosKeychainStore(OperatingSystem.WINDOWS).diagnose(false).usable());
    }
}
