package dev.latchkey.daemon.store;

import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

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
        assertEquals("t1", store().get(ALT, Operation.READ).orElseThrow().secret().reveal());
        assertTrue(store().get(OTHER, Operation.READ).isEmpty());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path().getParent())));
        assertTrue(store().erase(ALT));
        assertFalse(store().erase(ALT));
        assertTrue(store().get(ALT, Operation.READ).isEmpty());
    }

    @Test
    void aScopedTokenBeatsTheOneForEverythingAndSaysItHasSiblings() throws Exception {
        store().put(ALT, token("all", Set.of(), 100));
        store().put(ALT, token("pub", Set.of(Operation.PUBLISH), 100));
        StoredToken publish = store().get(ALT, Operation.PUBLISH).orElseThrow();
        assertEquals("pub", publish.secret().reveal());
        StoredToken read = store().get(ALT, Operation.READ).orElseThrow();
        assertEquals("all", read.secret().reveal());
        assertTrue(read.scopedSiblings());
        assertFalse(read.operationIndependent(), "the publish token answers publish");
        assertFalse(String.valueOf(read).contains("all"), "a stored token prints redacted: " + read);
    }

    @Test
    void replacingKeepsCreationTimeAndUpdatesTheRest() throws Exception {
        store().put(ALT, token("old", Set.of(), 100));
        store().put(ALT, token("new", Set.of(), 200));
        StoredToken t = store().get(ALT, Operation.READ).orElseThrow();
        assertEquals("new", t.secret().reveal());
        assertEquals(100L, t.created());
        assertEquals(200L, t.updated());
        assertEquals(1, store().list().size());
    }

    @Test
    void aTokenScopedToAnOperationWinsForItAndIsNotUsedForOthers() throws Exception {
        store().put(ALT, token("read-token", Set.of(Operation.READ), 1));
        store().put(ALT, token("publish-token", Set.of(Operation.PUBLISH, Operation.YANK), 1));
        assertEquals("read-token", store().get(ALT, Operation.READ).orElseThrow().secret().reveal());
        assertEquals("publish-token", store().get(ALT, Operation.PUBLISH).orElseThrow().secret().reveal());
        assertTrue(store().get(ALT, Operation.OWNERS).isEmpty());
        store().put(ALT, token("all", Set.of(), 1));
        assertEquals("publish-token", store().get(ALT, Operation.YANK).orElseThrow().secret().reveal());
        assertEquals("all", store().get(ALT, Operation.OWNERS).orElseThrow().secret().reveal());
    }

    @Test
    void listDescribesWithoutTokens() throws Exception {
        store().put(ALT, new StoredToken(Secret.fromString("t"), Set.of(Operation.PUBLISH), 5000L, 10L, 20L));
        List<StoreEntry> entries = store().list();
        assertEquals(List.of(new StoreEntry(ALT, Set.of(Operation.PUBLISH), 5000L, 10L, 20L)), entries);
    }

    @Test
    void aDamagedFileIsReportedAndNeverOverwritten() throws Exception {
        Files.createDirectories(path().getParent());
        String damaged = "[[token]]\nindex-url = \"u\"\n# token missing\n";
        Files.writeString(path(), damaged);
        CredentialException e = assertThrows(CredentialException.Unavailable.class,
                () -> store().put(ALT, token("secret-value", Set.of(), 1)));
        assertTrue(e.getMessage().contains("token entry 1"), e.getMessage());
        assertFalse(e.getMessage().contains("secret-value"));
        assertEquals(damaged, Files.readString(path()));
        assertThrows(CredentialException.Unavailable.class, () -> store().get(ALT, Operation.READ));
    }

    @Test
    void leavesNoTemporaryFileBehind() throws Exception {
        store().put(ALT, token("t", Set.of(), 1));
        try (var files = Files.list(path().getParent())) {
            assertEquals(List.of(".tokens.toml.lock", "tokens.toml"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }
}
