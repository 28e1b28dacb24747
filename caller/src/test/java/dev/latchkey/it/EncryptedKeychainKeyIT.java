package dev.latchkey.it;

import dev.latchkey.testing.PlainEncodings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The encrypted store with its random key kept in the real, unlocked gnome-keyring of the suite's
 * session ({@code [store.encrypted] key = "keychain"}), no passphrase anywhere: round trips, the
 * key item under latchkey's own schema and never cargo's (checked with secret-tool), a file whose
 * key item is gone (exit 3, file untouched), and doctor.
 */
class EncryptedKeychainKeyIT {
    private static final String KEY_SCHEMA = "dev.latchkey.encrypted-store-key";
    private static final String CARGO_SCHEMA = "org.rust-lang.cargo.registry";

    @TempDir
    Path home;
    private Map<String, String> env;
    private final String token = "kc-token-" + UUID.randomUUID();
    private String keyId;

    @BeforeEach
    void isolate() throws IOException {
        env = SessionKeyring.privateHomes(home);
        Path config = LatchkeyProcess.configFile(home);
        Files.createDirectories(config.getParent());
        Files.writeString(config, "stores = [\"encrypted\"]\n[store.encrypted]\nkey = \"keychain\"\n"
                + "[registries.company]\nindex = \"sparse+http://127.0.0.1:9/" + UUID.randomUUID() + "/index/\"\n");
    }

    @AfterEach
    void removeTheKeyItem() {
        if (keyId != null) {
            secretTool("", "clear", "xdg:schema", KEY_SCHEMA, "key-id", keyId);
        }
    }

    private Path encryptedFile() {
        return home.resolve("xdg/data/latchkey/secrets.enc");
    }

    private ProcessRun.Result latchkey(String stdin, String... args) {
        return ProcessRun.of(LatchkeyProcess.command(List.of(), args)).environment(env).in(home).stdin(stdin).run();
    }

    /** The key id in the file's header (bytes 13 to 28), as the keychain item's attribute spells it. */
    private String keyIdOfFile() throws IOException {
        byte[] file = Files.readAllBytes(encryptedFile());
        assertEquals(2, file[9], "key kind: keychain");
        assertArrayEquals(new byte[3], Arrays.copyOfRange(file, 10, 13), "no scrypt parameters");
        return HexFormat.of().formatHex(Arrays.copyOfRange(file, 13, 29));
    }

    @Test
    void storeGetListEraseWithTheKeyInTheKeyringAndNoPassphrase() throws IOException {
        assertFalse(env.containsKey("LATCHKEY_PASSPHRASE"));
        ProcessRun.Result stored = latchkey(token + "\n", "store", "company").assertSuccess();
        assertTrue(stored.stderr().contains("in the encrypted store"), stored.toString());
        keyId = keyIdOfFile();
        assertEquals(List.of(), PlainEncodings.foundIn(Files.readAllBytes(encryptedFile()), token));

        assertEquals(token + "\n", latchkey("", "get", "company").assertSuccess().stdout());
        String table = latchkey("", "list").assertSuccess().stdout();
        assertTrue(table.lines().anyMatch(l -> l.startsWith("company ") && l.contains(" encrypted ")), table);

        // The key is an item of latchkey's own schema, labelled with the file, and holds no token.
        ProcessRun.Result item = secretTool("", "search", "--all", "xdg:schema", KEY_SCHEMA, "key-id", keyId).assertSuccess();
        String described = item.stdout() + item.stderr(); // secret-tool prints the attributes on stderr
        assertTrue(described.contains("label = latchkey encrypted store key for " + encryptedFile()), described);
        assertFalse(described.contains(token), described);
        ProcessRun.Result cargos = secretTool("", "search", "--all", "xdg:schema", CARGO_SCHEMA);
        String cargoItems = cargos.stdout() + cargos.stderr();
        assertFalse(cargoItems.contains(keyId) || cargoItems.contains("latchkey encrypted store key"),
                "the key must not be one of cargo's items: " + cargoItems);

        latchkey("", "erase", "company").assertSuccess();
        latchkey("", "get", "company").assertExit(1);
    }

    @Test
    void aFileWhoseKeyItemIsGoneExits3AndIsLeftAlone() throws IOException {
        latchkey(token + "\n", "store", "company").assertSuccess();
        keyId = keyIdOfFile();
        byte[] before = Files.readAllBytes(encryptedFile());
        secretTool("", "clear", "xdg:schema", KEY_SCHEMA, "key-id", keyId).assertSuccess();

        ProcessRun.Result get = latchkey("", "get", "company").assertExit(3);
        assertTrue(get.stderr().contains("the keychain has no key for the encrypted store") && get.stderr().contains(keyId),
                get.toString());
        latchkey("another\n", "store", "company").assertExit(3);
        assertArrayEquals(before, Files.readAllBytes(encryptedFile()));

        String doctor = latchkey("", "doctor").assertSuccess().stdout();
        assertTrue(doctor.lines().anyMatch(l -> l.startsWith("encrypted ") && l.contains("its key kept in the keychain")), doctor);
    }

    @Test
    void doctorSaysANewFilesKeyWillBeKeptInTheUnlockedKeyring() {
        String doctor = latchkey("", "doctor").assertSuccess().stdout();
        assertTrue(doctor.lines().anyMatch(l -> l.startsWith("encrypted ") && l.contains(" usable ")
                && l.contains("with a random key kept in the keychain (default keyring collection unlocked)")), doctor);
    }

    /** secret-tool, libsecret's own command line, which knows nothing of latchkey. */
    private ProcessRun.Result secretTool(String secret, String... args) {
        List<String> command = new ArrayList<>();
        command.add(RequiredComponent.executable("secret-tool").toString());
        command.addAll(List.of(args));
        return ProcessRun.of(command).environment(env).in(home).stdin(secret).run();
    }
}
