package dev.latchkey.daemon.store.wincred;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.keychain.OperatingSystem;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.ErrorKind;
import dev.latchkey.protocol.Operation;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The wincred store, run off Windows: the CREDENTIALW layout as JNA lays it out for 64-bit
 * Windows, the credential cargo writes, the size check, the Win32 error mapping, and that it
 * refuses to run elsewhere. Its calls into advapi32 have not been run by this project; see the README.
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
            assertEquals("wincred", WincredStore.NAME);
        }
    }

    @Test
    void aBlobOverTheLimitIsRefusedBeforeWritingWithTheLimitInTheMessage() {
        assertDoesNotThrow(() -> CredentialManager.checkSize(2560));
        CredentialException tooLarge = assertThrows(CredentialException.BadRequest.class, () -> CredentialManager.checkSize(2561));
        assertTrue(tooLarge.getMessage().contains("2561 bytes") && tooLarge.getMessage().contains("at most 2560 bytes"),
                tooLarge.getMessage());
    }

    @Test
    void win32ErrorsMapToTheErrorKindsCargoAndLatchkeyUse() {
        assertEquals(ErrorKind.NOT_FOUND, Win32Errors.failure(1168, "CredReadW").kind());
        CredentialException noSession = Win32Errors.failure(1312, "CredReadW");
        assertEquals(ErrorKind.UNAVAILABLE, noSession.kind());
        assertTrue(noSession.getMessage().contains("logon session"), noSession.getMessage());
        assertEquals(ErrorKind.BAD_REQUEST, Win32Errors.failure(1783, "CredWriteW").kind());
        assertEquals(ErrorKind.DENIED, Win32Errors.failure(5, "CredWriteW").kind());
        CredentialException other = Win32Errors.failure(87, "CredWriteW");
        assertEquals(ErrorKind.OTHER, other.kind());
        assertTrue(other.getMessage().contains("87") && other.getMessage().contains("CredWriteW"), other.getMessage());
    }

    @Test
    void offWindowsItIsUnusableBecauseOfTheOs() {
        WincredStore store = new WincredStore(OperatingSystem.LINUX);
        StoreState state = store.state();
        assertFalse(state.usable());
        assertEquals("not this OS: Windows Credential Manager exists only on Windows; on Linux use the `keychain` store",
                state.detail());
        assertEquals("wincred", store.name());
        RegistryKey registry = new RegistryKey("sparse+https://r.example/index/", null);
        CredentialException refused = assertThrows(CredentialException.Unavailable.class, () -> store.get(registry, Operation.READ));
        assertEquals("the wincred store is not usable: " + state.detail(), refused.getMessage());
        assertThrows(CredentialException.Unavailable.class, () -> store.erase(registry));
        assertThrows(CredentialException.Unavailable.class, store::list);
        assertFalse(new WincredStore(OperatingSystem.MACOS).state().usable());
    }
}
