package dev.latchkey.it;

import dev.latchkey.client.LatchkeyClient;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --cargo-plugin}, {@code stdio} and the CLI use a running daemon, and serve in-process
 * when there is none or they are told to: the same requests give the same answers both ways.
 */
class DaemonForwardingIT {
    private static final String COMPANY = "sparse+https://packages.example.com/index/";
    private static final String CONFIG = "stores = [\"file\"]\n[registries.company]\nindex = \"" + COMPANY + "\"\n";

    /** Every kind, with and without ids, by name and by URL, good and bad, ending where it began: no tokens. */
    private static final String LATCHKEY_SCRIPT = String.join("\n",
            "{\"v\":1,\"id\":1,\"kind\":\"store\",\"registry\":{\"name\":\"company\"},\"token\":\"tok-company\"}",
            "{\"v\":1,\"id\":\"two\",\"kind\":\"get\",\"registry\":{\"index-url\":\"" + COMPANY + "\"}}",
            "{\"v\":1,\"kind\":\"get\",\"registry\":{\"name\":\"company\"},\"operation\":\"publish\",\"name\":\"c\",\"vers\":\"1.0.0\",\"cksum\":\"ab\"}",
            "{\"v\":1,\"id\":3,\"kind\":\"store\",\"registry\":{\"index-url\":\"https://other.example/index\"},\"token\":\"tok-other\","
                    + "\"operations\":[\"publish\"],\"expiration\":4102444800}",
            "{\"v\":1,\"id\":4,\"kind\":\"get\",\"registry\":{\"index-url\":\"https://other.example/index\"}}",
            "{\"v\":1,\"id\":5,\"kind\":\"get\",\"registry\":{\"index-url\":\"https://other.example/index\"},\"operation\":\"publish\"}",
            "{\"v\":1,\"id\":6,\"kind\":\"list\"}",
            "{\"v\":1,\"id\":7,\"kind\":\"erase\",\"registry\":{\"name\":\"company\"}}",
            "{\"v\":1,\"id\":8,\"kind\":\"get\",\"registry\":{\"name\":\"company\"}}",
            "{\"v\":1,\"id\":9,\"kind\":\"erase\",\"registry\":{\"name\":\"company\"}}",
            "{\"v\":1,\"id\":10,\"kind\":\"get\",\"registry\":{\"name\":\"nowhere\"}}",
            "this is not json",
            "{\"v\":1,\"id\":11,\"kind\":\"frobnicate\"}",
            "{\"v\":1,\"id\":12,\"kind\":\"store\",\"registry\":{\"index-url\":\"https://x.example/\"},\"token\":\"t\",\"store\":\"nope\"}",
            "{\"v\":1,\"id\":13,\"kind\":\"get\",\"registry\":{\"index-url\":\"https://x.example/\"},\"args\":[\"--store\",\"env\"]}",
            "{\"v\":1,\"id\":14,\"kind\":\"login\",\"registry\":{\"index-url\":\"https://third.example/index\",\"name\":\"third\"},\"token\":\"tok-third\"}",
            "{\"v\":1,\"id\":15,\"kind\":\"logout\",\"registry\":{\"index-url\":\"https://third.example/index\",\"name\":\"third\"}}",
            "{\"v\":1,\"id\":16,\"kind\":\"erase\",\"registry\":{\"index-url\":\"https://other.example/index\"}}",
            "{\"v\":1,\"id\":17,\"kind\":\"status\"}") + "\n";

