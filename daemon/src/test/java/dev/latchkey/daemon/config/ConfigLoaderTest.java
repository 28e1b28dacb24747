package dev.latchkey.daemon.config;


import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    @TempDir
    Path home;

    private Environment env() {
        return new Environment(Map.of(), home, home);
    }

    private Config load(String text) throws Exception {
        Path file = home.resolve("config.toml");
        Files.writeString(file, text);
        return new ConfigLoader(env()).load(file);
    }

    private String error(String text) {
        return assertThrows(ConfigException.class, () -> load(text)).getMessage();
    }

    @Test
    void anAbsentDefaultFileMeansDefaults() throws Exception {
        Config config = new ConfigLoader(env()).load(null);
        assertNull(config.source());
        assertEquals(List.of(StoreId.ENV, StoreId.KEYCHAIN, StoreId.FILE, StoreId.CARGO), config.storeOrder());
        assertEquals(home.resolve(".local/share/latchkey/tokens.toml"), config.tokenFile());
        assertEquals(Duration.ofMinutes(30), config.idleTimeout());
    }

    @Test
    void anAbsentExplicitFileIsAnError() {
        Path missing = home.resolve("nope.toml");
        String message = assertThrows(ConfigException.class, () -> new ConfigLoader(env()).load(missing)).getMessage();
        assertTrue(message.contains(missing.toString()), message);
        assertTrue(message.contains("create it, or stop naming it in --config or LATCHKEY_CONFIG"), message);
    }

    /** A request may name any path after --config: none of these may block or fill the heap. */
    @Test
    void aPathThatIsNoConfigFileIsRefusedWithoutReadingIt() throws Exception {
        Path fifo = home.resolve("fifo");
        new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor();
        Path huge = home.resolve("huge.toml");
        Files.write(huge, new byte[ConfigLoader.MAX_CONFIG_BYTES + 1]);
        for (Path path : List.of(Path.of("/dev/zero"), fifo, home)) {
            String message = assertThrows(ConfigException.class, () -> new ConfigLoader(env()).load(path)).getMessage();
            assertEquals(path + ": not a regular file; a config file is a TOML text file", message);
        }
        String message = assertThrows(ConfigException.class, () -> new ConfigLoader(env()).load(huge)).getMessage();
        assertEquals(huge + ": larger than 1024 KiB, which no latchkey config is; is this the right file?", message);
    }

    @Test
    void readsTheSpecExample() throws Exception {
        Config config = load("""
                stores = ["env", "keychain", "file"]        # lookup order

                [daemon]
                idle-timeout = "30m"
                cache-ttl = "10m"

                [store.file]
                path = "~/.local/share/latchkey/tokens.toml"

                [store.encrypted]
                path = "~/.local/share/latchkey/secrets.enc"
                passphrase-env = "LATCHKEY_PASSPHRASE"

                [store.command]
                get = ["pass", "show", "cargo/{name}"]

                [registries.company]
                index = "sparse+https://packages.example.com/index/"
                stores = ["keychain"]
                """);
        assertEquals(List.of(StoreId.ENV, StoreId.KEYCHAIN, StoreId.FILE), config.storeOrder());
        assertEquals(Duration.ofMinutes(10), config.cacheTtl());
        assertEquals(home.resolve(".local/share/latchkey/tokens.toml"), config.tokenFile());
        assertEquals(home.resolve(".local/share/latchkey/secrets.enc"), config.encryptedFile());
        assertEquals("LATCHKEY_PASSPHRASE", config.passphraseEnv());
        assertEquals(Config.EncryptedKey.PASSPHRASE, config.encryptedKey());
        assertEquals(List.of("pass", "show", "cargo/{name}"), config.commandGet());
        Config.RegistryConfig company = config.registry("company").orElseThrow();
        assertEquals("sparse+https://packages.example.com/index/", company.index());
        assertEquals(List.of(StoreId.KEYCHAIN), company.stores());
        assertEquals(company, config.registryByIndex("sparse+https://packages.example.com/index/").orElseThrow());
    }

    @Test
    void badTomlNamesFileLineAndColumn() {
        String message = error("stores = [\"env\"]\n[daemon\nidle-timeout = \"1m\"\n");
        assertTrue(message.startsWith(home.resolve("config.toml") + ":2:"), message);
        assertTrue(message.endsWith("correct that line (see docs/configuration.md), then retry"), message);
    }

    @Test
    void anUnknownKeyNamesItsLine() {
        String message = error("\n\n[daemon]\nidel-timeout = \"1m\"\n");
        assertTrue(message.contains(":4:"), message);
        assertTrue(message.contains("unknown key `daemon.idel-timeout`"), message);
        assertTrue(message.endsWith("correct that line (see docs/configuration.md), then retry"), message);
    }

    @Test
    void wrongTypesAndValuesAreNamed() {
        assertTrue(error("stores = \"file\"\n").contains("`stores` must be an array of strings"));
        assertTrue(error("stores = [\"file\", \"vault\"]\n").contains("unknown store `vault`"));
        assertTrue(error("[daemon]\ncache-ttl = \"ten minutes\"\n").contains("is not a duration"));
        assertTrue(error("registries = 3\n").contains("`registries` must be a table"));
    }

    @Test
    void theEncryptedStoresKeySourceIsPassphraseOrKeychain() throws Exception {
        Config keychain = load("[store.encrypted]\nkey = \"keychain\"\npassphrase-env = \"MY_PASS\"\npath = \"~/s.enc\"\n");
        assertEquals(Config.EncryptedKey.KEYCHAIN, keychain.encryptedKey());
        assertEquals("MY_PASS", keychain.passphraseEnv());
        assertEquals(home.resolve("s.enc"), keychain.encryptedFile());
        String message = error("[store.encrypted]\n\nkey = \"password\"\n");
        assertTrue(message.contains(":3:") && message.contains("`key` must be \"passphrase\"")
                && message.contains("\"keychain\""), message);
    }

    @Test
    void durationsAcceptTheDocumentedForms() {
        assertEquals(Duration.ofSeconds(90), Durations.parse("90s"));
        assertEquals(Duration.ofDays(90), Durations.parse("90d"));
        assertEquals(Duration.ZERO, Durations.parse("0"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("5"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("-5m"));
    }

    @Test
    void rotateAfterIsTopLevelOrPerRegistryAndZeroMeansNever() throws Exception {
        Config config = load("rotate-after = \"90d\"\n[registries.a]\nindex = \"u\"\nrotate-after = \"30d\"\n"
                + "[registries.b]\nindex = \"v\"\n[registries.c]\nindex = \"w\"\nrotate-after = \"0\"\n");
        assertEquals(Duration.ofDays(30), config.rotateAfter("a"));
        assertEquals(Duration.ofDays(90), config.rotateAfter("b"));
        assertEquals(Duration.ZERO, config.rotateAfter("c"));
        assertEquals(Duration.ofDays(90), config.rotateAfter(null));
        assertEquals(Duration.ZERO, load("").rotateAfter("a"), "off unless configured");
        String message = error("\nrotate-after = \"three months\"\n");
        assertTrue(message.contains(":2:") && message.contains("`rotate-after`") && message.contains("is not a duration"), message);
    }

    @Test
    void durationsAreWrittenInTheirLargestWholeUnit() {
        assertEquals("91d", Durations.format(Duration.ofDays(91).plusHours(5)));
        assertEquals("36h", Durations.format(Duration.ofHours(36)));
        assertEquals("5m", Durations.format(Duration.ofSeconds(330)));
        assertEquals("42s", Durations.format(Duration.ofSeconds(42)));
        assertEquals(Duration.ofDays(91), Durations.parse(Durations.format(Duration.ofDays(91))));
    }
}
