package dev.latchkey.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code latchkey --cargo-plugin} relayed to a running daemon (docs/relay-protocol.md): the same
 * bytes on stdout and stderr, and the same exit status, as the provider serving the session
 * itself; and each way the daemon leaves a session to the provider. The runs here are the
 * program's own relay, in the JVM ({@code java -jar}), whose way is read from the classes it loaded
 * ({@code -Xlog:class+load}): a relayed run loads the relay's outcome and neither the service nor
 * the JSON library. The native relay, which the launcher runs, has its own test (NativeRelayIT).
 */
class RelayIT {
    private static final String COMPANY = "sparse+https://packages.example.com/index/";
    private static final String REGISTRY = "\"registry\":{\"index-url\":\"" + COMPANY + "\",\"name\":\"company\"}";

    /** What cargo sends, and what it never would: every answer the daemon gives here, in order, ending where it began. */
    private static final String RELAYABLE = String.join("\n",
            "{\"v\":1," + REGISTRY + ",\"kind\":\"login\",\"token\":\"tok-relayed\",\"args\":[\"--frobnicate\"]}",
            "{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\"}",
            "   \t",
            "{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"publish\",\"name\":\"c\",\"vers\":\"1.0.0\",\"cksum\":\"ab\"}\r",
            "{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\",\"args\":[\"--store\",\"nope\"]}",
            "{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"launch\"}",
            "{\"v\":1," + REGISTRY + ",\"kind\":\"frobnicate\"}",
            "this is not json",
            "{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"name\":\"" + "x".repeat(70_000) + "\"}",
            "{\"v\":2," + REGISTRY + ",\"kind\":\"get\"}",
            "{\"v\":1," + REGISTRY + ",\"kind\":\"logout\"}",
            "{\"v\":1," + REGISTRY + ",\"kind\":\"logout\"}",
            "{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\"}") + "\n";

    @RegisterExtension
    final DaemonSandbox sandbox = DaemonSandbox.perTest();

    @BeforeEach
    void prepare() throws Exception {
        sandbox.config("stores = [\"file\"]\n");
    }

    /** A provider run, and the classes it loaded. */
    private record Provided(DaemonSandbox.Result result, String loaded) {
        boolean relayedWhole() {
            return loaded.contains("caller.DaemonCall$Served source") && !loaded.contains("service.CredentialService source")
                    && !loadedJson();
        }

        /** Offered to the daemon, which left it, or part of it, to this process. */
        boolean handedBack() {
            return loaded.contains("caller.DaemonCall$ServeHere source") && loaded.contains("service.CredentialService source");
        }

        boolean loadedJson() {
            return loaded.contains("com.fasterxml.jackson");
        }

        String stdout() {
            return result.stdout();
        }

        @Override
        public String toString() {
            return "exit " + result.exit() + "\n--- stdout:\n" + result.stdout() + "\n--- stderr:\n" + result.stderr();
        }
    }

    private Provided provide(String stdin) throws Exception {
        return provide(stdin, sandbox.root);
    }

    private Provided provide(String stdin, Path directory) throws Exception {
        Path log = Files.createTempFile(sandbox.root, "classes", ".log");
        DaemonSandbox.Result result = sandbox.run(stdin,
                sandbox.latchkey(List.of("-Xlog:class+load=info:file=" + log), "--cargo-plugin"), directory);
        return new Provided(result, Files.readString(log));
    }

    /** The same session served by the provider itself, told so by the environment. */
    private Provided inProcess(String stdin, Path directory) throws Exception {
        sandbox.env().put("LATCHKEY_NO_DAEMON", "1");
        try {
            return provide(stdin, directory);
        } finally {
            sandbox.env().remove("LATCHKEY_NO_DAEMON");
        }
    }

    private static void assertSameRun(Provided expected, Provided actual) {
        assertEquals(expected.result().stdout(), actual.result().stdout(), "stdout");
        assertEquals(expected.result().stderr(), actual.result().stderr(), "stderr");
        assertEquals(expected.result().exit(), actual.result().exit(), "exit status");
    }

