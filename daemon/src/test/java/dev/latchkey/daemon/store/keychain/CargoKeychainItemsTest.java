package dev.latchkey.daemon.store.keychain;

import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The item names cargo's built-in keychain providers use, as golden strings (docs/stores.md, "Keychains"). */
class CargoKeychainItemsTest {
    private static final RegistryKey NAMED = new RegistryKey("sparse+https://packages.example.com/index/", "company");
    private static final RegistryKey UNNAMED = new RegistryKey("sparse+https://packages.example.com/index/", null);

    @Test
    void libsecretUsesCargosSchemaAttributeAndCollection() {
        assertEquals("org.rust-lang.cargo.registry", CargoKeychainItems.SECRET_SCHEMA);
        assertEquals("url", CargoKeychainItems.URL_ATTRIBUTE);
        assertEquals("default", CargoKeychainItems.COLLECTION);
    }

    @Test
    void libsecretLabelNamesTheRegistryWhenItHasAName() {
        assertEquals("cargo-registry:company", CargoKeychainItems.secretServiceLabel(NAMED));
        assertEquals("cargo-registry:sparse+https://packages.example.com/index/", CargoKeychainItems.secretServiceLabel(UNNAMED));
    }

    @Test
    void macosServiceAndWindowsTargetAreTheIndexUrlExactlyAsCargoSendsIt() {
        assertEquals("cargo-registry:sparse+https://packages.example.com/index/", CargoKeychainItems.serviceName(NAMED));
        assertEquals("cargo-registry:https://github.com/rust-lang/crates.io-index",
                CargoKeychainItems.serviceName(new RegistryKey("https://github.com/rust-lang/crates.io-index", "crates-io")));
        assertEquals("Cargo registry token", CargoKeychainItems.WINCRED_COMMENT);
    }

    @Test
    void aLabelGivesBackTheNameOnlyWhenItHoldsOne() {
        String url = "sparse+https://packages.example.com/index/";
        assertEquals("company", CargoKeychainItems.nameFromLabel("cargo-registry:company", url));
        assertNull(CargoKeychainItems.nameFromLabel("cargo-registry:" + url, url));
        assertNull(CargoKeychainItems.nameFromLabel("cargo-registry:https://other.example/index", url));
        assertNull(CargoKeychainItems.nameFromLabel("something else", url));
        assertNull(CargoKeychainItems.nameFromLabel(null, url));
    }

    @Test
    void onlyATokenForEveryOperationFitsAnItemCargoWouldRead() {
        assertDoesNotThrow(() -> CargoKeychainItems.requireCargoShaped(StoredToken.plain(Secret.fromString("t")), "libsecret"));
        StoreException scoped = assertThrows(StoreException.Refused.class, () -> CargoKeychainItems.requireCargoShaped(
                new StoredToken(Secret.fromString("t"), Set.of(Operation.PUBLISH), null, null, null), "libsecret"));
        assertTrue(scoped.getMessage().contains("--store file"), scoped.getMessage());
        // an expiry is kept in latchkey's metadata book, beside the item
        assertDoesNotThrow(() -> CargoKeychainItems.requireCargoShaped(
                new StoredToken(Secret.fromString("t"), Set.of(), 1_900_000_000L, null, null), "wincred"));
    }
}