    /** What cargo 1.95 sends (docs/protocol.md, cargo's credential-provider protocol), one request per line. */
    private static final String CARGO_SCRIPT = String.join("\n",
            "{\"v\":1,\"registry\":{\"index-url\":\"" + COMPANY + "\",\"name\":\"company\"},\"kind\":\"login\",\"token\":\"tok-cargo\"}",
            "{\"v\":1,\"registry\":{\"index-url\":\"" + COMPANY + "\",\"name\":\"company\"},\"kind\":\"get\",\"operation\":\"read\"}",
            "{\"v\":1,\"registry\":{\"index-url\":\"" + COMPANY + "\",\"name\":\"company\"},\"kind\":\"get\",\"operation\":\"publish\","
                    + "\"name\":\"c\",\"vers\":\"1.0.0\",\"cksum\":\"ab\"}",
            "{\"v\":1,\"registry\":{\"index-url\":\"" + COMPANY + "\",\"name\":\"company\"},\"kind\":\"get\",\"operation\":\"read\","
                    + "\"args\":[\"--store\",\"nope\"]}",
            "{\"v\":1,\"registry\":{\"index-url\":\"" + COMPANY + "\",\"name\":\"company\"},\"kind\":\"logout\"}",
            "{\"v\":1,\"registry\":{\"index-url\":\"" + COMPANY + "\",\"name\":\"company\"},\"kind\":\"logout\"}",
            "{\"v\":1,\"registry\":{\"index-url\":\"" + COMPANY + "\",\"name\":\"company\"},\"kind\":\"get\",\"operation\":\"read\"}") + "\n";

    @RegisterExtension
    final DaemonSandbox sandbox = DaemonSandbox.perTest();

    @Test
    void stdioAnswersTheSameThroughTheDaemonAsInProcess() throws Exception {
        sandbox.config(CONFIG);
        ProcessHandle daemon = sandbox.startDaemon();

        DaemonSandbox.Result throughDaemon = sandbox.run(LATCHKEY_SCRIPT, "stdio");
        DaemonSandbox.Result inProcess = sandbox.run(LATCHKEY_SCRIPT, "--no-daemon", "stdio");

        assertEquals(0, throughDaemon.exit(), throughDaemon.stderr());
        assertEquals(0, inProcess.exit(), inProcess.stderr());
        List<String> daemonLines = throughDaemon.stdout().lines().toList();
        List<String> localLines = inProcess.stdout().lines().toList();
        assertEquals(LATCHKEY_SCRIPT.lines().count() + 1, daemonLines.size(), throughDaemon.stdout());
        for (int i = 0; i < daemonLines.size() - 1; i++) {
            assertEquals(timesMasked(localLines.get(i)), timesMasked(daemonLines.get(i)), "line " + i);
        }
        assertTrue(daemonLines.get(2).contains("\"token\":\"tok-company\""), daemonLines.get(2));
        assertTrue(daemonLines.get(7).contains("\"entries\":[{\"index-url\""), daemonLines.get(7));
        // The last answer is the server's status: the daemon's pid one way, this process's the other.
        assertTrue(daemonLines.get(daemonLines.size() - 1).contains("\"pid\":" + daemon.pid() + ","), "served by the daemon");
        assertFalse(localLines.get(localLines.size() - 1).contains("\"pid\":" + daemon.pid() + ","), "served in-process");
    }

    @Test
    void theCargoProviderAnswersInCargosExactShapesThroughTheDaemon() throws Exception {
        sandbox.config(CONFIG);
        sandbox.startDaemon();

        DaemonSandbox.Result throughDaemon = sandbox.run(CARGO_SCRIPT, "--cargo-plugin");
        sandbox.env().put("LATCHKEY_NO_DAEMON", "1");
        DaemonSandbox.Result told = sandbox.run(CARGO_SCRIPT, "--cargo-plugin");
        sandbox.env().remove("LATCHKEY_NO_DAEMON");
        assertEquals(0, sandbox.run(null, "daemon", "stop").exit());
        DaemonSandbox.Result noDaemon = sandbox.run(CARGO_SCRIPT, "--cargo-plugin");

        List<String> expected = List.of(
                "{\"v\":[1]}",
                "{\"Ok\":{\"kind\":\"login\"}}",
                "{\"Ok\":{\"kind\":\"get\",\"token\":\"tok-cargo\",\"cache\":\"session\",\"operation_independent\":true}}",
                "{\"Ok\":{\"kind\":\"get\",\"token\":\"tok-cargo\",\"cache\":\"session\",\"operation_independent\":true}}",
                "{\"Err\":{\"kind\":\"other\",\"message\":\"unknown store `nope`; stores are cargo, command, encrypted, env, file, "
                        + "keychain, libsecret, macos-keychain, memory, wincred\",\"caused-by\":[]}}",
                "{\"Ok\":{\"kind\":\"logout\"}}",
                "{\"Err\":{\"kind\":\"not-found\"}}",
                "{\"Err\":{\"kind\":\"not-found\"}}");
        assertEquals(expected, throughDaemon.stdout().lines().toList(), throughDaemon.stderr());
        assertEquals(expected, told.stdout().lines().toList(), told.stderr());
        assertEquals(expected, noDaemon.stdout().lines().toList(), noDaemon.stderr());
    }

