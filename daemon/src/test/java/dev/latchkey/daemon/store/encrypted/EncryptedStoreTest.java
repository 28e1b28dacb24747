package dev.latchkey.daemon.store.encrypted;

import dev.latchkey.daemon.config.Config.EncryptedKey;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.ownership.OwnerOnly;
import dev.latchkey.daemon.service.TokenChoice;
import dev.latchkey.daemon.store.Arrival;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.daemon.store.keychain.OperatingSystem;
import dev.latchkey.daemon.store.secretservice.EncryptionKeys;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Secret;
import dev.latchkey.testing.PlainEncodings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.latchkey.testing.StoreReads.best;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The encrypted store on real files: round trips with every piece of metadata, the file's format,
 * every header field tampered with, truncation, a wrong or missing passphrase, the parameter
 * bounds, and a scan of the file for the token in every plain encoding. New files here use the
 * cheapest scrypt cost a header may carry, to keep the suite quick; the process tests use the default.
 */
class EncryptedStoreTest {
    private static final RegistryKey COMPANY = new RegistryKey("sparse+https://packages.example.com/index/", "company");
    private static final RegistryKey OTHER = new RegistryKey("sparse+http://127.0.0.1:2/index/", null);
    private static final String TOKEN = "cio-4f1b9d3e7a2c8b6d0e5f1a9c3b7d2e6f";

    @TempDir
    Path dir;

    private Path path() {
        return dir.resolve("data/latchkey/secrets.enc");
    }

    /** A store whose passphrase is in LATCHKEY_PASSPHRASE (null: unset) and that has no terminal to ask on. */
    private EncryptedStore store(String passphrase) {
        return store(passphrase, new TypedLines());
    }

    private EncryptedStore store(String passphrase, Passphrases.Terminal terminal) {
        Map<String, String> variables = new LinkedHashMap<>();
        if (passphrase != null) {
            variables.put("LATCHKEY_PASSPHRASE", passphrase);
        }
        Environment env = new Environment(variables, dir, dir);
        return new EncryptedStore(path(), EncryptedKey.PASSPHRASE, new Passphrases(env, "LATCHKEY_PASSPHRASE", terminal),
                new EncryptionKeys(OperatingSystem.current(), env), ScryptCost.MINIMUM);
    }

    /**
     * What a person types at the terminal, line by line, and the prompts they were shown; with no
     * lines, there is no terminal. (The real terminal is never opened here: a test run from one
     * must not stop and wait.)
     */
    private static final class TypedLines implements Passphrases.Terminal {
        final List<String> prompts = new java.util.ArrayList<>();
        private final java.util.ArrayDeque<String> lines;

        TypedLines(String... lines) {
            this.lines = new java.util.ArrayDeque<>(List.of(lines));
        }

        @Override
        public boolean available() {
            return !lines.isEmpty();
        }

        @Override
        public Secret ask(String prompt) {
            prompts.add(prompt);
            return lines.isEmpty() ? null : Secret.fromString(lines.poll());
        }
    }

    private static StoredToken token(String value, Set<Operation> ops, Long expiration, long created) {
        return new StoredToken(Secret.fromString(value), ops, expiration, created, created);
    }

    @Test
    void tokensAndTheirMetadataSurviveANewStoreOnTheSameFile() throws Exception {
        store("pw").put(COMPANY, token(TOKEN, Set.of(Operation.READ), 1_900_000_000L, 100));
        store("pw").put(COMPANY, token("publish-token", Set.of(Operation.PUBLISH, Operation.YANK), null, 150));
        store("pw").put(OTHER, token("other-token", Set.of(), null, 200));

        EncryptedStore restarted = store("pw");
        StoredToken read = best(restarted, COMPANY, Operation.READ).orElseThrow();
        assertEquals(TOKEN, read.secret().reveal());
        assertEquals(Set.of(Operation.READ), read.operations());
        assertEquals(1_900_000_000L, read.expiration());
        assertEquals(100L, read.created());
        assertEquals(100L, read.updated());
        assertEquals("publish-token", best(restarted, COMPANY, Operation.YANK).orElseThrow().secret().reveal());
        assertTrue(best(restarted, COMPANY, Operation.OWNERS).isEmpty(), "no token of COMPANY serves owners");
        assertEquals("other-token", best(restarted, OTHER, Operation.OWNERS).orElseThrow().secret().reveal());

        List<StoreEntry> entries = restarted.list(Arrival.NOW);
        assertEquals(3, entries.size());
        assertEquals(COMPANY, entries.get(0).key());
        assertEquals(Set.of(Operation.READ), entries.get(0).operations());

        assertTrue(restarted.erase(COMPANY));
        assertFalse(restarted.erase(COMPANY));
        assertTrue(best(store("pw"), COMPANY, Operation.READ).isEmpty());
        assertEquals(1, store("pw").list(Arrival.NOW).size());
    }

