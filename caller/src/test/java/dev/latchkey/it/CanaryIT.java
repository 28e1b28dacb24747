package dev.latchkey.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Known canary tokens through every command of the real program, in-process and through the
 * daemon, with a real gnome-keyring on a private bus; errors provoked along the way. Then no
 * canary may show in anything printed but the token a `get` was asked for, nor in any file but
 * its store: not the audit log, the metadata book, the daemon's log, the config, or the keyring's
 * own files (a keychain token is on disk only encrypted). The cargo side of the same check runs in
 * CargoEndToEndIT, over its whole flow.
 */
class CanaryIT {
    private static final String REGISTRY = "canreg";
    private static final String INDEX = "sparse+https://canary.example/index/";

    private final String inFile = "lk-canary-file-" + UUID.randomUUID();
    private final String rotated = "lk-canary-rotated-" + UUID.randomUUID();
    private final String inKeyring = "lk-canary-keyring-" + UUID.randomUUID();
    private final String fromCargo = "lk-canary-cargo-" + UUID.randomUUID();
    private final String viaDaemon = "lk-canary-daemon-" + UUID.randomUUID();
    private final List<String> canaries = List.of(inFile, rotated, inKeyring, fromCargo, viaDaemon);
    /** What the commands printed that may not hold a token: every stderr, and stdout of all but `get`s. */
    private final List<String> printed = new ArrayList<>();

    @RegisterExtension
    final DaemonSandbox sandbox = DaemonSandbox.perTest();
    private PrivateKeyring keyring;

    @BeforeEach
    void start() throws Exception {
        sandbox.config("[registries." + REGISTRY + "]\nindex = \"" + INDEX + "\"\n");
        keyring = PrivateKeyring.start(sandbox.root.resolve("keyrings"), "canary-keyring-password");
        sandbox.env().put("DBUS_SESSION_BUS_ADDRESS", keyring.environment().get("DBUS_SESSION_BUS_ADDRESS"));
        sandbox.env().put("LATCHKEY_NO_DAEMON", "1");
    }

    @AfterEach
    void stop() throws Exception {
        keyring.close();
    }

    /** Runs a command whose every output must be free of tokens. */
    private DaemonSandbox.Result quiet(String stdin, String... args) throws Exception {
        DaemonSandbox.Result result = sandbox.run(stdin, args);
        printed.add(label(args) + " (exit " + result.exit() + ")\n" + result.stdout() + result.stderr());
        return result;
    }

    /** Runs a command that prints {@code expected} (a token) on stdout, and nothing else that holds one. */
    private void prints(String expected, String stdin, String... args) throws Exception {
        DaemonSandbox.Result result = sandbox.run(stdin, args);
        assertEquals(0, result.exit(), result.stderr());
        assertTrue(result.stdout().contains(expected), "latchkey " + String.join(" ", args) + " printed " + result.stdout());
        printed.add(label(args) + "\n" + result.stdout().replace(expected, "") + result.stderr());
    }

    /** The command, for a failure message; a canary the test put on its command line (on purpose) masked. */
    private String label(String... args) {
        String command = "latchkey " + String.join(" ", args);
        for (String canary : canaries) {
            command = command.replace(canary, "<canary on the command line>");
        }
        return command;
    }

    private static String line(String kind, String extra) {
        return "{\"v\":1,\"kind\":\"" + kind + "\",\"registry\":{\"index-url\":\"" + INDEX + "\",\"name\":\"" + REGISTRY + "\"}" + extra + "}\n";
    }

