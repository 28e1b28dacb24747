package dev.latchkey.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The libsecret store through the real jar against the real, unlocked gnome-keyring of the suite's
 * session: round trips from the command line and over stdio, items exactly as cargo:libsecret
 * writes them (checked with secret-tool, which knows nothing of latchkey), doctor, and JNA loaded
 * only by commands that use the keyring.
 */
class LibsecretKeyringIT {
    private static final String SCHEMA = "org.rust-lang.cargo.registry";

    @TempDir
    Path home;
    private Map<String, String> env;
    private String indexUrl;

    @BeforeEach
    void isolate() throws IOException {
        env = SessionKeyring.privateHomes(home);
        indexUrl = "sparse+http://127.0.0.1:9/" + UUID.randomUUID() + "/index/";
        Files.writeString(Files.createDirectories(Path.of(env.get("CARGO_HOME"))).resolve("config.toml"),
                "[registries.keyring-it]\nindex = \"" + indexUrl + "\"\n");
    }

    private ProcessRun.Result latchkey(String stdin, String... args) {
        return latchkey(List.of(), stdin, args);
    }

    private ProcessRun.Result latchkey(List<String> jvmOptions, String stdin, String... args) {
        return ProcessRun.of(LatchkeyProcess.command(jvmOptions, args)).environment(env).in(home).stdin(stdin).run();
    }

    @Test
    void storeGetListEraseFromTheCommandLine() {
        String token = "cli-token-" + UUID.randomUUID();
        ProcessRun.Result stored = latchkey(token + "\n", "store", "keyring-it").assertExit(0);
        assertTrue(stored.stderr().contains("in the keychain store"), stored.toString());

        assertEquals(token + "\n", latchkey("", "get", "keyring-it").assertExit(0).stdout());

        ProcessRun.Result search = secretTool("search", "--all", "xdg:schema", SCHEMA, "url", indexUrl).assertExit(0);
        String item = search.stdout() + search.stderr(); // secret-tool prints the attributes on stderr
        assertTrue(item.contains("label = cargo-registry:keyring-it"), item);
        assertTrue(item.contains("secret = " + token), item);
        assertTrue(item.contains("attribute.url = " + indexUrl), item);

        String table = latchkey("", "list").assertExit(0).stdout();
        assertTrue(table.lines().anyMatch(l -> l.startsWith("keyring-it ") && l.contains(" keychain ") && l.endsWith(indexUrl)),
                table);
        String json = latchkey("", "list", "--json").assertExit(0).stdout();
        assertTrue(json.contains("\"index-url\":\"" + indexUrl + "\"") && json.contains("\"store\":\"keychain\""), json);
        assertFalse(json.contains(token), "list never shows a token");

        latchkey("", "erase", "keyring-it").assertExit(0);
        assertEquals(1, secretTool("lookup", "xdg:schema", SCHEMA, "url", indexUrl).exitCode(), "the item is gone");
        latchkey("", "get", "keyring-it").assertExit(1);
        latchkey("", "erase", "keyring-it").assertExit(1);
    }

    @Test
    void aScopedTokenGoesPastTheKeychainToTheFileStoreWhileOneForEveryOperationStaysInTheKeychain() {
        String publish = "publish-token-" + UUID.randomUUID();
        String read = "read-token-" + UUID.randomUUID();
        ProcessRun.Result scoped = latchkey(publish + "\n", "store", "keyring-it", "--operations", "publish,yank").assertExit(0);
        assertTrue(scoped.stderr().contains("in the file store"), scoped.toString());
        ProcessRun.Result plain = latchkey(read + "\n", "store", "keyring-it").assertExit(0);
        assertTrue(plain.stderr().contains("in the keychain store"), plain.toString());

        assertEquals(publish + "\n", latchkey("", "get", "keyring-it", "--operation", "publish").assertExit(0).stdout());
        assertEquals(read + "\n", latchkey("", "get", "keyring-it").assertExit(0).stdout());
        // The keychain's token serves every operation, but with a publish token beside it cargo must ask again.
        String answer = latchkey("{\"v\":1,\"kind\":\"get\",\"registry\":{\"index-url\":\"" + indexUrl + "\"}}\n", "stdio")
                .assertExit(0).stdout();
        assertTrue(answer.contains("\"store\":\"keychain\"") && answer.contains("\"operation_independent\":false"), answer);
        latchkey("", "erase", "keyring-it", "--all-stores").assertExit(0);
        latchkey("", "get", "keyring-it", "--operation", "publish").assertExit(1);
    }

    @Test
    void storeGetListEraseOverStdio() {
        String token = "stdio-token-" + UUID.randomUUID();
        String registry = "\"registry\":{\"index-url\":\"" + indexUrl + "\"}";
        String requests = String.join("\n",
                "{\"v\":1,\"id\":1,\"kind\":\"store\"," + registry + ",\"token\":\"" + token + "\"}",
                "{\"v\":1,\"id\":2,\"kind\":\"get\"," + registry + "}",
                "{\"v\":1,\"id\":3,\"kind\":\"list\"," + registry + "}",
                "{\"v\":1,\"id\":4,\"kind\":\"erase\"," + registry + "}",
                "{\"v\":1,\"id\":5,\"kind\":\"get\"," + registry + "}") + "\n";
        List<String> lines = latchkey(requests, "stdio").assertExit(0).stdout().lines().toList();
        assertEquals(6, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("{\"v\":[1]"), lines.get(0));
        assertTrue(lines.get(1).contains("\"id\":1") && lines.get(1).contains("\"store\":\"keychain\""), lines.get(1));
        assertTrue(lines.get(2).contains("\"id\":2") && lines.get(2).contains("\"token\":\"" + token + "\"")
                && lines.get(2).contains("\"store\":\"keychain\""), lines.get(2));
        assertTrue(lines.get(3).contains("\"id\":3") && lines.get(3).contains("\"index-url\":\"" + indexUrl + "\"")
                && !lines.get(3).contains(token), lines.get(3));
        assertTrue(lines.get(4).contains("\"id\":4") && lines.get(4).contains("\"erased\":[\"keychain\"]"), lines.get(4));
        assertTrue(lines.get(5).contains("\"id\":5") && lines.get(5).contains("\"kind\":\"not-found\""), lines.get(5));
    }

