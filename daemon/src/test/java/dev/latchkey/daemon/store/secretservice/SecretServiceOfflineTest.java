package dev.latchkey.daemon.store.secretservice;

import com.sun.jna.Native;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.keychain.OperatingSystem;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static dev.latchkey.testing.StoreReads.best;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The libsecret store's decisions that need no Secret Service: finding the session bus, mapping
 * GErrors, the schema's layout, and refusing to run where it cannot. The store against a real
 * gnome-keyring is {@code LibsecretKeyringIT}.
 */
class SecretServiceOfflineTest {
    private static final Duration DEADLINE = Duration.ofSeconds(5);

    private static Environment env(Map<String, String> variables, Path home) {
        return new Environment(variables, home, home);
    }

    @Test
    void aBusIsFoundByAddressOrByTheRuntimeDirectorySocket(@TempDir Path home) throws IOException {
        assertFalse(SessionBus.missing(env(Map.of("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nowhere"), home)).isPresent());
        Files.createFile(home.resolve("bus"));
        assertFalse(SessionBus.missing(env(Map.of("XDG_RUNTIME_DIR", home.toString()), home)).isPresent());
        assertTrue(SessionBus.missing(env(Map.of("DBUS_SESSION_BUS_ADDRESS", ""), home)).isPresent(),
                "an empty address is no address");
    }

    @Test
    void withoutABusTheStoreIsUnusableAndAGetIsUnavailableWithTheFix(@TempDir Path home) {
        SecretServiceStore store = new SecretServiceStore(OperatingSystem.LINUX, env(Map.of(), home));
        StoreState state = store.diagnose(false);
        assertFalse(state.usable());
        assertTrue(state.detail().startsWith("no session bus") && state.detail().contains("gnome-keyring-daemon --unlock"),
                state.detail());
        StoreException e = assertThrows(StoreException.Unavailable.class,
                () -> best(store, new RegistryKey("sparse+https://r.example/index/", null), Operation.READ));
        assertTrue(e.getMessage().contains("no session bus"), e.getMessage());
    }

    @Test
    void onMacosAndWindowsItIsNotThisOs(@TempDir Path home) {
        Environment withBus = env(Map.of("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nowhere"), home);
        for (OperatingSystem os : new OperatingSystem[] {OperatingSystem.MACOS, OperatingSystem.WINDOWS}) {
            StoreState state = new SecretServiceStore(os, withBus).diagnose(false);
            assertFalse(state.usable());
            assertTrue(state.detail().startsWith("not this OS"), state.detail());
        }
    }

    @Test
    void aBadTimeoutSettingMakesTheStoreUnusableAndSaysWhy(@TempDir Path home) {
        StoreState state = new SecretServiceStore(OperatingSystem.LINUX, env(Map.of(
                "DBUS_SESSION_BUS_ADDRESS", "unix:path=/nowhere", SecretServiceStore.TIMEOUT_VARIABLE, "soon"), home)).diagnose(false);
        assertFalse(state.usable());
        assertTrue(state.detail().startsWith(SecretServiceStore.TIMEOUT_VARIABLE), state.detail());
    }

    @Test
    void gerrorsMapByDomainAndCodeToErrorKinds() {
        assertMaps(StoreException.Unavailable.class, "not answer within 5000 ms",
                new SecretServiceError("g-io-error-quark", 19, "Operation was cancelled", true));
        // Only latchkey's own deadline is reported as its deadline; D-Bus's timeouts say who gave up.
        assertMaps(StoreException.Unavailable.class, "before the session bus gave up waiting (Timeout was reached [g-io-error-quark 24]",
                new SecretServiceError("g-io-error-quark", 24, "Timeout was reached", false));
        assertMaps(StoreException.Unavailable.class, "before the session bus gave up waiting (No reply [g-dbus-error-quark 4]",
                new SecretServiceError("g-dbus-error-quark", 4, "No reply", false));
        assertMaps(StoreException.Unavailable.class, "cannot talk to the Secret Service: Operation was cancelled",
                new SecretServiceError("g-io-error-quark", 19, "Operation was cancelled", false));
        assertMaps(StoreException.Locked.class, "gnome-keyring-daemon --replace --unlock",
                new SecretServiceError("secret-error", 2, "Cannot create an item in a locked collection", false));
        assertMaps(StoreException.Unavailable.class, "apt-get install gnome-keyring", new SecretServiceError("g-dbus-error-quark", 2,
                "The name org.freedesktop.secrets was not provided by any .service files", false));
        assertMaps(StoreException.Denied.class, "refused", new SecretServiceError("g-dbus-error-quark", 9, "Access denied", false));
        assertMaps(StoreException.Unavailable.class, "g-io-error-quark 0",
                new SecretServiceError("g-io-error-quark", 0, "Cannot autolaunch D-Bus without X11 $DISPLAY", false));
        assertMaps(StoreException.Failed.class, "secret-error 1", new SecretServiceError("secret-error", 1, "protocol", false));
    }

    private static void assertMaps(Class<? extends StoreException> kind, String messagePart, SecretServiceError error) {
        StoreException mapped = SecretServiceFailures.of(error, DEADLINE);
        assertInstanceOf(kind, mapped, mapped.getMessage());
        assertTrue(mapped.getMessage().contains(messagePart), mapped.getMessage());
    }

    @Test
    void cargosSchemaHasLibsecretsLayout() {
        assumeTrue(Native.POINTER_SIZE == 8, "the layout checked is the 64-bit one");
        SecretSchema schema = new SecretSchema("org.rust-lang.cargo.registry", SecretSchema.FLAGS_NONE, "url");
        // name, flags, 32 x {name, type}, reserved, reserved1..7
        assertEquals(8 + 8 + 32 * 16 + 8 + 7 * 8, schema.size());
        assertEquals("url", schema.attributes[0].name);
        assertNull(schema.attributes[1].name, "the attribute list ends with a NULL name");
        assertEquals("org.rust-lang.cargo.registry", schema.getPointer().getPointer(0).getString(0));
        assertEquals("url", schema.getPointer().getPointer(16).getString(0));
        assertEquals(0L, schema.getPointer().getLong(32), "the second slot is empty");
    }
}