    @Test
    void requestsGoToTheRunningDaemonUnlessToldOtherwise() throws Exception {
        // The daemon's memory store holds a token that no other process can see: whoever finds it asked the daemon.
        sandbox.config(CONFIG.replace("stores = [\"file\"]", "stores = [\"memory\", \"env\", \"file\"]"));
        sandbox.env().put("CARGO_REGISTRY_TOKEN", "from-the-daemons-own-environment");
        sandbox.startDaemon();
        sandbox.env().remove("CARGO_REGISTRY_TOKEN");
        try (LatchkeyClient client = sandbox.client(); Secret token = Secret.copyOf("in-daemon-memory".toCharArray())) {
            client.store(Registry.byUrl(COMPANY), token, null, java.util.Set.of(), "memory");
        }

        assertEquals("in-daemon-memory\n", sandbox.run(null, "get", "company").stdout());
        assertEquals(1, sandbox.run(null, "--no-daemon", "get", "company").exit());
        String get = "{\"v\":1,\"kind\":\"get\",\"registry\":{\"name\":\"company\"}";
        assertTrue(sandbox.run(get + "}\n", "stdio").stdout().contains("\"token\":\"in-daemon-memory\""));
        assertTrue(sandbox.run(get + ",\"args\":[\"--no-daemon\"]}\n", "stdio").stdout().contains("\"kind\":\"not-found\""));
        String cargoGet = "{\"v\":1,\"registry\":{\"index-url\":\"" + COMPANY + "\",\"name\":\"company\"},\"kind\":\"get\",\"operation\":\"read\"}\n";
        assertEquals("{\"v\":[1]}\n{\"Ok\":{\"kind\":\"get\",\"token\":\"in-daemon-memory\",\"cache\":\"session\",\"operation_independent\":true}}\n",
                sandbox.run(cargoGet, "--cargo-plugin").stdout());
        DaemonSandbox.Result cratesIo = sandbox.run(null, "get", "crates-io");
        assertEquals(1, cratesIo.exit(), "the daemon's own CARGO_REGISTRY_TOKEN is not its callers': " + cratesIo.stdout());

        sandbox.env().put("LATCHKEY_NO_DAEMON", "1");
        assertEquals(1, sandbox.run(null, "get", "company").exit());
        sandbox.env().remove("LATCHKEY_NO_DAEMON");

        // A request that reads a token variable of the caller's is served where its value is, in the caller's
        // own process; one that reads none stays with the daemon, whose memory answers it.
        sandbox.env().put("CARGO_REGISTRY_TOKEN", "from-the-callers-environment");
        assertEquals("from-the-callers-environment\n", sandbox.run(null, "get", "crates-io").stdout());
        assertEquals("in-daemon-memory\n", sandbox.run(null, "get", "company").stdout());
        assertEquals("{\"v\":[1]}\n{\"Ok\":{\"kind\":\"get\",\"token\":\"in-daemon-memory\",\"cache\":\"session\",\"operation_independent\":true}}\n",
                sandbox.run(cargoGet, "--cargo-plugin").stdout());
        // Even the registry whose variable the caller holds: the memory store comes before env in this order.
        sandbox.env().put("CARGO_REGISTRIES_COMPANY_TOKEN", "company-from-the-callers-environment");
        assertEquals("in-daemon-memory\n", sandbox.run(null, "get", "company").stdout());
    }

