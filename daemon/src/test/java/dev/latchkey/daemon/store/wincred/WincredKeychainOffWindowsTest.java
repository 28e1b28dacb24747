package dev.latchkey.daemon.store.wincred;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import dev.latchkey.daemon.config.StoreId;
import dev.latchkey.daemon.store.Arrival;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.keychain.OperatingSystem;
import dev.latchkey.protocol.Operation;
import org.junit.jupiter.api.Test;

import static dev.latchkey.testing.StoreReads.best;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The wincred store, run off Windows: the CREDENTIALW layout as JNA lays it out for 64-bit
 * Windows, the credential cargo writes, the size check, the Win32 error mapping, and that it
 * refuses to run elsewhere. Its calls into advapi32 have not been run by this project; see docs/stores.md.
 */
class WincredKeychainOffWindowsTest {

    /** Exposes JNA's computed offsets, which {@code Structure} keeps protected. */
    private static final class Layout extends CredentialW {
        int offsetOf(String field) {
            return fieldOffset(field);
        }
    }

    @Test
    void credentialwHasWindowsX64Layout() {
        assumeTrue(Native.POINTER_SIZE == 8, "the layout checked is the 64-bit one");
        Layout layout = new Layout();
        assertEquals(80, layout.size());
        assertEquals(0, layout.offsetOf("flags"));
        assertEquals(4, layout.offsetOf("type"));
        assertEquals(8, layout.offsetOf("targetName"));
        assertEquals(16, layout.offsetOf("comment"));
        assertEquals(24, layout.offsetOf("lastWritten"));
        assertEquals(32, layout.offsetOf("credentialBlobSize"));
        assertEquals(40, layout.offsetOf("credentialBlob"));
        assertEquals(48, layout.offsetOf("persist"));
        assertEquals(52, layout.offsetOf("attributeCount"));
        assertEquals(56, layout.offsetOf("attributes"));
        assertEquals(64, layout.offsetOf("targetAlias"));
        assertEquals(72, layout.offsetOf("userName"));
        assertEquals(8, new CredentialW.FileTime().size());
    }

    @Test
    void theCredentialIsTheOneCargoWrites() {
        try (Memory blob = new Memory(5)) {
            CredentialW credential = CredentialManager.credential("cargo-registry:sparse+https://r.example/index/", blob, 5);
            assertEquals(1, credential.type, "CRED_TYPE_GENERIC");
            assertEquals(2, credential.persist, "CRED_PERSIST_LOCAL_MACHINE");
            assertEquals("Cargo registry token", credential.comment.toString());
            assertEquals("cargo-registry:sparse+https://r.example/index/", credential.targetName.toString());
            assertEquals(5, credential.credentialBlobSize);
            assertNull(credential.userName);
            assertEquals(0, credential.attributeCount);
        }
    }

    @Test
    void aBlobOverTheLimitIsRefusedBeforeWritingWithTheLimitInTheMessage() {
        assertDoesNotThrow(() -> CredentialManager.checkSize(2560));
        StoreException tooLarge = assertThrows(StoreException.Refused.class, () -> CredentialManager.checkSize(2561));
        assertTrue(tooLarge.getMessage().contains("2561 bytes") && tooLarge.getMessage().contains("at most 2560 bytes"),
                tooLarge.getMessage());
    }

    @Test
    void win32ErrorsMapToTheErrorKindsCargoAndLatchkeyUse() {
        assertInstanceOf(StoreException.NotFound.class, Win32Errors.failure(1168, "CredReadW"));
        StoreException noSession = Win32Errors.failure(1312, "CredReadW");
        assertInstanceOf(StoreException.Unavailable.class, noSession);
        assertTrue(noSession.getMessage().contains("logon session"), noSession.getMessage());
        assertInstanceOf(StoreException.Refused.class, Win32Errors.failure(1783, "CredWriteW"));
        assertInstanceOf(StoreException.Denied.class, Win32Errors.failure(5, "CredWriteW"));
        StoreException other = Win32Errors.failure(87, "CredWriteW");
        assertInstanceOf(StoreException.Failed.class, other);
        assertTrue(other.getMessage().contains("87") && other.getMessage().contains("CredWriteW"), other.getMessage());
    }

    @Test
    void offWindowsItIsUnusableBecauseOfTheOs() {
        WincredStore store = new WincredStore(OperatingSystem.LINUX);
        StoreState state = store.diagnose(false);
        assertFalse(state.usable());
        assertEquals("not this OS: Windows Credential Manager exists only on Windows; on Linux use the `keychain` store",
                state.detail());
        assertEquals(StoreId.WINCRED, store.id());
        RegistryKey registry = new RegistryKey("sparse+https://r.example/index/", null);
        StoreException refused = assertThrows(StoreException.Unavailable.class, () -> best(store, registry, Operation.READ));
        assertEquals("the wincred store is not usable: " + state.detail(), refused.getMessage());
        assertThrows(StoreException.Unavailable.class, () -> store.erase(registry));
        assertThrows(StoreException.Unavailable.class, () -> store.list(Arrival.NOW));
        assertFalse(new WincredStore(OperatingSystem.MACOS).diagnose(false).usable());
    }
}