    @Test
    void relayedAnswersAreTheProvidersOwnByteForByte() throws Exception {
        sandbox.startDaemon();
        Provided relayed = provide(RELAYABLE);
        Provided inProcess = inProcess(RELAYABLE, sandbox.root);
        assertEquals(0, sandbox.run(null, "daemon", "stop").exit());
        Provided noDaemon = provide(RELAYABLE);

        assertTrue(relayed.relayedWhole(), "relayed, without the JSON library: " + relayed);
        assertTrue(inProcess.loadedJson() && noDaemon.loadedJson(), "the check above can tell");
        assertSameRun(inProcess, relayed);
        assertSameRun(inProcess, noDaemon);
        List<String> lines = relayed.stdout().lines().toList();
        assertEquals(RELAYABLE.lines().count(), lines.size(), "one answer per request line but the blank one, after the hello");
        assertEquals("{\"v\":[1]}", lines.get(0));
        assertEquals("{\"Ok\":{\"kind\":\"get\",\"token\":\"tok-relayed\",\"cache\":\"session\",\"operation_independent\":true}}", lines.get(2));
        assertTrue(lines.get(8).contains("longer than 65536 bytes"), lines.get(8));
        assertEquals("latchkey: ignoring unrecognised arguments --frobnicate (recognised: --store NAME, --config PATH, --no-daemon)\n",
                relayed.result().stderr(), "the daemon's notice reaches the caller's stderr");
    }

    @Test
    void requestsOnlyTheCallerCanServeAreHandedBackAndAnsweredTheSame() throws Exception {
        sandbox.startDaemon();
        assertEquals(0, sandbox.run("tok-stored\n", "store", COMPANY).exit());
        String first = "{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\"}\n";
        String last = "{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"owners\",\"name\":\"c\"}\n";
        List<String> handedBack = List.of(
                // cargo sends a login without a token when its stdin is a terminal: the provider asks there
                "{\"v\":1," + REGISTRY + ",\"kind\":\"login\",\"login-url\":\"https://packages.example.com/me\"}\n",
                "{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\",\"args\":[\"--no-daemon\"]}\n");
        for (String line : handedBack) {
            String session = first + line + last;
            Provided relayed = provide(session);
            Provided inProcess = inProcess(session, sandbox.root);
            assertTrue(relayed.handedBack(), "handed back: " + relayed);
            assertSameRun(inProcess, relayed);
            List<String> answers = relayed.stdout().lines().toList();
            assertEquals(4, answers.size(), relayed.toString());
            assertTrue(answers.get(1).contains("\"token\":\"tok-stored\"") && answers.get(3).contains("\"token\":\"tok-stored\""),
                    relayed.toString());
        }
        Provided login = provide(first + handedBack.get(0));
        assertTrue(login.stdout().contains("no token given and no terminal to ask on"), login.toString());

        // Served by the daemon whole: a registry named without its index URL (the daemon looks it up
        // in the caller's directory), and a line that is no request (one of the old relay's frames).
        for (String line : List.of("{\"v\":1,\"registry\":{\"name\":\"crates-io\"},\"kind\":\"get\",\"operation\":\"read\"}\n",
                "{\"relay\":1,\"nonce\":\"not-a-request\",\"cwd\":\"/\"}\n")) {
            String session = first + line + last;
            Provided relayed = provide(session);
            assertTrue(relayed.relayedWhole(), relayed.toString());
            assertSameRun(inProcess(session, sandbox.root), relayed);
        }
    }