    @Test
    void aSessionWhoseDaemonDiesIsServedInProcessWithoutHanging() throws Exception {
        sandbox.config(CONFIG);
        ProcessHandle daemon = sandbox.startDaemon();
        assertEquals(0, sandbox.run("tok-company\n", "store", "company").exit());
        ProcessBuilder builder = new ProcessBuilder(sandbox.latchkey("stdio")).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(sandbox.env());
        Process stdio = sandbox.start(builder);
        BufferedReader answers = new BufferedReader(new InputStreamReader(stdio.getInputStream(), StandardCharsets.UTF_8));
        OutputStream requests = stdio.getOutputStream();
        String get = "{\"v\":1,\"id\":1,\"kind\":\"get\",\"registry\":{\"name\":\"company\"}}\n";
        String status = "{\"v\":1,\"id\":2,\"kind\":\"status\"}\n";

        assertTrue(answer(answers).startsWith("{\"v\":[1],"));
        requests.write((get + status).getBytes(StandardCharsets.UTF_8));
        requests.flush();
        assertTrue(answer(answers).contains("\"token\":\"tok-company\""));
        assertTrue(answer(answers).contains("\"pid\":" + daemon.pid() + ","), "the daemon answered");

        daemon.destroyForcibly();
        assertTrue(daemon.onExit().get(10, TimeUnit.SECONDS) != null);
        requests.write((get + status).getBytes(StandardCharsets.UTF_8));
        requests.flush();

        assertTrue(answer(answers).contains("\"token\":\"tok-company\""), "the same answer, from this process");
        String localStatus = answer(answers);
        assertTrue(localStatus.contains("\"pid\":" + stdio.pid() + ","), localStatus);
        assertNotEquals(daemon.pid(), stdio.pid());
        requests.close();
        assertTrue(stdio.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, stdio.exitValue());
    }

    @Test
    void realCargoLogsOutThroughTheDaemon() throws Exception {
        Path cargo = RequiredComponent.executable("cargo", "to drive the provider with real cargo");
        sandbox.config("stores = [\"memory\"]\n");
        // cargo runs the provider as `PATH --cargo-plugin`; options would arrive in the request's args, not argv.
        Path provider = sandbox.launcher();
        Files.createDirectories(sandbox.cargoHome);
        Files.writeString(sandbox.cargoHome.resolve("config.toml"), "[registries.company]\nindex = \"" + COMPANY
                + "\"\ncredential-provider = [\"" + provider + "\"]\n");
        sandbox.startDaemon();
        try (LatchkeyClient client = sandbox.client(); Secret token = Secret.copyOf("in-daemon-memory".toCharArray())) {
            client.store(new Registry(COMPANY, "company"), token, null, java.util.Set.of(), "memory");
        }

        DaemonSandbox.Result logout = sandbox.run(null, List.of(cargo.toString(), "logout", "--registry", "company"));
        DaemonSandbox.Result again = sandbox.run(null, List.of(cargo.toString(), "logout", "--registry", "company"));

        assertEquals(0, logout.exit(), logout.stderr());
        assertFalse(logout.stderr().contains("not currently logged in"), logout.stderr());
        assertEquals(0, again.exit(), again.stderr());
        assertTrue(again.stderr().contains("not currently logged in to `company`"), again.stderr());
        try (LatchkeyClient client = sandbox.client()) {
            assertTrue(client.list().isEmpty(), "the token left the daemon's memory");
        }
    }

    private static String answer(BufferedReader answers) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return answers.readLine();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(30, TimeUnit.SECONDS);
    }

    /** Two runs store at different seconds: compare everything but when. */
    private static String timesMasked(String line) {
        return line.replaceAll("\"(created|updated|last-used)\":\\d+", "\"$1\":T");
    }
}
