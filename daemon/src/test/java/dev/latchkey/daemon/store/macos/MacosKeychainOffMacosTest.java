package dev.latchkey.daemon.store.macos;

import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.daemon.store.keychain.CargoKeychainItems;
import dev.latchkey.daemon.store.keychain.OperatingSystem;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.ErrorKind;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The macos-keychain store, run off macOS: what can be checked without Security.framework (the
 * item naming, the OSStatus mapping, and that it refuses to run elsewhere). Its calls into the
 * framework have not been run by this project; see the README.
 */
class MacosKeychainOffMacosTest {
    private static final RegistryKey REGISTRY = new RegistryKey("sparse+https://packages.example.com/index/", "company");

    @Test
    void theItemIsCargosGenericPasswordForTheIndexUrl() {
        assertEquals("macos-keychain", MacosKeychainStore.NAME);
        assertEquals("cargo-registry:sparse+https://packages.example.com/index/", CargoKeychainItems.serviceName(REGISTRY));
    }

    @Test
    void statusCodesMapToTheErrorKindsCargoAndLatchkeyUse() {
        assertEquals(ErrorKind.NOT_FOUND, KeychainStatus.failure(-25300, "call").kind());
        CredentialException locked = KeychainStatus.failure(-25308, "call");
        assertEquals(ErrorKind.LOCKED, locked.kind());
        assertTrue(locked.getMessage().contains("security unlock-keychain"), locked.getMessage());
        assertEquals(ErrorKind.DENIED, KeychainStatus.failure(-25293, "call").kind());
        assertEquals(ErrorKind.DENIED, KeychainStatus.failure(-128, "call").kind());
        assertEquals(ErrorKind.UNAVAILABLE, KeychainStatus.failure(-25291, "call").kind());
        assertEquals(ErrorKind.UNAVAILABLE, KeychainStatus.failure(-25294, "call").kind());
        CredentialException other = KeychainStatus.failure(-67030, "SecKeychainAddGenericPassword");
        assertEquals(ErrorKind.OTHER, other.kind());
        assertTrue(other.getMessage().contains("-67030") && other.getMessage().contains("SecKeychainAddGenericPassword"),
                other.getMessage());
    }

    @Test
    void offMacosItIsUnusableBecauseOfTheOsAndLoadsNothing() {
        MacosKeychainStore store = new MacosKeychainStore(OperatingSystem.LINUX);
        StoreState state = store.state();
        assertFalse(state.usable());
        assertEquals("not this OS: the macOS keychain exists only on macOS; on Linux use the `keychain` store", state.detail());
        assertEquals("macos-keychain", store.name());
        CredentialException refused = assertThrows(CredentialException.Unavailable.class,
                () -> store.get(REGISTRY, Operation.READ));
        assertEquals("the macos-keychain store is not usable: " + state.detail(), refused.getMessage());
        assertThrows(CredentialException.Unavailable.class,
                () -> store.put(REGISTRY, StoredToken.plain(Secret.fromString("t"))));
        assertThrows(CredentialException.Unavailable.class, () -> store.erase(REGISTRY));
        assertThrows(CredentialException.Unavailable.class, store::list);
        assertFalse(new MacosKeychainStore(OperatingSystem.WINDOWS).state().usable());
    }
}