    @Test
    void noCanaryIsPrintedOrWrittenAnywhereButItsStore() throws Exception {
        // the file store, from the command line
        assertEquals(0, quiet(inFile + "\n", "store", REGISTRY, "--store", "file", "--expires-in", "30d").exit());
        prints(inFile, null, "get", REGISTRY, "--config", sandbox.configDir.resolve("latchkey/config.toml").toString());
        assertEquals(0, quiet(null, "list").exit());
        assertEquals(0, quiet(null, "list", "--json").exit());
        assertEquals(0, quiet(rotated + "\n", "rotate", REGISTRY).exit());
        prints(rotated, null, "get", REGISTRY);

        // the keychain
        assertEquals(0, quiet(inKeyring + "\n", "store", REGISTRY, "--store", "libsecret", "--expires-in", "1d").exit());
        prints(inKeyring, line("get", ",\"args\":[\"--store\",\"libsecret\"]"), "stdio");
        prints(inKeyring, line("get", ""), "--cargo-plugin");

        // cargo's file, imported
        Files.createDirectories(sandbox.cargoHome);
        Files.writeString(sandbox.cargoHome.resolve("config.toml"), "[registries.fromcargo]\nindex = \"sparse+https://fromcargo.example/index/\"\n");
        Files.writeString(sandbox.cargoHome.resolve("credentials.toml"), "[registries.fromcargo]\ntoken = \"" + fromCargo + "\"\n");
        assertEquals(0, quiet(null, "import", "cargo").exit());
        assertFalse(Files.readString(sandbox.cargoHome.resolve("credentials.toml")).contains(fromCargo));
        prints(fromCargo, null, "get", "fromcargo");

        // the protocols, with their errors
        quiet(line("store", ",\"token\":\"" + inFile + "\",\"store\":\"nope\"") + line("store", ",\"token\":\"" + inFile + "\",\"operations\":[\"frob\"]")
                + "{\"v\":1,\"kind\":\"store\",\"token\":\"" + inFile + "\"\n" + line("list", "") + line("status", ""), "stdio");
        quiet("{\"v\":1,\"registry\":{\"index-url\":\"" + INDEX + "\"},\"kind\":\"login\",\"token\":\"" + inFile + "\",\"args\":[\"--store\",\"env\"]}\n"
                + "{\"v\":1,\"kind\":\"login\",\"token\":\"" + inFile + "\" broken\n", "--cargo-plugin");

        // the command line's errors: the token on the command line, a store that is not there, a bad one
        assertEquals(2, quiet(null, "store", REGISTRY, inFile).exit());
        assertEquals(2, quiet(inFile + "\n", "store", REGISTRY, "--store", "nope").exit());
        assertEquals(2, quiet(inFile + "\u0001\n", "store", REGISTRY).exit());
        assertEquals(2, quiet(inFile + "\n", "rotate", REGISTRY, "--operations", "frob").exit());

        assertEquals(0, quiet(null, "doctor").exit());
        assertEquals(0, quiet(null, "doctor", "--json").exit());
        assertEquals(0, quiet(null, "audit").exit());
        assertEquals(0, quiet(null, "audit", "--json", "-n", "1000").exit());

        // the daemon: started, asked, stopped
        sandbox.env().remove("LATCHKEY_NO_DAEMON");
        sandbox.startDaemon();
        assertEquals(0, quiet(null, "daemon", "status").exit());
        assertEquals(0, quiet(viaDaemon + "\n", "store", REGISTRY, "--store", "memory").exit());
        prints(viaDaemon, line("get", ",\"args\":[\"--store\",\"memory\"]"), "--cargo-plugin");
        prints(inKeyring, null, "get", REGISTRY); // the keychain comes before the file in the default order
        assertEquals(0, quiet(null, "erase", REGISTRY, "--all-stores").exit());
        assertEquals(1, quiet(null, "get", REGISTRY).exit());
        assertEquals(0, quiet(null, "daemon", "stop").exit());
        assertTrue(Files.readString(sandbox.daemonLog()).contains("stopped"), "the daemon logged its life");

        for (String output : printed) {
            TokenLeaks.assertNotIn(output.lines().findFirst().orElse(""), output, canaries);
        }
        // The stores that may hold a token: latchkey's token file and cargo's credentials file. The
        // keyring's files hold the keychain token encrypted. The test's own stdin and stdout captures are skipped.
        Path tokenFile = sandbox.tokenFile();
        Path cargoFile = sandbox.cargoHome.resolve("credentials.toml");
        int scanned = TokenLeaks.assertNoFileHolds(sandbox.root, file -> file.equals(tokenFile) || file.equals(cargoFile)
                || (file.getParent().equals(sandbox.root) && file.getFileName().toString().matches("(in|out).*\\.txt")), canaries);
        assertTrue(Files.isDirectory(sandbox.root.resolve("keyrings/keyrings")), "the keyring's files were scanned too");
        assertTrue(Files.readString(sandbox.state.resolve("latchkey/audit.log")).lines().count() > 20, "every request was audited");
        assertTrue(scanned >= 8, "scanned " + scanned + " files");
        for (Path err : Files.list(sandbox.root).filter(f -> f.getFileName().toString().startsWith("err")).toList()) {
            TokenLeaks.assertNotIn(err.toString(), Files.readString(err), canaries);
        }
    }
}
