package dev.latchkey.daemon.store.encrypted;

import dev.latchkey.daemon.service.TokenChoice;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static dev.latchkey.testing.StoreReads.best;
import static dev.latchkey.testing.StoreReads.registryOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenTableTest {
    private static final RegistryKey NAMED = new RegistryKey("sparse+https://packages.example.com/index/", "company");
    private static final RegistryKey UNNAMED = new RegistryKey("https://github.com/rust-lang/crates.io-index", null);

    @Test
    void everyFieldSurvivesEncodingWithAndWithoutOptionalParts() throws Exception {
        TokenTable table = TokenTable.empty();
        table.put(NAMED, new StoredToken(Secret.fromString("read-token"), Set.of(Operation.READ), 1_900_000_000L, 100L, 200L));
        table.put(NAMED, new StoredToken(Secret.fromString("publish\ttoken"), Set.of(Operation.PUBLISH, Operation.YANK,
                Operation.UNYANK, Operation.OWNERS), null, null, null));
        table.put(UNNAMED, StoredToken.plain(Secret.fromString("ünïcode is not a token, but the layout must not care")));
        byte[] bytes = table.encode();
        try (TokenTable back = TokenTable.decode(bytes)) {
            StoredToken read = TokenChoice.best(back.get(NAMED), Operation.READ).orElseThrow();
            assertEquals("read-token", read.secret().reveal());
            assertEquals(Set.of(Operation.READ), read.operations());
            assertEquals(1_900_000_000L, read.expiration());
            assertEquals(100L, read.created());
            assertEquals(200L, read.updated());
            StoredToken publish = TokenChoice.best(back.get(NAMED), Operation.OWNERS).orElseThrow();
            assertEquals("publish\ttoken", publish.secret().reveal());
            assertNull(publish.expiration());
            assertNull(publish.created());
            assertEquals("ünïcode is not a token, but the layout must not care",
                    TokenChoice.best(back.get(UNNAMED), Operation.PUBLISH).orElseThrow().secret().reveal());
            List<StoreEntry> entries = back.list();
            assertEquals(3, entries.size());
            assertEquals("company", registryOf(entries.get(0)).name());
            assertNull(registryOf(entries.get(2)).name());
        }
    }

    @Test
    void putReplacesTheSameOperationsKeepingCreationAndEraseRemovesAll() {
        TokenTable table = TokenTable.empty();
        table.put(NAMED, new StoredToken(Secret.fromString("old"), Set.of(), null, 100L, 100L));
        table.put(NAMED, new StoredToken(Secret.fromString("scoped"), Set.of(Operation.PUBLISH), null, 150L, 150L));
        table.put(NAMED, new StoredToken(Secret.fromString("new"), Set.of(), null, 300L, 300L));
        StoredToken read = TokenChoice.best(table.get(NAMED), Operation.READ).orElseThrow();
        assertEquals("new", read.secret().reveal());
        assertEquals(100L, read.created());
        assertEquals(300L, read.updated());
        assertEquals("scoped", TokenChoice.best(table.get(NAMED), Operation.PUBLISH).orElseThrow().secret().reveal(),
                "a token scoped to the operation beats one for every operation");
        assertTrue(table.erase(NAMED));
        assertFalse(table.erase(NAMED));
        assertTrue(table.list().isEmpty());
    }

    @Test
    void theTableKeepsCopiesAndHandsOutCopies() {
        Secret given = Secret.fromString("mine");
        TokenTable table = TokenTable.empty();
        table.put(NAMED, StoredToken.plain(given));
        Secret handedOut = TokenChoice.best(table.get(NAMED), Operation.READ).orElseThrow().secret();
        table.close();
        assertEquals("mine", given.reveal(), "closing the table must not wipe the caller's token");
        assertEquals("mine", handedOut.reveal(), "nor the copy it handed out");
    }

    @Test
    void aPlaintextNotInTheLayoutIsRefused() {
        TokenTable table = TokenTable.empty();
        table.put(NAMED, new StoredToken(Secret.fromString("t"), Set.of(), 5L, 6L, 7L));
        byte[] good = table.encode();
        for (int cut = 0; cut < good.length; cut++) {
            byte[] truncated = Arrays.copyOf(good, cut);
            assertThrows(TokenTable.MalformedTableException.class, () -> TokenTable.decode(truncated), "cut at " + cut);
        }
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertTrue(assertThrows(TokenTable.MalformedTableException.class, () -> TokenTable.decode(longer))
                .getMessage().contains("follow the last token"));
        byte[] badFlags = good.clone();
        badFlags[4] = (byte) 0x10;
        assertThrows(TokenTable.MalformedTableException.class, () -> TokenTable.decode(badFlags));
        byte[] badOperations = good.clone();
        badOperations[5] = (byte) 0x20;
        assertThrows(TokenTable.MalformedTableException.class, () -> TokenTable.decode(badOperations));
        byte[] hugeCount = good.clone();
        hugeCount[0] = (byte) 0xff;
        assertThrows(TokenTable.MalformedTableException.class, () -> TokenTable.decode(hugeCount));
    }
}