    @Test
    void aRelativeConfigAndTheCallersLatchkeyConfigAreTheCallersOwn() throws Exception {
        sandbox.startDaemon();
        Path project = Files.createDirectories(sandbox.root.resolve("project"));
        Path elsewhere = sandbox.root.resolve("project-tokens.toml");
        Files.writeString(project.resolve("latchkey.toml"), "stores = [\"file\"]\n[store.file]\npath = \"" + elsewhere + "\"\n");
        String login = "{\"v\":1," + REGISTRY + ",\"kind\":\"login\",\"token\":\"tok-project\",\"args\":[\"--config\",\"latchkey.toml\"]}\n";
        String getWithConfig = "{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\",\"args\":[\"--config\",\"latchkey.toml\"]}\n";
        String get = "{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\"}\n";

        Provided stored = provide(login, project);
        assertTrue(stored.relayedWhole(), stored.toString());
        assertTrue(Files.readString(elsewhere).contains("tok-project"), "stored where the caller's config says");
        assertFalse(Files.exists(sandbox.tokenFile()), "not in the daemon's own token file");

        Provided relayed = provide(getWithConfig, project);
        assertTrue(relayed.relayedWhole(), relayed.toString());
        assertTrue(relayed.stdout().contains("tok-project"), relayed.toString());
        assertSameRun(inProcess(getWithConfig, project), relayed);

        sandbox.env().put("LATCHKEY_CONFIG", "latchkey.toml"); // relative, to the caller's directory
        Provided byEnvironment = provide(get, project);
        assertTrue(byEnvironment.relayedWhole(), byEnvironment.toString());
        assertTrue(byEnvironment.stdout().contains("tok-project"), byEnvironment.toString());
        assertSameRun(inProcess(get, project), byEnvironment);
        sandbox.env().remove("LATCHKEY_CONFIG");

        Provided withoutConfig = provide(get, project);
        assertTrue(withoutConfig.stdout().contains("\"not-found\""), withoutConfig.toString());
    }

    @Test
    void aBrokenConfigIsReportedTheSameAndExitsTwo() throws Exception {
        sandbox.startDaemon();
        Files.writeString(sandbox.root.resolve("broken.toml"), "stores = [\"file\"\n");
        String session = "{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\",\"args\":[\"--config\",\"broken.toml\"]}\n"
                + "{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\"}\n";
        Provided relayed = provide(session);
        assertTrue(relayed.relayedWhole(), relayed.toString());
        assertEquals(2, relayed.result().exit(), relayed.toString());
        assertTrue(relayed.stdout().contains("broken.toml"), relayed.toString());
        assertSameRun(inProcess(session, sandbox.root), relayed);
    }

    @Test
    void tokenVariablesKeepTheRequestWithTheCallerWhoAloneSeesThem() throws Exception {
        sandbox.startDaemon();
        sandbox.env().put("CARGO_REGISTRIES_COMPANY_TOKEN", "tok-from-my-environment");
        sandbox.config("stores = [\"env\", \"file\"]\n[registries.company]\nindex = \"" + COMPANY + "\"\n");
        Provided provided = provide("{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\"}\n");
        assertTrue(provided.handedBack(), provided.toString());
        assertTrue(provided.stdout().contains("\"token\":\"tok-from-my-environment\""), provided.toString());
    }