    @Test
    void replacingATokenKeepsItsCreationTime() throws Exception {
        store("pw").put(COMPANY, token("old", Set.of(), null, 100));
        store("pw").put(COMPANY, token("new", Set.of(), null, 200));
        StoredToken t = best(store("pw"), COMPANY, Operation.READ).orElseThrow();
        assertEquals("new", t.secret().reveal());
        assertEquals(100L, t.created());
        assertEquals(200L, t.updated());
    }

    @Test
    void noFileMeansNoTokensAndNothingIsCreatedByReading() throws Exception {
        EncryptedStore store = store(null);
        assertTrue(best(store, COMPANY, Operation.READ).isEmpty());
        assertTrue(store.list(Arrival.NOW).isEmpty());
        assertFalse(store.erase(COMPANY));
        assertFalse(Files.exists(path()));
    }

    @Test
    void theFileIsOwnerOnlyWithItsHeaderInFrontAndNoTemporaryFileLeft() throws Exception {
        store("pw").put(COMPANY, token(TOKEN, Set.of(), null, 100));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path().getParent())));
        byte[] file = Files.readAllBytes(path());
        assertArrayEquals("LATCHKEY".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(file, 8));
        assertEquals(1, file[8], "format version");
        assertEquals(1, file[9], "key kind: passphrase");
        assertArrayEquals(new byte[] {15, 8, 1}, Arrays.copyOfRange(file, 10, 13), "scrypt log2 N, r, p");
        try (var siblings = Files.list(path().getParent())) {
            assertTrue(siblings.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    @Test
    void everyWriteHasAFreshNonceAndKeepsTheSalt() throws Exception {
        EncryptedStore store = store("pw");
        store.put(COMPANY, token(TOKEN, Set.of(), null, 100));
        byte[] first = Files.readAllBytes(path());
        store.put(COMPANY, token(TOKEN, Set.of(), null, 100));
        byte[] second = Files.readAllBytes(path());
        assertArrayEquals(Arrays.copyOfRange(first, 13, 45), Arrays.copyOfRange(second, 13, 45), "salt and key check");
        assertFalse(Arrays.equals(Arrays.copyOfRange(first, 45, 57), Arrays.copyOfRange(second, 45, 57)), "nonce");
        assertFalse(Arrays.equals(Arrays.copyOfRange(first, 57, first.length), Arrays.copyOfRange(second, 57, second.length)),
                "the same tokens sealed twice differ");
    }

    @Test
    void theFileHoldsTheTokenInNoPlainEncoding() throws Exception {
        store("pw").put(COMPANY, token(TOKEN, Set.of(Operation.READ), 1_900_000_000L, 100));
        byte[] file = Files.readAllBytes(path());
        assertEquals(List.of(), PlainEncodings.foundIn(file, TOKEN), "encodings of the token found in the file");
        // Metadata is sealed too: not even the registry is in the clear.
        assertEquals(List.of(), PlainEncodings.foundIn(file, COMPANY.indexUrl()));
        assertEquals(List.of("UTF-8"), PlainEncodings.foundIn(file, "LATCHKEY"), "the scan finds what is there");
    }

    @Test
    void aWrongPassphraseIsDeniedAndTheFileIsLeftAlone() throws Exception {
        store("right").put(COMPANY, token(TOKEN, Set.of(), null, 100));
        byte[] before = Files.readAllBytes(path());
        EncryptedStore wrong = store("wrong");
        StoreException.Denied denied = assertThrows(StoreException.Denied.class, () -> best(wrong, COMPANY, Operation.READ));
        assertTrue(denied.getMessage().contains("wrong passphrase") && denied.getMessage().contains("LATCHKEY_PASSPHRASE")
                && denied.getMessage().contains(path().toString()), denied.getMessage());
        assertThrows(StoreException.Denied.class, () -> wrong.put(OTHER, token("x", Set.of(), null, 1)));
        assertThrows(StoreException.Denied.class, () -> wrong.erase(COMPANY));
        assertThrows(StoreException.Denied.class, () -> wrong.list(Arrival.NOW));
        assertArrayEquals(before, Files.readAllBytes(path()));
        assertEquals(TOKEN, best(store("right"), COMPANY, Operation.READ).orElseThrow().secret().reveal());
    }

    @Test
    void noPassphraseAndNoTerminalIsLockedAndSaysHowToGiveOne() throws Exception {
        StoreException.Locked onCreate = assertThrows(StoreException.Locked.class,
                () -> store(null).put(COMPANY, token(TOKEN, Set.of(), null, 100)));
        assertTrue(onCreate.getMessage().contains("set LATCHKEY_PASSPHRASE"), onCreate.getMessage());
        assertFalse(Files.exists(path()));

        store("pw").put(COMPANY, token(TOKEN, Set.of(), null, 100));
        StoreException.Locked onRead = assertThrows(StoreException.Locked.class,
                () -> best(store(null), COMPANY, Operation.READ));
        assertTrue(onRead.getMessage().contains("passphrase-env"), onRead.getMessage());
    }

    @Test
    void atTheTerminalANewFileAsksTwiceAndAnExistingOneOnce() throws Exception {
        TypedLines creating = new TypedLines("typed pass", "typed pass");
        store(null, creating).put(COMPANY, token(TOKEN, Set.of(), null, 100));
        assertEquals(2, creating.prompts.size(), creating.prompts.toString());
        assertTrue(creating.prompts.get(0).startsWith("new passphrase for the encrypted store " + path()), creating.prompts.get(0));

        TypedLines opening = new TypedLines("typed pass");
        EncryptedStore longLived = store(null, opening);
        assertEquals(TOKEN, best(longLived, COMPANY, Operation.READ).orElseThrow().secret().reveal());
        assertEquals(TOKEN, best(longLived, COMPANY, Operation.READ).orElseThrow().secret().reveal());
        longLived.put(OTHER, token("other", Set.of(), null, 100));
        assertEquals(1, opening.prompts.size(), "the key is kept: asked once for " + opening.prompts);

        assertEquals(TOKEN, best(store("typed pass"), COMPANY, Operation.READ).orElseThrow().secret().reveal(),
                "typed or from the variable, the same passphrase opens the file");
        String wrong = assertThrows(StoreException.Denied.class,
                () -> best(store(null, new TypedLines("typo")), COMPANY, Operation.READ)).getMessage();
        assertTrue(wrong.contains("the passphrase typed does not open"), wrong);
    }

    @Test
    void twoDifferentOrEmptyPassphrasesForANewFileWriteNothing() {
        String differ = assertThrows(StoreException.Refused.class,
                () -> store(null, new TypedLines("one", "two")).put(COMPANY, token(TOKEN, Set.of(), null, 100))).getMessage();
        assertTrue(differ.contains("the two passphrases differ"), differ);
        String empty = assertThrows(StoreException.Refused.class,
                () -> store(null, new TypedLines("", "")).put(COMPANY, token(TOKEN, Set.of(), null, 100))).getMessage();
        assertTrue(empty.contains("empty passphrase"), empty);
        assertFalse(Files.exists(path()));
    }

    @Test
    void theDaemonNeverAsksAndSaysSo() {
        Environment env = new Environment(Map.of(), dir, dir);
        EncryptedStore daemon = new EncryptedStore(path(), EncryptedKey.PASSPHRASE, new Passphrases(env, "MY_PASS", null),
                new EncryptionKeys(OperatingSystem.current(), env), ScryptCost.MINIMUM);
        String message = assertThrows(StoreException.Locked.class,
                () -> daemon.put(COMPANY, token(TOKEN, Set.of(), null, 100))).getMessage();
        assertTrue(message.contains("the daemon, which never asks, was started without MY_PASS")
                && message.contains("`latchkey daemon stop`, then `latchkey daemon` where MY_PASS is set")
                && message.contains("--no-daemon"), message);
    }

    /** One field of the header, where it is, and the failure changing it must give. */
    private record Field(String name, int offset, Class<? extends StoreException> failure) {
    }

    @Test
    void changingAnyFieldOfTheHeaderOrBodyMakesTheFileRefuseToOpenAndLeavesItAlone() throws Exception {
        store("pw").put(COMPANY, token(TOKEN, Set.of(), null, 100));
        byte[] good = Files.readAllBytes(path());
        List<Field> fields = List.of(
                new Field("magic", 0, StoreException.Unavailable.class),
                new Field("magic (last byte)", 7, StoreException.Unavailable.class),
                new Field("version", 8, StoreException.Unavailable.class),
                new Field("key kind", 9, StoreException.Unavailable.class),
                new Field("scrypt log2 N", 10, StoreException.Unavailable.class), // 15 -> 14: below the minimum
                new Field("scrypt r", 11, StoreException.Denied.class), // 8 -> 9: another key
                new Field("scrypt p", 12, StoreException.Unavailable.class), // 1 -> 0: out of range
                new Field("salt", 13, StoreException.Denied.class),
                new Field("salt (last byte)", 28, StoreException.Denied.class),
                new Field("key check", 29, StoreException.Denied.class),
                new Field("nonce", 45, StoreException.Unavailable.class),
                new Field("nonce (last byte)", 56, StoreException.Unavailable.class),
                new Field("ciphertext", 57, StoreException.Unavailable.class),
                new Field("tag (last byte)", good.length - 1, StoreException.Unavailable.class));
        for (Field field : fields) {
            byte[] tampered = good.clone();
            tampered[field.offset()] ^= 1;
            Files.write(path(), tampered);
            EncryptedStore store = store("pw");
            StoreException e = assertThrows(StoreException.class, () -> best(store, COMPANY, Operation.READ), field.name());
            assertInstanceOf(field.failure(), e, field.name() + ": " + e.getMessage());
            assertTrue(e.getMessage().contains(path().toString()), field.name() + ": " + e.getMessage());
            assertFalse(e.getMessage().contains(TOKEN));
            assertThrows(field.failure(), () -> store.put(OTHER, token("x", Set.of(), null, 1)), field.name());
            assertArrayEquals(tampered, Files.readAllBytes(path()), field.name() + ": the file must be left as it was");
        }
        Files.write(path(), good);
        assertEquals(TOKEN, best(store("pw"), COMPANY, Operation.READ).orElseThrow().secret().reveal(), "the control");
    }

    @Test
    void aTamperedFileSaysItIsDamagedAndHowToRecover() throws Exception {
        store("pw").put(COMPANY, token(TOKEN, Set.of(), null, 100));
        byte[] tampered = Files.readAllBytes(path());
        tampered[60] ^= 0x40;
        Files.write(path(), tampered);
        String message = assertThrows(StoreException.Unavailable.class, () -> best(store("pw"), COMPANY, Operation.READ))
                .getMessage();
        assertTrue(message.contains("is damaged or was changed") && message.contains("will not overwrite it")
                && message.contains("move it away"), message);
    }

    @Test
    void aTruncatedOrExtendedFileRefusesToOpenAndIsLeftAlone() throws Exception {
        store("pw").put(COMPANY, token(TOKEN, Set.of(), null, 100));
        byte[] good = Files.readAllBytes(path());
        for (int length : new int[] {0, 1, 7, 8, 9, 56, 57, 72, 73, good.length - 16, good.length - 1}) {
            byte[] truncated = Arrays.copyOf(good, length);
            Files.write(path(), truncated);
            StoreException e = assertThrows(StoreException.Unavailable.class,
                    () -> best(store("pw"), COMPANY, Operation.READ), "length " + length);
            if (length < 73) {
                assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            }
            assertThrows(StoreException.Unavailable.class, () -> store("pw").put(OTHER, token("x", Set.of(), null, 1)));
            assertArrayEquals(truncated, Files.readAllBytes(path()));
        }
        Files.write(path(), Arrays.copyOf(good, good.length + 1));
        assertThrows(StoreException.Unavailable.class, () -> best(store("pw"), COMPANY, Operation.READ));
    }

    @Test
    void aHeaderAskingForAbsurdCostsIsRefusedBeforeAnythingIsDerived() throws Exception {
        store("pw").put(COMPANY, token(TOKEN, Set.of(), null, 100));
        byte[] good = Files.readAllBytes(path());
        // 2^24 blocks of 4 KiB, 16 times over: 64 GiB if it were believed.
        byte[] huge = good.clone();
        huge[10] = 24;
        huge[11] = 32;
        huge[12] = 16;
        Files.write(path(), huge);
        String message = assertThrows(StoreException.Unavailable.class, () -> best(store("pw"), COMPANY, Operation.READ))
                .getMessage();
        assertTrue(message.contains("beyond what latchkey will spend"), message);

        byte[] weak = good.clone();
        weak[10] = 4;
        weak[11] = 1;
        Files.write(path(), weak);
        message = assertThrows(StoreException.Unavailable.class, () -> best(store("pw"), COMPANY, Operation.READ)).getMessage();
        assertTrue(message.contains("weaker than latchkey accepts"), message);
    }

    @Test
    void aFileFarLargerThanLatchkeyWritesIsNotRead() throws Exception {
        Files.createDirectories(path().getParent());
        Files.createFile(path(), OwnerOnly.FILE);
        try (RandomAccessFile big = new RandomAccessFile(path().toFile(), "rw")) {
            big.setLength(17L << 20);
        }
        String message = assertThrows(StoreException.Unavailable.class, () -> best(store("pw"), COMPANY, Operation.READ))
                .getMessage();
        assertTrue(message.contains("more than latchkey ever writes there"), message);
    }

    @Test
    void aChangeByAnotherStoreIsSeenAtOnceAndANewSaltIsDerivedAgain() throws Exception {
        EncryptedStore daemon = store("pw");
        EncryptedStore other = store("pw");
        other.put(COMPANY, token("first", Set.of(), null, 100));
        assertEquals("first", best(daemon, COMPANY, Operation.READ).orElseThrow().secret().reveal());
        other.put(COMPANY, token("second", Set.of(), null, 200));
        assertEquals("second", best(daemon, COMPANY, Operation.READ).orElseThrow().secret().reveal());

        // The file made anew (another salt) by someone else: the long-lived store derives its key again.
        byte[] oldSalt = Arrays.copyOfRange(Files.readAllBytes(path()), 13, 29);
        Files.delete(path());
        other.put(COMPANY, token("third", Set.of(), null, 300));
        assertFalse(Arrays.equals(oldSalt, Arrays.copyOfRange(Files.readAllBytes(path()), 13, 29)));
        assertEquals("third", best(daemon, COMPANY, Operation.READ).orElseThrow().secret().reveal());
    }

    @Test
    void doctorTellsTheFilesStateAndTheKeySourceWithoutDerivingAnything() throws Exception {
        StoreState absent = store("pw").diagnose(true);
        assertTrue(absent.usable(), absent.detail());
        assertTrue(absent.detail().contains("no file yet") && absent.detail().contains("$LATCHKEY_PASSPHRASE"), absent.detail());

        StoreState noPassphrase = store(null).diagnose(true);
        assertFalse(noPassphrase.usable());
        assertTrue(noPassphrase.detail().contains("set LATCHKEY_PASSPHRASE"), noPassphrase.detail());

        EncryptedStore store = store("pw");
        store.put(COMPANY, token(TOKEN, Set.of(), null, 100));
        assertTrue(store.diagnose(true).detail().contains("unlocked"), "this store derived the key: " + store.diagnose(true).detail());
        StoreState fresh = store("pw").diagnose(true);
        assertTrue(fresh.usable() && fresh.detail().contains("scrypt N=2^15 r=8 p=1") && !fresh.detail().contains("unlocked"),
                fresh.detail());

        byte[] damaged = Files.readAllBytes(path());
        damaged[8] = 9;
        Files.write(path(), damaged);
        StoreState broken = store("pw").diagnose(true);
        assertFalse(broken.usable());
        assertTrue(broken.detail().contains("format version 9"), broken.detail());
    }

    @Test
    void aKeychainKeyedFileOpensWithTheRightKeyOnly() throws Exception {
        byte[] raw = FileKey.random(FileKey.KEY_BYTES);
        byte[] keyId = FileKey.random(FileHeader.SALT_BYTES);
        TokenTable table = TokenTable.empty();
        table.put(COMPANY, token(TOKEN, Set.of(), null, 100));
        byte[] file = FileKey.fromKeychain(raw, keyId).seal(table.encode());
        FileHeader header = FileHeader.parse(file);
        assertEquals(EncryptedKey.KEYCHAIN, header.keyKind());
        assertEquals(2, file[9]);
        assertArrayEquals(new byte[3], Arrays.copyOfRange(file, 10, 13), "no scrypt parameters");
        assertTrue(FileKey.fromKeychain(raw, keyId).opens(header));
        try (TokenTable back = TokenTable.decode(FileKey.fromKeychain(raw, keyId).open(header, file))) {
            assertEquals(TOKEN, TokenChoice.best(back.get(COMPANY), Operation.READ).orElseThrow().secret().reveal());
        }
        byte[] otherRaw = raw.clone();
        otherRaw[0] ^= 1;
        assertFalse(FileKey.fromKeychain(otherRaw, keyId).opens(header));
        assertThrows(FileKey.BrokenSealException.class, () -> FileKey.fromKeychain(otherRaw, keyId).open(header, file));

        byte[] withCost = file.clone();
        withCost[10] = 16;
        assertThrows(FileHeader.MalformedHeaderException.class, () -> FileHeader.parse(withCost));
    }
}
