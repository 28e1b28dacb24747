package dev.latchkey.it;

import dev.latchkey.testing.PlainEncodings;
import dev.latchkey.client.LatchkeyClient;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The encrypted store through the real jar, with the default scrypt cost: the command line and
 * stdio with the passphrase in LATCHKEY_PASSPHRASE, a wrong or missing passphrase and a tampered
 * file (exit 3, the file untouched), metadata across processes, doctor, the daemon keeping the key
 * while seeing other processes' changes, and nothing of it loaded by a request the file store serves.
 */
class EncryptedStoreIT {
    private static final String PASSPHRASE = "correct horse battery staple";
    private static final String TOKEN = "cio-enc-7d3f1a9b2c8e4f6a0b5d9c3e1f7a2b8d";

    @TempDir
    Path home;
    private Map<String, String> env;

    @BeforeEach
    void isolate() throws IOException {
        env = PrivateHomes.environment(home, home.resolve("cargo"));
        env.put("LATCHKEY_PASSPHRASE", PASSPHRASE);
        config("stores = [\"encrypted\"]\n");
    }

    private void config(String toml) throws IOException {
        Path file = LatchkeyProcess.configFile(home);
        Files.createDirectories(file.getParent());
        Files.writeString(file, toml + "[registries.company]\nindex = \"sparse+http://127.0.0.1:9/company/index/\"\n");
    }

    private Path encryptedFile() {
        return home.resolve("xdg/data/latchkey/secrets.enc");
    }

    private ProcessRun.Result latchkey(String stdin, String... args) {
        return latchkey(List.of(), stdin, args);
    }

    private ProcessRun.Result latchkey(List<String> jvmOptions, String stdin, String... args) {
        return ProcessRun.of(LatchkeyProcess.command(jvmOptions, args)).environment(env).in(home).stdin(stdin).run();
    }

    @Test
    void storeGetListEraseFromTheCommandLine() throws IOException {
        ProcessRun.Result stored = latchkey(TOKEN + "\n", "store", "company", "--expires-in", "30d", "--operations", "read").assertSuccess();
        assertTrue(stored.stderr().contains("in the encrypted store"), stored.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(encryptedFile())));
        assertEquals(List.of(), PlainEncodings.foundIn(Files.readAllBytes(encryptedFile()), TOKEN));
        assertEquals(List.of(), PlainEncodings.foundIn(Files.readAllBytes(encryptedFile()), "127.0.0.1:9/company"),
                "the metadata is sealed too");

        assertEquals(TOKEN + "\n", latchkey("", "get", "company").assertSuccess().stdout());
        latchkey("", "get", "company", "--operation", "publish").assertExit(1);

        // Metadata written by one process, read by another.
        String json = latchkey("", "list", "--json").assertSuccess().stdout();
        Map<?, ?> ok = (Map<?, ?>) ((Map<?, ?>) JsonValues.parse(json.getBytes(StandardCharsets.UTF_8))).get("Ok");
        Map<?, ?> entry = (Map<?, ?>) ((List<?>) ok.get("entries")).get(0);
        assertEquals("company", entry.get("name"));
        assertEquals("encrypted", entry.get("store"));
        assertEquals(List.of("read"), entry.get("operations"));
        long created = ((Number) entry.get("created")).longValue();
        assertEquals(30L * 24 * 3600, ((Number) entry.get("expiration")).longValue() - created, 5);
        assertFalse(json.contains(TOKEN));