    @Test
    void aTokenSeededAsCargoWouldBeIsReadAndOneWithoutCargosSchemaIsNot() {
        String token = "seeded-token-" + UUID.randomUUID();
        seedWithSecretTool(token, "store", "--label=not cargo's", "url", indexUrl).assertExit(0);
        latchkey("", "get", indexUrl).assertExit(1);
        seedWithSecretTool(token, "store", "--label=cargo-registry:" + indexUrl, "xdg:schema", SCHEMA, "url", indexUrl).assertExit(0);
        assertEquals(token + "\n", latchkey("", "get", indexUrl).assertExit(0).stdout());
        secretTool("clear", "url", indexUrl).assertExit(0);
    }

    @Test
    void doctorSaysTheKeychainIsUnlockedAndTheOtherOsKeychainsAreNotThisOs() {
        String report = latchkey("", "doctor").assertExit(0).stdout();
        assertTrue(report.lines().anyMatch(l -> l.startsWith("keychain ") && l.contains(" usable ")
                && l.contains("libsecret: default collection unlocked")), report);
        assertTrue(report.lines().anyMatch(l -> l.startsWith("macos-keychain ") && l.contains("not this OS")), report);
        assertTrue(report.lines().anyMatch(l -> l.startsWith("wincred ") && l.contains("not this OS")), report);
    }

    @Test
    void commandsThatDoNotUseTheKeyringNeverLoadJna() throws IOException {
        Path fileOnly = Files.writeString(home.resolve("file-only.toml"), "stores = [\"file\"]\n");
        env.put("LATCHKEY_CONFIG", fileOnly.toString());
        Path withoutKeyring = home.resolve("classes-file-only.log");
        latchkey(List.of("-Xlog:class+load=info:file=" + withoutKeyring), "", "get", "keyring-it").assertExit(1);
        assertFalse(Files.readString(withoutKeyring).contains("com.sun.jna."), "JNA was loaded by a file-store lookup");

        env.remove("LATCHKEY_CONFIG");
        Path withKeyring = home.resolve("classes-keychain.log");
        latchkey(List.of("-Xlog:class+load=info:file=" + withKeyring), "", "get", "keyring-it").assertExit(1);
        assertTrue(Files.readString(withKeyring).contains("com.sun.jna.Native "), "a keyring lookup loads JNA (the control)");
    }

    /**
     * cargo starts a provider per request: when a daemon serves it, the provider process must not
     * pay for JNA, even though the answer comes from the keyring (which the daemon has loaded).
     */
    @Test
    void aCargoProviderServedByTheDaemonLoadsNoJnaWhileTheKeyringAnswers() throws Exception {
        String token = "daemon-token-" + UUID.randomUUID();
        try (DaemonSandbox sandbox = new DaemonSandbox()) {
            sandbox.env().put("DBUS_SESSION_BUS_ADDRESS", env.get("DBUS_SESSION_BUS_ADDRESS"));
            ProcessHandle daemon = sandbox.startDaemon();
            DaemonSandbox.Result stored = sandbox.run(token + "\n", "store", indexUrl);
            assertEquals(0, stored.exit(), stored.stderr());
            assertTrue(stored.stderr().contains("in the keychain store"), stored.stderr());
            ProcessRun.Result item = secretTool("lookup", "xdg:schema", SCHEMA, "url", indexUrl).assertExit(0);
            assertEquals(token, item.stdout().strip(), "the daemon stored into the session's keyring");

            Path classes = sandbox.root.resolve("provider-classes.log");
            List<String> provider = new ArrayList<>(sandbox.latchkey("--cargo-plugin"));
            provider.add(1, "-Xlog:class+load=info:file=" + classes);
            DaemonSandbox.Result got = sandbox.run("{\"v\":1,\"registry\":{\"index-url\":\"" + indexUrl + "\"},"
                    + "\"kind\":\"get\",\"operation\":\"read\"}\n", provider);
            assertEquals(0, got.exit(), got.stderr());
            assertEquals("{\"v\":[1]}\n{\"Ok\":{\"kind\":\"get\",\"token\":\"" + token + "\",\"cache\":\"session\","
                    + "\"operation_independent\":true}}\n", got.stdout());
            assertFalse(Files.readString(classes).contains("com.sun.jna."), "the provider loaded JNA although the daemon served it");
            assertTrue(daemon.isAlive());
            assertEquals(0, sandbox.run(null, "erase", indexUrl).exit());
        }
    }

    /** secret-tool, libsecret's own command line, which knows nothing of latchkey. */
    private ProcessRun.Result secretTool(String... args) {
        return seedWithSecretTool("", args);
    }

    private ProcessRun.Result seedWithSecretTool(String secret, String... args) {
        List<String> command = new ArrayList<>();
        command.add(RequiredComponent.executable("secret-tool").toString());
        command.addAll(List.of(args));
        return ProcessRun.of(command).environment(env).in(home).stdin(secret).run();
    }
}