    @Test
    void relaysKilledMidSessionLeaveTheDaemonServingTheNext() throws Exception {
        sandbox.startDaemon();
        assertEquals(0, sandbox.run("tok-stored\n", "store", COMPANY).exit());
        // Killed with its session open, a request sent and perhaps not yet answered.
        for (int i = 0; i < 3; i++) {
            Process killed = startProvider();
            BufferedReader answers = reader(killed);
            assertEquals("{\"v\":[1]}", line(answers), "the session is open");
            OutputStream requests = killed.getOutputStream();
            requests.write(("{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\"}\n").getBytes(StandardCharsets.UTF_8));
            requests.flush();
            killed.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (int i = 0; i < 3; i++) {
            Provided next = provide("{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\"}\n");
            assertTrue(next.relayedWhole(), next.toString());
            assertEquals("{\"v\":[1]}\n{\"Ok\":{\"kind\":\"get\",\"token\":\"tok-stored\",\"cache\":\"session\",\"operation_independent\":true}}\n",
                    next.stdout());
        }
    }

    @Test
    void aHeaderTheDaemonCannotReadIsLeftToItsCallerAndTheDaemonServesOn() throws Exception {
        sandbox.startDaemon();
        assertEquals(0, sandbox.run("tok-stored\n", "store", COMPANY).exit());
        for (String header : List.of("latchkey-relay 1\narg --cargo-plugin\ncwd /\nenv PATH=/bin\n\n",
                "latchkey-relay 1\nversion x\nbogus line\n\n", "latchkey-relay 1\nversion x\narg --cargo-plugin\n\n")) {
            try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(sandbox.socket))) {
                channel.write(ByteBuffer.wrap(header.getBytes(StandardCharsets.UTF_8)));
                BufferedReader answers = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                        StandardCharsets.UTF_8));
                assertTrue(line(answers).startsWith("{\"v\":[1]"), "the hello");
                String here = line(answers);
                assertTrue(here.startsWith("here the daemon could not read the relayed invocation: "), here);
                assertFalse(here.contains("PATH") || here.contains("bogus"), "what the caller sent is not quoted: " + here);
            }
        }
        String get = "{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\"}\n";
        Provided next = provide(get);
        assertTrue(next.relayedWhole(), "the daemon serves the next relay: " + next);
        assertEquals("{\"v\":[1]}\n{\"Ok\":{\"kind\":\"get\",\"token\":\"tok-stored\",\"cache\":\"session\",\"operation_independent\":true}}\n",
                next.stdout());
    }

    @Test
    void relaysHeldOpenByStoppedProcessesKeepNoOneWaiting() throws Exception {
        ProcessHandle daemon = sandbox.startDaemon();
        assertEquals(0, sandbox.run("tok-stored\n", "store", COMPANY).exit());
        String get = "{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\"}\n";
        String expected = "{\"v\":[1]}\n{\"Ok\":{\"kind\":\"get\",\"token\":\"tok-stored\",\"cache\":\"session\",\"operation_independent\":true}}\n";
        List<Process> holding = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Process provider = startProvider();
            assertEquals("{\"v\":[1]}", line(reader(provider)));
            DaemonSandbox.signal("STOP", provider.toHandle()); // its session stays open, and it answers nothing
            holding.add(provider);
        }
        for (int i = 0; i < 3; i++) {
            Provided next = provide(get);
            assertTrue(next.relayedWhole(), next.toString());
            assertEquals(expected, next.stdout());
        }
        assertTrue(daemon.isAlive());
        for (Process provider : holding) {
            DaemonSandbox.signal("CONT", provider.toHandle());
            provider.getOutputStream().close();
            assertTrue(provider.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, provider.exitValue());
        }
    }

    @Test
    void manyProvidersAtOnceAllGetTheirAnswer() throws Exception {
        sandbox.startDaemon();
        assertEquals(0, sandbox.run("tok-stored\n", "store", COMPANY).exit());
        String get = "{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\"}\n";
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Future<Provided>> runs = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                runs.add(pool.submit(() -> provide(get)));
            }
            int relayed = 0;
            for (Future<Provided> run : runs) {
                Provided provided = run.get(120, TimeUnit.SECONDS);
                assertEquals(0, provided.result().exit(), provided.toString());
                assertTrue(provided.stdout().endsWith("\"token\":\"tok-stored\",\"cache\":\"session\",\"operation_independent\":true}}\n"),
                        provided.toString());
                relayed += provided.relayedWhole() ? 1 : 0;
            }
            assertEquals(24, relayed, "all went through the relay");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aDaemonThatDiesWhileAnsweringLeavesTheRequestToTheCaller() throws Exception {
        // A token command that takes a while: the daemon is killed while it runs.
        sandbox.config(sandbox.gatedCommandConfig());
        ProcessHandle daemon = sandbox.startDaemon();
        Process provider = startProvider();
        BufferedReader answers = reader(provider);
        assertEquals("{\"v\":[1]}", line(answers));
        OutputStream requests = provider.getOutputStream();
        requests.write(("{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\"}\n").getBytes(StandardCharsets.UTF_8));
        requests.flush();
        sandbox.awaitCommandStarted();
        daemon.destroyForcibly();
        sandbox.releaseCommand();

        assertEquals("{\"Ok\":{\"kind\":\"get\",\"token\":\"tok-commanded\",\"cache\":\"session\",\"operation_independent\":true}}",
                line(answers), "served by the provider itself");
        requests.close();
        assertTrue(provider.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, provider.exitValue());
        String stderr = Files.readString(sandbox.root.resolve("provider.err"));
        assertTrue(stderr.contains("latchkey: serving in this process instead of the daemon: the latchkey daemon went away"), stderr);
    }

    @Test
    void aDaemonKilledWithoutCleaningUpIsPassedOverAndItsSuccessorRelays() throws Exception {
        ProcessHandle daemon = sandbox.startDaemon();
        assertEquals(0, sandbox.run("tok-stored\n", "store", COMPANY).exit());
        daemon.destroyForcibly();
        daemon.onExit().get(10, TimeUnit.SECONDS);
        assertTrue(Files.exists(sandbox.socket), "the killed daemon left its socket behind");

        String get = "{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\"}\n";
        String expected = "{\"v\":[1]}\n{\"Ok\":{\"kind\":\"get\",\"token\":\"tok-stored\",\"cache\":\"session\",\"operation_independent\":true}}\n";
        Provided alone = provide(get);
        assertTrue(alone.handedBack(), alone.toString());
        assertEquals(expected, alone.stdout());
        assertEquals("", alone.result().stderr());

        sandbox.startDaemon();
        Provided relayed = provide(get);
        assertTrue(relayed.relayedWhole(), relayed.toString());
        assertEquals(expected, relayed.stdout());

        assertEquals(0, sandbox.run(null, "daemon", "stop").exit());
        assertFalse(Files.exists(sandbox.socket), "a daemon that stops takes its socket away");
    }

    @Test
    void aStoppedDaemonCostsTheRelayItsDeadlineThenTheCallerServesAndTheDaemonServesAgainOnceResumed() throws Exception {
        ProcessHandle daemon = sandbox.startDaemon();
        assertEquals(0, sandbox.run("tok-stored\n", "store", COMPANY).exit());
        String get = "{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\"}\n";
        String expected = "{\"v\":[1]}\n{\"Ok\":{\"kind\":\"get\",\"token\":\"tok-stored\",\"cache\":\"session\",\"operation_independent\":true}}\n";
        DaemonSandbox.signal("STOP", daemon);
        Provided stopped;
        try {
            // The kernel takes the connection; the daemon's hello does not come within 5 s, and the
            // provider serves the request itself.
            stopped = provide(get);
        } finally {
            DaemonSandbox.signal("CONT", daemon);
        }
        assertTrue(stopped.handedBack(), stopped.toString());
        assertEquals(expected, stopped.stdout());
        assertTrue(stopped.result().stderr().contains("serving in this process instead of the daemon"), stopped.toString());

        Provided after = provide(get);
        assertTrue(after.relayedWhole(), after.toString());
        assertEquals(expected, after.stdout());
    }

    /** The provider with its stdin and stdout as pipes, stderr to {@code provider.err}. */
    private Process startProvider() throws IOException {
        ProcessBuilder builder = new ProcessBuilder(sandbox.latchkey("--cargo-plugin")).directory(sandbox.root.toFile())
                .redirectError(sandbox.root.resolve("provider.err").toFile());
        builder.environment().clear();
        builder.environment().putAll(new HashMap<>(sandbox.env()));
        return sandbox.start(builder);
    }

    private static BufferedReader reader(Process process) {
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    private static String line(BufferedReader reader) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return reader.readLine();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(60, TimeUnit.SECONDS);
    }
}