        latchkey("", "erase", "company").assertSuccess();
        latchkey("", "get", "company").assertExit(1);
        latchkey("", "erase", "company").assertExit(1);
        assertTrue(Files.exists(encryptedFile()), "an emptied store keeps its file (and its salt)");
    }

    @Test
    void storeGetOverStdioInTheFileItsConfigNames() throws IOException {
        Path elsewhere = home.resolve("vault/tokens.sealed");
        env.remove("LATCHKEY_PASSPHRASE");
        env.put("MY_PASSPHRASE", PASSPHRASE);
        config("stores = [\"encrypted\"]\n[store.encrypted]\npath = \"" + elsewhere + "\"\npassphrase-env = \"MY_PASSPHRASE\"\n"
                + "key = \"passphrase\"\n");
        String registry = "\"registry\":{\"index-url\":\"sparse+http://127.0.0.1:9/stdio/\"}";
        String requests = "{\"v\":1,\"id\":1,\"kind\":\"store\"," + registry + ",\"token\":\"" + TOKEN + "\",\"operations\":[\"publish\"]}\n"
                + "{\"v\":1,\"id\":2,\"kind\":\"get\"," + registry + ",\"operation\":\"publish\"}\n";
        List<String> lines = latchkey(requests, "stdio").assertSuccess().stdout().lines().toList();
        assertTrue(lines.get(1).contains("\"store\":\"encrypted\""), lines.get(1));
        assertTrue(lines.get(2).contains("\"token\":\"" + TOKEN + "\"") && lines.get(2).contains("\"operation_independent\":false"),
                lines.get(2));
        assertTrue(Files.isRegularFile(elsewhere));
        assertFalse(Files.exists(encryptedFile()));
    }

    @Test
    void aWrongPassphraseExits3AndChangesNothing() throws IOException {
        latchkey(TOKEN + "\n", "store", "company").assertSuccess();
        byte[] before = Files.readAllBytes(encryptedFile());
        env.put("LATCHKEY_PASSPHRASE", "incorrect horse");
        ProcessRun.Result get = latchkey("", "get", "company").assertExit(3);
        assertTrue(get.stderr().contains("wrong passphrase") && get.stderr().contains("LATCHKEY_PASSPHRASE"), get.toString());
        assertEquals("", get.stdout());
        latchkey("another-token\n", "store", "company").assertExit(3);
        latchkey("", "erase", "company").assertExit(3);
        assertArrayEquals(before, Files.readAllBytes(encryptedFile()));
        assertFalse(get.stderr().contains(TOKEN) || get.stderr().contains(PASSPHRASE));
    }

    @Test
    void aTamperedFileExits3SaysSoAndIsLeftAsItIs() throws IOException {
        latchkey(TOKEN + "\n", "store", "company").assertSuccess();
        byte[] tampered = Files.readAllBytes(encryptedFile());
        tampered[tampered.length - 20] ^= 0x01; // a byte of the ciphertext
        Files.write(encryptedFile(), tampered);
        ProcessRun.Result get = latchkey("", "get", "company").assertExit(3);
        assertTrue(get.stderr().contains("is damaged or was changed") && get.stderr().contains("will not overwrite it"),
                get.toString());
        latchkey("another-token\n", "store", "company").assertExit(3);
        latchkey("", "erase", "company").assertExit(3);
        assertArrayEquals(tampered, Files.readAllBytes(encryptedFile()));

        byte[] header = tampered.clone();
        header[tampered.length - 20] ^= 0x01;
        header[20] ^= 0x01; // a byte of the salt: another key, which the key check catches
        Files.write(encryptedFile(), header);
        latchkey("", "get", "company").assertExit(3);
        assertArrayEquals(header, Files.readAllBytes(encryptedFile()));
    }

    @Test
    void withoutAPassphraseOrATerminalItIsLockedAndSaysHowToGiveOne() throws IOException {
        latchkey(TOKEN + "\n", "store", "company").assertSuccess();
        env.remove("LATCHKEY_PASSPHRASE");
        // setsid: no controlling terminal, whoever runs the suite.
        List<String> command = new ArrayList<>(List.of(RequiredComponent.executable("setsid").toString(), "-w"));
        command.addAll(LatchkeyProcess.command(List.of(), "get", "company"));
        ProcessRun.Result get = ProcessRun.of(command).environment(env).in(home).run().assertExit(3);
        assertTrue(get.stderr().contains("locked: no passphrase") && get.stderr().contains("set LATCHKEY_PASSPHRASE"), get.toString());

        String doctor = latchkey("", "doctor").assertSuccess().stdout();
        assertTrue(doctor.lines().anyMatch(l -> l.startsWith("encrypted ") && l.contains("unusable")
                && l.contains("scrypt N=2^16 r=8 p=1") && l.contains("set LATCHKEY_PASSPHRASE")), doctor);
    }

    @Test
    void doctorShowsTheFileAndWhereThePassphraseComesFrom() throws IOException {
        String absent = latchkey("", "doctor").assertSuccess().stdout();
        assertTrue(absent.lines().anyMatch(l -> l.startsWith("encrypted ") && l.contains(" usable ") && l.contains("no file yet")
                && l.contains("passphrase $LATCHKEY_PASSPHRASE")), absent);
        latchkey(TOKEN + "\n", "store", "company").assertSuccess();
        String present = latchkey("", "doctor", "--json").assertSuccess().stdout();
        assertTrue(present.contains("\"name\":\"encrypted\",\"usable\":true,\"writable\":true,\"detail\":\"" + encryptedFile()
                + ", its key derived from a passphrase (scrypt N=2^16 r=8 p=1); passphrase $LATCHKEY_PASSPHRASE\""), present);
    }

    @Test
    void requestsTheFileStoreServesLoadNoCryptography() throws IOException {
        config("stores = [\"file\"]\n");
        latchkey(TOKEN + "\n", "store", "company").assertSuccess();
        Path fileOnly = home.resolve("classes-file.log");
        latchkey(List.of("-Xlog:class+load=info:file=" + fileOnly), "", "get", "company").assertSuccess();
        String loaded = Files.readString(fileOnly);
        assertFalse(loaded.contains("javax.crypto.") || loaded.contains("store.encrypted."), "a file-store get loaded the encrypted store");

        Path encrypted = home.resolve("classes-encrypted.log");
        latchkey(List.of("-Xlog:class+load=info:file=" + encrypted), TOKEN + "\n", "store", "company", "--store", "encrypted")
                .assertSuccess();
        String control = Files.readString(encrypted);
        assertTrue(control.contains("javax.crypto.Cipher ") && control.contains("store.encrypted.Scrypt "), "the control");
    }

    @Test
    void theDaemonKeepsTheKeyAndStillSeesWhatOtherProcessesWrite() throws Exception {
        try (DaemonSandbox sandbox = new DaemonSandbox()) {
            sandbox.config("stores = [\"encrypted\"]\n");
            sandbox.env().put("LATCHKEY_PASSPHRASE", PASSPHRASE);
            sandbox.startDaemon();
            Registry company = Registry.byUrl("sparse+http://127.0.0.1:9/daemon/");
            assertEquals(0, sandbox.run("first-token\n", "store", company.indexUrl()).exit(), "stored through the daemon");
            try (LatchkeyClient client = sandbox.client()) {
                assertEquals("first-token", client.get(company).token().reveal());
                assertTrue(encryptedStatus(client).detail().contains("unlocked"), encryptedStatus(client).detail());

                // Another process, not the daemon, changes the file: the daemon's next answer has it.
                assertEquals(0, sandbox.run("second-token\n", "--no-daemon", "store", company.indexUrl()).exit());
                assertEquals("second-token", client.get(company).token().reveal());

                // Made anew with another salt: the daemon derives the key again and goes on.
                Files.delete(sandbox.data.resolve("latchkey/secrets.enc"));
                assertEquals(0, sandbox.run("third-token\n", "--no-daemon", "store", company.indexUrl()).exit());
                assertEquals("third-token", client.get(company).token().reveal());
            }
        }
    }

    @Test
    void aDaemonWithoutThePassphraseIsLockedAndNeverAsks() throws Exception {
        try (DaemonSandbox sandbox = new DaemonSandbox()) {
            sandbox.config("stores = [\"encrypted\"]\n");
            sandbox.startDaemon();
            Registry registry = Registry.byUrl("sparse+http://127.0.0.1:9/daemon/");
            DaemonSandbox.Result get = sandbox.run(null, "get", registry.indexUrl());
            assertEquals(1, get.exit(), "no file yet: nothing to unlock, nothing found: " + get.stderr());
            DaemonSandbox.Result store = sandbox.run("token\n", "store", registry.indexUrl());
            assertEquals(3, store.exit(), store.stderr());
            assertTrue(store.stderr().contains("the daemon, which never asks"), store.stderr());

            // The command has the passphrase, the daemon it hands the request to has not: still locked,
            // and the message names the two fixes, which both work.
            sandbox.env().put("LATCHKEY_PASSPHRASE", PASSPHRASE);
            DaemonSandbox.Result forwarded = sandbox.run("token\n", "store", registry.indexUrl());
            assertEquals(3, forwarded.exit(), forwarded.stderr());
            assertTrue(forwarded.stderr().contains("was started without LATCHKEY_PASSPHRASE")
                    && forwarded.stderr().contains("`latchkey daemon stop`, then `latchkey daemon` where LATCHKEY_PASSPHRASE is set")
                    && forwarded.stderr().contains("--no-daemon"), forwarded.stderr());
            assertFalse(forwarded.stderr().contains(PASSPHRASE));
            assertEquals(0, sandbox.run("token\n", "--no-daemon", "store", registry.indexUrl()).exit());
            assertEquals(0, sandbox.run(null, "daemon", "stop").exit());
            sandbox.startDaemon();
            try (LatchkeyClient client = sandbox.client()) {
                assertEquals("token", client.get(registry).token().reveal(), "the daemon started with the variable opens the file");
            }
        }
    }

    private static Response.StoreStatus encryptedStatus(LatchkeyClient client) throws Exception {
        return client.status().stores().stream().filter(s -> s.name().equals("encrypted")).findFirst().orElseThrow();
    }
}
