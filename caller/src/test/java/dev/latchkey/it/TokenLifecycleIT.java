package dev.latchkey.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A token's life through the real program, in-process and through the daemon: an expiry kept for a
 * store that has no room for one, seen by the protocol and the CLI; `rotate`; a token past
 * `rotate-after` warning once on the requesting user's stderr and flagged by `list`; `erase
 * --all-stores`; and the audit log naming who asked, the daemon's peers by pid.
 */
class TokenLifecycleIT {
    private static final String COMPANY = "sparse+https://packages.example.com/index/";
    private static final String CONFIG = "rotate-after = \"90d\"\n[registries.company]\nindex = \"" + COMPANY + "\"\n";
    private static final String CARGO_GET = "{\"v\":1,\"registry\":{\"index-url\":\"" + COMPANY
            + "\",\"name\":\"company\"},\"kind\":\"get\",\"operation\":\"read\"}\n";

    @RegisterExtension
    final DaemonSandbox sandbox = DaemonSandbox.perTest();

    @BeforeEach
    void prepare() throws Exception {
        sandbox.config(CONFIG);
        sandbox.env().put("LATCHKEY_NO_DAEMON", "1"); // in-process unless a test starts the daemon
        sandbox.env().remove("DBUS_SESSION_BUS_ADDRESS"); // off the suite's keyring: the file and cargo stores are the subject here
    }

    private DaemonSandbox.Result latchkey(String stdin, String... args) throws Exception {
        return sandbox.run(stdin, args);
    }

    @Test
    void anExpiryKeptInTheBookIsHonouredByTheProtocolAndTheCli() throws Exception {
        // cargo's credentials file has no room for an expiry: latchkey's metadata book keeps it
        DaemonSandbox.Result stored = latchkey("tok-expiring\n", "store", "company", "--store", "cargo", "--expires-in", "10s");
        assertEquals(0, stored.exit(), stored.stderr());
        assertEquals("[registries.company]\ntoken = \"tok-expiring\"\n", Files.readString(sandbox.cargoHome.resolve("credentials.toml")));

        DaemonSandbox.Result fresh = latchkey("{\"v\":1,\"kind\":\"get\",\"registry\":{\"name\":\"company\"},\"args\":[\"--store\",\"cargo\"]}\n",
                "stdio");
        Map<?, ?> ok = (Map<?, ?>) ((Map<?, ?>) JsonValues.parse(fresh.stdout().lines().toList().get(1).getBytes(StandardCharsets.UTF_8))).get("Ok");
        assertEquals("expires", ok.get("cache"));
        long expiration = (Long) ok.get("expiration");
        assertTrue(expiration > Instant.now().getEpochSecond() - 5 && expiration <= Instant.now().getEpochSecond() + 10);
        assertTrue(latchkey(null, "list").stdout().contains(Instant.ofEpochSecond(expiration).toString()), "list shows the expiry");

        // Ten seconds: time for the three processes above on a loaded machine, before it expires.
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500))
                .until(() -> latchkey(null, "get", "company", "--config", sandbox.configDir.resolve("latchkey/config.toml").toString())
                        .exit() == 1);
        DaemonSandbox.Result expired = latchkey(null, "get", "company");
        assertEquals(1, expired.exit());
        assertEquals("", expired.stdout(), "an expired token is never handed out");
        assertTrue(expired.stderr().contains("expired at " + Instant.ofEpochSecond(expiration)), expired.stderr());
        DaemonSandbox.Result cargoSees = latchkey(CARGO_GET, "--cargo-plugin");
        assertEquals("{\"v\":[1]}\n{\"Err\":{\"kind\":\"not-found\"}}\n", cargoSees.stdout());
        assertTrue(latchkey(null, "list").stdout().contains("(expired)"));
    }

    @Test
    void rotateReplacesTheTokenInEveryStoreHoldingItAndEraseAllStoresRemovesItEverywhere() throws Exception {
        assertEquals(0, latchkey("tok-one\n", "store", "company", "--store", "file").exit());
        assertEquals(0, latchkey("tok-one\n", "store", "company", "--store", "cargo").exit());
        DaemonSandbox.Result rotated = latchkey("tok-two\n", "rotate", "company");
        assertEquals(0, rotated.exit(), rotated.stderr());
        assertTrue(rotated.stderr().contains("rotated the token for `company` in the file store"), rotated.stderr());
        assertEquals("tok-two\n", latchkey(null, "get", "company").stdout());
        // cargo's file is touched only when named
        assertTrue(Files.readString(sandbox.cargoHome.resolve("credentials.toml")).contains("tok-one"));
        assertEquals(0, latchkey("tok-three\n", "rotate", "company", "--store", "cargo").exit());
        assertTrue(Files.readString(sandbox.cargoHome.resolve("credentials.toml")).contains("tok-three"));
        assertEquals(1, latchkey("tok-x\n", "rotate", "company", "--operations", "publish").exit(), "no publish token to rotate");
        assertEquals(2, latchkey(null, "rotate", "company", "tok-on-the-command-line").exit());

        sandbox.config(CONFIG.replace("index = ", "stores = [\"file\", \"cargo\"]\nindex = "));
        DaemonSandbox.Result erased = latchkey(null, "erase", "company", "--all-stores");
        assertEquals(0, erased.exit(), erased.stderr());
        assertTrue(erased.stderr().contains("from the file, cargo stores"), erased.stderr());
        assertEquals(1, latchkey(null, "get", "company").exit());
        assertEquals(2, latchkey(null, "erase", "company", "--all-stores", "--store", "file").exit());
    }

    @Test
    void aTokenPastRotateAfterWarnsOnceOnTheUsersStderrInProcessAndThroughTheDaemon() throws Exception {
        long old = Instant.now().getEpochSecond() - 100 * 86_400;
        Files.createDirectories(sandbox.tokenFile().getParent());
        Files.createFile(sandbox.tokenFile(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(sandbox.tokenFile(), "[[token]]\nindex-url = \"" + COMPANY + "\"\nname = \"company\"\ntoken = \"tok-old\"\n"
                + "created = " + old + "\nupdated = " + old + "\n");
        String warning = "latchkey: warning: the token for `company` is 100d old, past rotate-after (90d): "
                + "get a new one from the registry and run `latchkey rotate company`";

        DaemonSandbox.Result inProcess = latchkey(CARGO_GET, "--cargo-plugin");
        assertEquals("{\"v\":[1]}\n{\"Ok\":{\"kind\":\"get\",\"token\":\"tok-old\",\"cache\":\"session\",\"operation_independent\":true}}\n",
                inProcess.stdout(), "cargo's answer never carries the warning");
        assertEquals(warning + "\n", inProcess.stderr(), "one line");
        DaemonSandbox.Result cli = latchkey(null, "get", "company");
        assertEquals("tok-old\n", cli.stdout());
        assertEquals(warning + "\n", cli.stderr());
        DaemonSandbox.Result listed = latchkey(null, "list");
        assertTrue(listed.stdout().contains("100d ROTATE"), listed.stdout());
        assertTrue(listed.stderr().contains("latchkey rotate REGISTRY"));

        sandbox.env().remove("LATCHKEY_NO_DAEMON");
        sandbox.startDaemon();
        DaemonSandbox.Result relayed = latchkey(CARGO_GET, "--cargo-plugin");
        assertEquals(inProcess.stdout(), relayed.stdout());
        assertEquals(warning + "\n", relayed.stderr(), "the daemon's warning reaches the user through the process cargo started");
        assertTrue(latchkey("{\"v\":1,\"kind\":\"get\",\"registry\":{\"name\":\"company\"}}\n", "stdio").stdout()
                .contains("\"warnings\":[\"" + warning.substring("latchkey: warning: ".length()) + "\"]"), "stdio clients get it in the answer");

        assertEquals(0, latchkey("tok-new\n", "rotate", "company").exit());
        DaemonSandbox.Result afterRotation = latchkey(CARGO_GET, "--cargo-plugin");
        assertTrue(afterRotation.stdout().contains("tok-new"));
        assertEquals("", afterRotation.stderr());
        assertFalse(latchkey(null, "list").stdout().contains("ROTATE"));
    }

    @Test
    void theAuditLogNamesWhoAskedInProcessAndThroughTheDaemon() throws Exception {
        assertEquals(0, latchkey("tok-audit\n", "store", "company").exit());
        long self = ProcessHandle.current().pid();
        Process inProcess = runRecordingPid(CARGO_GET, "--cargo-plugin");

        sandbox.env().remove("LATCHKEY_NO_DAEMON");
        sandbox.startDaemon();
        Process relay = runRecordingPid(CARGO_GET, "--cargo-plugin");

        DaemonSandbox.Result audit = latchkey(null, "audit", "--json", "-n", "20");
        assertEquals(0, audit.exit(), audit.stderr());
        List<Map<?, ?>> lines = new ArrayList<>();
        for (String line : audit.stdout().lines().toList()) {
            Map<?, ?> fields = (Map<?, ?>) JsonValues.parse(line.getBytes(StandardCharsets.UTF_8));
            if (!fields.get("kind").equals("status")) { // `latchkey daemon` asks its new daemon for its status
                lines.add(fields);
            }
        }
        assertEquals("store", lines.remove(0).get("kind"));
        assertEquals(2, lines.size(), audit.stdout());
        for (Map<?, ?> line : lines) {
            assertEquals("get", line.get("kind"));
            assertEquals("read", line.get("operation"));
            assertEquals(COMPANY, line.get("registry"));
            assertEquals("file", line.get("store"));
            assertEquals("ok", line.get("outcome"));
            assertTrue(line.get("uid") instanceof Long, line.toString());
        }
        // served in the process cargo (here: this test) started: the asker is its parent
        assertEquals(self, lines.get(0).get("pid"));
        // served by the daemon: the asker is its socket peer, found through SO_PEERCRED, and that one's parent
        assertEquals(relay.pid(), lines.get(1).get("pid"), "the daemon must learn its peer's pid: " + lines.get(1));
        assertEquals(self, lines.get(1).get("ppid"));
        assertTrue(((String) lines.get(1).get("exe")).endsWith("java"), lines.get(1).toString());
        assertFalse(audit.stdout().contains("tok-audit"));
        assertTrue(inProcess.pid() > 0);

        DaemonSandbox.Result table = latchkey(null, "audit");
        assertTrue(table.stdout().startsWith("TIME"), table.stdout());
        assertEquals(2, latchkey(null, "audit", "-n", "zero").exit());
    }

    /** Runs latchkey with {@code stdin} to its end, as cargo would, and returns the finished process. */
    private Process runRecordingPid(String stdin, String... args) throws Exception {
        Path input = Files.createTempFile(sandbox.root, "in", ".txt");
        Files.writeString(input, stdin);
        Process process = sandbox.start(sandbox.builder(sandbox.latchkey(args)).redirectInput(input.toFile()));
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue());
        return process;
    }
}
