package dev.latchkey.daemon.metadata;

import dev.latchkey.daemon.ownership.OwnerOnly;
import dev.latchkey.daemon.store.Arrival;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetadataBookTest {
    private static final RegistryKey ALT = new RegistryKey("sparse+http://127.0.0.1:9/index/", "alt");

    @TempDir
    Path dir;

    private MetadataBook book() {
        return new MetadataBook(dir.resolve("state/metadata.json"));
    }

    private static Secret secret(String value) {
        return Secret.fromString(value);
    }

    @Test
    void sha256MatchesTheJdksForEveryLengthAroundTheBlockBoundaries() throws Exception {
        Random random = new Random(42);
        for (int length = 0; length < 300; length++) {
            byte[] message = new byte[length];
            random.nextBytes(message);
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(message), Sha256.digest(message), "length " + length);
        }
    }

    @Test
    void aStoredTokenIsFoundByItselfAndNeverByAnother() throws Exception {
        MetadataBook book = book();
        book.recordStored(ALT, "libsecret", secret("tok-1"), Set.of(), 2000L, 1000, false);
        book.settle(ALT, "libsecret", secret("tok-1"), Set.of());
        MetadataBook.Page page = book.read(Arrival.NOW);
        BookEntry entry = page.entryFor(ALT.indexUrl(), secret("tok-1")).orElseThrow();
        assertEquals(2000L, entry.expiration());
        assertEquals(1000L, entry.created());
        assertEquals(1000L, entry.updated());
        assertEquals(Set.of("libsecret"), entry.stores());
        // cargo login replaced the item behind latchkey's back: the new token has no entry, so no expiry
        assertTrue(page.entryFor(ALT.indexUrl(), secret("tok-2")).isEmpty());
        assertTrue(page.entryFor("sparse+http://other/index/", secret("tok-1")).isEmpty());
        assertEquals(entry, page.entryFilling(ALT.indexUrl(), "libsecret", Set.of()).orElseThrow());
    }

    @Test
    void theBookHoldsNoTokenAndIsPrivate() throws Exception {
        MetadataBook book = book();
        book.recordStored(ALT, "file", secret("tok-canary-42"), Set.of(Operation.PUBLISH), null, 1000, false);
        String text = Files.readString(book.path());
        assertFalse(text.contains("tok-canary-42"), text);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(book.path())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(book.path().getParent())));
    }

    @Test
    void aReplacementKeepsCreatedAndAgesFromItsOwnArrival() throws Exception {
        MetadataBook book = book();
        book.recordStored(ALT, "file", secret("old"), Set.of(), null, 1000, false);
        book.settle(ALT, "file", secret("old"), Set.of());
        book.recordStored(ALT, "file", secret("new"), Set.of(), null, 5000, true);
        book.settle(ALT, "file", secret("new"), Set.of());
        MetadataBook.Page page = book.read(Arrival.NOW);
        BookEntry rotated = page.entryFor(ALT.indexUrl(), secret("new")).orElseThrow();
        assertEquals(1000L, rotated.created());
        assertEquals(5000L, rotated.updated());
        assertEquals(5000L, rotated.rotated());
        assertTrue(page.entryFor(ALT.indexUrl(), secret("old")).isEmpty(), "settling drops the replaced token's entry");
        assertEquals(1, page.entries().size());

        // the same token given again keeps its age
        book.recordStored(ALT, "file", secret("new"), Set.of(), null, 9000, false);
        assertEquals(5000L, book.read(Arrival.NOW).entryFor(ALT.indexUrl(), secret("new")).orElseThrow().updated());
    }

    @Test
    void aRefusedTokenIsWithdrawnAndTheOldOneKeepsItsEntry() throws Exception {
        MetadataBook book = book();
        book.recordStored(ALT, "libsecret", secret("old"), Set.of(), 3000L, 1000, false);
        book.settle(ALT, "libsecret", secret("old"), Set.of());
        book.recordStored(ALT, "libsecret", secret("new"), Set.of(), null, 2000, false);
        book.withdraw(ALT, "libsecret", secret("new"));
        MetadataBook.Page page = book.read(Arrival.NOW);
        assertEquals(3000L, page.entryFor(ALT.indexUrl(), secret("old")).orElseThrow().expiration());
        assertTrue(page.entryFor(ALT.indexUrl(), secret("new")).isEmpty());
    }

    @Test
    void scopedTokensOfOneRegistryHaveEntriesOfTheirOwn() throws Exception {
        MetadataBook book = book();
        book.recordStored(ALT, "file", secret("read"), Set.of(Operation.READ), null, 1000, false);
        book.recordStored(ALT, "file", secret("pub"), Set.of(Operation.PUBLISH, Operation.YANK), null, 1001, false);
        book.settle(ALT, "file", secret("pub"), Set.of(Operation.PUBLISH, Operation.YANK));
        MetadataBook.Page page = book.read(Arrival.NOW);
        assertEquals(Set.of(Operation.READ), page.entryFor(ALT.indexUrl(), secret("read")).orElseThrow().operations());
        assertEquals(1001L, page.entryFilling(ALT.indexUrl(), "file", Set.of(Operation.YANK, Operation.PUBLISH)).orElseThrow().created());
        book.erased(ALT, "file");
        assertTrue(book.read(Arrival.NOW).entries().isEmpty());
    }

    @Test
    void lastUseIsWrittenAtMostOnceAMinute() throws Exception {
        MetadataBook book = book();
        book.used(ALT, "cargo", secret("t"), Set.of(), null, null, null, 1000);
        BookEntry first = book.read(Arrival.NOW).entryFor(ALT.indexUrl(), secret("t")).orElseThrow();
        assertEquals(1000L, first.lastUsed());
        assertNull(first.created(), "a token latchkey did not store has no known creation");
        long modified = Files.getLastModifiedTime(book.path()).toMillis();
        String before = Files.readString(book.path());
        book.used(ALT, "cargo", secret("t"), Set.of(), null, null, null, 1059);
        assertEquals(before, Files.readString(book.path()), "within a minute nothing is rewritten");
        assertEquals(modified, Files.getLastModifiedTime(book.path()).toMillis());
        book.used(ALT, "cargo", secret("t"), Set.of(), null, null, null, 1060);
        assertEquals(1060L, book.read(Arrival.NOW).entryFor(ALT.indexUrl(), secret("t")).orElseThrow().lastUsed());
        assertTrue(MetadataBook.isStale(null, 0));
        assertFalse(MetadataBook.isStale(1000L, 1059));
    }

    @Test
    void aTokenSeenForTheFirstTimeTakesItsStoresSlot() throws Exception {
        MetadataBook book = book();
        book.recordStored(ALT, "cargo", secret("old"), Set.of(), 3000L, 1000, false);
        book.used(ALT, "cargo", secret("replaced-by-cargo-login"), Set.of(), null, null, null, 2000);
        MetadataBook.Page page = book.read(Arrival.NOW);
        assertTrue(page.entryFor(ALT.indexUrl(), secret("old")).isEmpty(), "cargo's file no longer holds the old token");
        assertNull(page.entryFilling(ALT.indexUrl(), "cargo", Set.of()).orElseThrow().expiration());
    }

    @Test
    void aDamagedBookIsNamedAndNeverOverwritten() throws Exception {
        MetadataBook book = book();
        Files.createDirectories(book.path().getParent());
        Files.createFile(book.path(), OwnerOnly.FILE);
        for (String damaged : new String[] {"{not json", "[]", "{\"format\":2,\"tokens\":[]}",
            "{\"format\":1,\"salt\":\"AAAA\",\"tokens\":[{\"index-url\":\"u\"}]}",
            "{\"format\":1,\"salt\":\"AAAA\",\"tokens\":[{\"index-url\":\"u\",\"fingerprint\":\"f\",\"stores\":[\"file\"],\"created\":\"x\"}]}",
            "{\"format\":1,\"tokens\":[{\"index-url\":\"u\",\"fingerprint\":\"f\",\"stores\":[\"file\"]}]}"}) {
            Files.writeString(book.path(), damaged);
            StoreException e = assertThrows(StoreException.Unavailable.class, () -> book.read(Arrival.NOW), damaged);
            assertTrue(e.getMessage().contains(book.path().toString()) && e.getMessage().contains("move it away"), e.getMessage());
            assertThrows(StoreException.Unavailable.class,
                    () -> book.recordStored(ALT, "file", secret("t"), Set.of(), null, 1, false));
            assertEquals(damaged, Files.readString(book.path(), StandardCharsets.UTF_8), "a damaged book is left as it was");
        }
    }

    @Test
    void unknownFieldsFromANewerLatchkeyOfTheSameFormatAreIgnored() throws Exception {
        MetadataBook book = book();
        book.recordStored(ALT, "file", secret("t"), Set.of(), null, 1000, false);
        String text = Files.readString(book.path()).replace("\"created\"", "\"future\":{\"x\":[1]},\"created\"");
        Files.writeString(book.path(), text);
        assertEquals(1000L, book.read(Arrival.NOW).entryFor(ALT.indexUrl(), secret("t")).orElseThrow().created());
    }
}
