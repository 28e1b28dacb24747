package dev.latchkey.daemon.store.keychain;

import dev.latchkey.daemon.config.StoreId;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.memory.MemoryStore;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code keychain} stands for the platform's own keychain store. */
class PlatformKeychainTest {

    @Test
    void eachOperatingSystemGetsItsKeychain() {
        assertEquals(StoreId.LIBSECRET, PlatformKeychainStore.choose(OperatingSystem.LINUX));
        assertEquals(StoreId.MACOS_KEYCHAIN, PlatformKeychainStore.choose(OperatingSystem.MACOS));
        assertEquals(StoreId.WINCRED, PlatformKeychainStore.choose(OperatingSystem.WINDOWS));
    }

    @Test
    void osNamePropertyValuesAreRecognised() {
        assertEquals(OperatingSystem.LINUX, OperatingSystem.fromOsName("Linux"));
        assertEquals(OperatingSystem.MACOS, OperatingSystem.fromOsName("Mac OS X"));
        assertEquals(OperatingSystem.WINDOWS, OperatingSystem.fromOsName("Windows 11"));
        assertEquals(OperatingSystem.OTHER, OperatingSystem.fromOsName("FreeBSD"));
    }

    @Test
    void itAnswersAsKeychainAndSaysWhichStoreItIs() {
        PlatformKeychainStore keychain = new PlatformKeychainStore(new MemoryStore());
        assertEquals(StoreId.KEYCHAIN, keychain.id());
        StoreState state = keychain.diagnose(false);
        assertTrue(state.usable());
        assertTrue(state.detail().startsWith("memory: "), state.detail());
    }
}
