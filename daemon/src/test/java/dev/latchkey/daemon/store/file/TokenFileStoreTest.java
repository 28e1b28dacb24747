package dev.latchkey.daemon.store.file;

import dev.latchkey.daemon.ownership.OwnerOnly;
import dev.latchkey.daemon.store.Arrival;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

import static dev.latchkey.testing.StoreReads.best;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenFileStoreTest {
    private static final RegistryKey ALT = new RegistryKey("sparse+http://127.0.0.1:1/index/", "alt");
    private static final RegistryKey OTHER = new RegistryKey("sparse+http://127.0.0.1:2/index/", null);

    @TempDir
    Path dir;

    private Path path() {
        return dir.resolve("data/latchkey/tokens.toml");
    }

    private TokenFileStore store() {
        return new TokenFileStore(path());
    }

    private static StoredToken token(String value, Set<Operation> ops, long created) {
        return new StoredToken(Secret.fromString(value), ops, null, created, created);
    }

    @Test
    void roundTripsWithOwnerOnlyFileAndDirectory() throws Exception {
        store().put(ALT, token("t1", Set.of(), 100));
        assertEquals("t1", best(store(), ALT, Operation.READ).orElseThrow().secret().reveal());
        assertTrue(best(store(), OTHER, Operation.READ).isEmpty());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path().getParent())));
        assertTrue(store().erase(ALT));
        assertFalse(store().erase(ALT));
        assertTrue(best(store(), ALT, Operation.READ).isEmpty());
    }

    @Test
    void aScopedTokenBeatsTheOneForEverythingAndSaysItHasSiblings() throws Exception {
        store().put(ALT, token("all", Set.of(), 100));
        store().put(ALT, token("pub", Set.of(Operation.PUBLISH), 100));
        StoredToken publish = best(store(), ALT, Operation.PUBLISH).orElseThrow();
        assertEquals("pub", publish.secret().reveal());
        StoredToken read = best(store(), ALT, Operation.READ).orElseThrow();
        assertEquals("all", read.secret().reveal());
        assertTrue(read.scopedSiblings());
        assertFalse(read.operationIndependent(), "the publish token answers publish");
        assertFalse(String.valueOf(read).contains("all"), "a stored token prints redacted: " + read);
    }

    @Test
    void replacingKeepsCreationTimeAndUpdatesTheRest() throws Exception {
        store().put(ALT, token("old", Set.of(), 100));
        store().put(ALT, token("new", Set.of(), 200));
        StoredToken t = best(store(), ALT, Operation.READ).orElseThrow();
        assertEquals("new", t.secret().reveal());
        assertEquals(100L, t.created());
        assertEquals(200L, t.updated());
        assertEquals(1, store().list(Arrival.NOW).size());
    }

    @Test
    void aTokenScopedToAnOperationWinsForItAndIsNotUsedForOthers() throws Exception {
        store().put(ALT, token("read-token", Set.of(Operation.READ), 1));
        store().put(ALT, token("publish-token", Set.of(Operation.PUBLISH, Operation.YANK), 1));
        assertEquals("read-token", best(store(), ALT, Operation.READ).orElseThrow().secret().reveal());
        assertEquals("publish-token", best(store(), ALT, Operation.PUBLISH).orElseThrow().secret().reveal());
        assertTrue(best(store(), ALT, Operation.OWNERS).isEmpty());
        store().put(ALT, token("all", Set.of(), 1));
        assertEquals("publish-token", best(store(), ALT, Operation.YANK).orElseThrow().secret().reveal());
        assertEquals("all", best(store(), ALT, Operation.OWNERS).orElseThrow().secret().reveal());
    }

    @Test
    void listDescribesWithoutTokens() throws Exception {
        store().put(ALT, new StoredToken(Secret.fromString("t"), Set.of(Operation.PUBLISH), 5000L, 10L, 20L));
        List<StoreEntry> entries = store().list(Arrival.NOW);
        assertEquals(List.of(new StoreEntry(ALT, Set.of(Operation.PUBLISH), 5000L, 10L, 20L)), entries);
    }

    @Test
    void aDamagedFileIsReportedAndNeverOverwritten() throws Exception {
        Files.createDirectories(path().getParent());
        String damaged = "[[token]]\nindex-url = \"u\"\n# token missing\n";
        Files.writeString(Files.createFile(path(), OwnerOnly.FILE), damaged);
        StoreException e = assertThrows(StoreException.Unavailable.class,
                () -> store().put(ALT, token("secret-value", Set.of(), 1)));
        assertTrue(e.getMessage().contains("token entry 1"), e.getMessage());
        assertFalse(e.getMessage().contains("secret-value"));
        assertEquals(damaged, Files.readString(path()));
        assertThrows(StoreException.Unavailable.class, () -> best(store(), ALT, Operation.READ));
    }

    @Test
    void leavesNoTemporaryFileBehind() throws Exception {
        store().put(ALT, token("t", Set.of(), 1));
        try (var files = Files.list(path().getParent())) {
            assertEquals(List.of(".tokens.toml.lock", "tokens.toml"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    /** A clock that says the file's last change is long past, so that its snapshot is kept. */
    private static Clock muchLater() {
        return Clock.offset(Clock.systemUTC(), Duration.ofHours(1));
    }

    @Test
    void anUnchangedFileIsReadOnceAndEachGetIsACopy() throws Exception {
        store().put(ALT, token("t1", Set.of(), 100));
        TokenFileStore store = new TokenFileStore(path(), muchLater());
        StoredToken first = best(store, ALT, Operation.READ).orElseThrow();
        first.secret().wipe(); // as the service does once the token is sent
        // Changed in place with its size and time kept, which only a forger does: the store
        // trusts the file's identity, size and time, and serves what it read before.
        FileTime modified = Files.getLastModifiedTime(path());
        Files.writeString(path(), Files.readString(path()).replace("t1", "t2"));
        Files.setLastModifiedTime(path(), modified);
        assertEquals("t1", best(store, ALT, Operation.READ).orElseThrow().secret().reveal());
        assertEquals("t2", best(new TokenFileStore(path(), muchLater()), ALT, Operation.READ).orElseThrow().secret().reveal());
    }

    @Test
    void aChangeBehindTheStoresBackIsSeenAtTheNextGet() throws Exception {
        store().put(ALT, token("before", Set.of(), 100));
        TokenFileStore store = new TokenFileStore(path(), muchLater());
        assertEquals("before", best(store, ALT, Operation.READ).orElseThrow().secret().reveal());
        editAsAnEditorThatRenames("before", "behind");
        assertEquals("behind", best(store, ALT, Operation.READ).orElseThrow().secret().reveal());

        // Written in place: another size.
        Files.writeString(path(), Files.readString(path()).replace("behind", "in-place"));
        assertEquals("in-place", best(store, ALT, Operation.READ).orElseThrow().secret().reveal());

        Files.delete(path());
        assertTrue(best(store, ALT, Operation.READ).isEmpty());
    }

    @Test
    void requestsThatArrivedTogetherShareOneLookAtTheFileAndTheNextOnesLookAgain() throws Exception {
        store().put(ALT, token("before", Set.of(), 100));
        TokenFileStore store = new TokenFileStore(path(), muchLater());
        Arrival first = new Arrival(System.nanoTime());
        assertEquals("before", only(store.get(ALT, first)));
        editAsAnEditorThatRenames("before", "behind");
        assertEquals("before", only(store.get(ALT, first)), "changed after these requests arrived: the look taken for them stands");
        assertEquals("behind", only(store.get(ALT, new Arrival(System.nanoTime()))), "requests that arrived after the change see it");
    }

    private static String only(List<StoredToken> tokens) {
        assertEquals(1, tokens.size());
        return tokens.get(0).secret().reveal();
    }

    /** Same size, same modification time, but a new file, as an editor that renames writes it. */
    private void editAsAnEditorThatRenames(String from, String to) throws Exception {
        FileTime modified = Files.getLastModifiedTime(path());
        Path edited = Files.createFile(path().resolveSibling("edited.toml"), OwnerOnly.FILE); // the file's mode kept, as editors do
        Files.writeString(edited, Files.readString(path()).replace(from, to));
        Files.setLastModifiedTime(edited, modified);
        Files.move(edited, path(), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void aFileChangedJustNowIsReadAgainEachTime() throws Exception {
        store().put(ALT, token("first", Set.of(), 100));
        // A clock stopped at the file's time: it was changed just now, however slow this machine is.
        FileTime modified = Files.getLastModifiedTime(path());
        TokenFileStore store = new TokenFileStore(path(), Clock.fixed(modified.toInstant(), ZoneOffset.UTC));
        assertEquals("first", best(store, ALT, Operation.READ).orElseThrow().secret().reveal());
        // In place, same size, and within the clock's resolution: only a read tells.
        Files.writeString(path(), Files.readString(path()).replace("first", "again"));
        Files.setLastModifiedTime(path(), modified);
        assertEquals("again", best(store, ALT, Operation.READ).orElseThrow().secret().reveal());
    }
}
