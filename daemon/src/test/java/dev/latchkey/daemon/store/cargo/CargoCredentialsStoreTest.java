package dev.latchkey.daemon.store.cargo;

import dev.latchkey.daemon.store.Arrival;
import dev.latchkey.daemon.store.NameBindings;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

import static dev.latchkey.testing.StoreReads.best;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CargoCredentialsStoreTest {
    private static final RegistryKey CRATES_IO = new RegistryKey(Registry.CRATES_IO_INDEX, Registry.CRATES_IO_NAME);
    private static final RegistryKey ALT = new RegistryKey("sparse+http://127.0.0.1:1/index/", "alt");
    /** `alt` as a cloned project's .cargo/config.toml may name it: for an index URL of its own. */
    private static final RegistryKey REBOUND_ALT = new RegistryKey("sparse+https://attacker.example/index/", "alt");

    @TempDir
    Path cargoHome;

    private CargoCredentialsStore store() {
        Map<String, String> bound = Map.of("alt", ALT.indexUrl());
        return new CargoCredentialsStore(cargoHome, new NameBindings(name -> Optional.ofNullable(bound.get(name)),
                name -> Optional.ofNullable(bound.get(name))));
    }

    private String file() throws Exception {
        return Files.readString(cargoHome.resolve("credentials.toml"));
    }

    @Test
    void writesExactlyWhatCargoLoginWrites() throws Exception {
        store().put(CRATES_IO, StoredToken.plain(Secret.fromString("abcdefg")));
        assertEquals("[registry]\ntoken = \"abcdefg\"\n", file());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cargoHome.resolve("credentials.toml"))));
    }

    @Test
    void keepsOtherRegistriesAndContent() throws Exception {
        Files.writeString(cargoHome.resolve("credentials.toml"),
                "[registry]\ntoken = \"crates\"\n\n[registries.other]\ntoken = \"o\"\nsecret-key = \"k\"\n");
        store().put(ALT, StoredToken.plain(Secret.fromString("alt-token")));
        assertEquals("[registry]\ntoken = \"crates\"\n\n[registries.other]\ntoken = \"o\"\nsecret-key = \"k\"\n\n"
                + "[registries.alt]\ntoken = \"alt-token\"\n", file());
        assertEquals("alt-token", best(store(), ALT, Operation.READ).orElseThrow().secret().reveal());
    }

    @Test
    void eraseRemovesTokenAndKeysButLeavesTheTableLikeCargoLogout() throws Exception {
        Files.writeString(cargoHome.resolve("credentials.toml"),
                "[registries.alt]\ntoken = \"t\"\nsecret-key = \"k\"\nsecret-key-subject = \"s\"\nother = 1\n");
        assertTrue(store().erase(ALT));
        assertEquals("[registries.alt]\nother = 1\n", file());
        assertFalse(store().erase(ALT));
        assertTrue(best(store(), ALT, Operation.READ).isEmpty());
    }

    @Test
    void aNameBoundToAnotherIndexUrlThanTheUsersNeitherReadsNorWritesNorErasesItsToken() throws Exception {
        String kept = "[registries.alt]\ntoken = \"alt-token\"\n";
        Files.writeString(cargoHome.resolve("credentials.toml"), kept);
        StoreException.Refused read = assertThrows(StoreException.Refused.class, () -> store().get(REBOUND_ALT, Arrival.NOW));
        assertTrue(read.getMessage().contains("add [registries.alt] index = \"" + REBOUND_ALT.indexUrl() + "\""), read.getMessage());
        assertFalse(read.getMessage().contains("alt-token"), read.getMessage());
        assertThrows(StoreException.Refused.class, () -> store().put(REBOUND_ALT, StoredToken.plain(Secret.fromString("theirs"))));
        assertThrows(StoreException.Refused.class, () -> store().erase(REBOUND_ALT));
        assertEquals(kept, file(), "nothing written");
        assertEquals("alt-token", best(store(), ALT, Operation.READ).orElseThrow().secret().reveal(), "still the user's registry's");

        RegistryKey unbound = new RegistryKey("sparse+https://elsewhere.example/index/", "elsewhere");
        assertTrue(store().get(unbound, Arrival.NOW).isEmpty(), "an untrusted name with nothing kept under it is simply not here");
        assertFalse(store().erase(unbound));
        assertEquals(kept, file());
    }

    @Test
    void readsAndMovesTheLegacyTopLevelToken() throws Exception {
        Files.writeString(cargoHome.resolve("credentials.toml"), "token = \"legacy\"\n");
        assertEquals("legacy", best(store(), CRATES_IO, Operation.READ).orElseThrow().secret().reveal());
        store().put(ALT, StoredToken.plain(Secret.fromString("a")));
        assertEquals("[registry]\ntoken = \"legacy\"\n\n[registries.alt]\ntoken = \"a\"\n", file());
    }

    @Test
    void usesTheLegacyFileNameWhenItExists() throws Exception {
        Files.writeString(cargoHome.resolve("credentials"), "[registry]\ntoken = \"old\"\n");
        store().put(CRATES_IO, StoredToken.plain(Secret.fromString("new")));
        assertEquals("[registry]\ntoken = \"new\"\n", Files.readString(cargoHome.resolve("credentials")));
        assertFalse(Files.exists(cargoHome.resolve("credentials.toml")));
    }

    @Test
    void listsRegistriesHoldingTokens() throws Exception {
        Files.writeString(cargoHome.resolve("credentials.toml"),
                "[registry]\ntoken = \"c\"\n\n[registries.alt]\ntoken = \"a\"\n\n[registries.unknown-name]\ntoken = \"u\"\n");
        assertEquals(java.util.List.of(CRATES_IO, ALT), store().list(Arrival.NOW).stream().map(StoreEntry::key).toList());
    }

    @Test
    void refusesARegistryWithoutANameOnWrite() {
        RegistryKey unnamed = new RegistryKey("sparse+http://127.0.0.1:2/index/", null);
        StoreException e = assertThrows(StoreException.Refused.class,
                () -> store().put(unnamed, StoredToken.plain(Secret.fromString("t"))));
        assertTrue(e.getMessage().contains("[registries.NAME]"), e.getMessage());
    }

    @Test
    void neverOverwritesADamagedFile() throws Exception {
        String damaged = "[registry\ntoken = \"kept\"\n";
        Files.writeString(cargoHome.resolve("credentials.toml"), damaged);
        StoreException e = assertThrows(StoreException.Unavailable.class,
                () -> store().put(ALT, StoredToken.plain(Secret.fromString("new-token"))));
        assertFalse(e.getMessage().contains("kept"), "the message must not quote the file");
        assertEquals(damaged, file());
    }
}
