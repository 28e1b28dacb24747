package dev.latchkey.it;

import dev.latchkey.protocol.Registry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-request path as cargo takes it: the launcher ({@code scripts/latchkey}) runs
 * {@code latchkey-relay}, which hands the invocation to the running daemon without starting a JVM
 * (docs/relay-protocol.md). Whether a JVM started is counted, not timed: the launcher is given a
 * {@code JAVA_HOME} whose {@code java} notes each start in a file before running the real one.
 */
class NativeRelayIT {
    private static final String COMPANY = "sparse+https://packages.example.com/index/";
    private static final String REGISTRY = "\"registry\":{\"index-url\":\"" + COMPANY + "\",\"name\":\"company\"}";
    private static final String GET = "{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\"}\n";
    private static final String ANSWER = "{\"v\":[1]}\n{\"Ok\":{\"kind\":\"get\",\"token\":\"tok-stored\",\"cache\":\"session\","
            + "\"operation_independent\":true}}\n";

    @RegisterExtension
    final DaemonSandbox sandbox = DaemonSandbox.perTest();
    private Path javaStarts;

    @BeforeEach
    void prepare() throws Exception {
        Path relay = Path.of(System.getProperty("latchkey.root")).resolve("caller/target/latchkey-relay");
        if (!Files.isExecutable(relay)) {
            RequiredComponent.missing("latchkey-relay, which the build makes with a C compiler");
        }
        sandbox.config("stores = [\"file\"]\n");
        // A JDK whose java notes every start, then is the real one.
        javaStarts = sandbox.root.resolve("java-starts");
        Path jdk = Files.createDirectories(sandbox.root.resolve("counting-jdk/bin"));
        Path java = jdk.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"$*\" >> '" + javaStarts + "'\nexec '" + DaemonSandbox.JAVA + "' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
        sandbox.env().put("JAVA_HOME", jdk.getParent().toString());
        sandbox.env().put("LATCHKEY_AUTOSTART", "0");
        // One run before counting: the launcher makes its class-data archive for this java once.
        sandbox.env().put("LATCHKEY_NO_DAEMON", "1");
        assertEquals(0, sandbox.run("tok-stored\n", launcher("store", COMPANY)).exit());
        sandbox.env().remove("LATCHKEY_NO_DAEMON");
        Files.deleteIfExists(javaStarts);
    }

    private static List<String> launcher(String... args) {
        List<String> command = new ArrayList<>(List.of(CargoFixtures.launcher().toString()));
        command.addAll(List.of(args));
        return command;
    }

    private List<String> javaStarts() throws IOException {
        return Files.exists(javaStarts) ? Files.readAllLines(javaStarts) : List.of();
    }

    @Test
    void withTheDaemonRunningNoJvmStartsAndTheAnswerIsTheProvidersOwn() throws Exception {
        sandbox.startDaemon();
        DaemonSandbox.Result relayed = sandbox.run(GET, launcher("--cargo-plugin"));
        assertEquals(List.of(), javaStarts(), "no JVM started for a request the daemon served");
        sandbox.env().put("LATCHKEY_NO_DAEMON", "1");
        DaemonSandbox.Result inProcess = sandbox.run(GET, launcher("--cargo-plugin"));
        sandbox.env().remove("LATCHKEY_NO_DAEMON");
        assertEquals(1, javaStarts().size(), "the check above can tell: " + javaStarts());

        assertEquals(ANSWER, relayed.stdout());
        assertEquals(inProcess.stdout(), relayed.stdout());
        assertEquals(inProcess.stderr(), relayed.stderr());
        assertEquals(inProcess.exit(), relayed.exit());
        List<String> audit = Files.readAllLines(sandbox.state.resolve("latchkey/audit.log"));
        String served = audit.get(audit.size() - 2);
        assertTrue(served.contains("\"exe\":\"" + Path.of(System.getProperty("latchkey.root")).toRealPath()
                .resolve("caller/target/latchkey-relay") + "\""), "the daemon's peer was the relay: " + served);
    }

    @Test
    void fiftyRequestsAtOnceAreAllAnsweredWithoutAJvm() throws Exception {
        sandbox.startDaemon();
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Future<DaemonSandbox.Result>> runs = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                runs.add(pool.submit(() -> sandbox.run(GET, launcher("--cargo-plugin"))));
            }
            for (Future<DaemonSandbox.Result> run : runs) {
                DaemonSandbox.Result result = run.get(120, TimeUnit.SECONDS);
                assertEquals(0, result.exit(), result.stderr());
                assertEquals(ANSWER, result.stdout());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of(), javaStarts(), "no JVM started");
    }

    @Test
    void aLoginThatMustAskAtTheTerminalIsServedByTheJvmOnceAndAnsweredTheSame() throws Exception {
        sandbox.startDaemon();
        String session = GET + "{\"v\":1," + REGISTRY + ",\"kind\":\"login\"}\n";
        DaemonSandbox.Result relayed = sandbox.run(session, launcher("--cargo-plugin"));
        List<String> starts = javaStarts();
        assertEquals(1, starts.size(), starts.toString());
        assertTrue(starts.get(0).contains("--resumed=" + GET.length()) && starts.get(0).contains("--handback="),
                "started once, resuming after the answered get: " + starts);

        sandbox.env().put("LATCHKEY_NO_DAEMON", "1");
        DaemonSandbox.Result inProcess = sandbox.run(session, launcher("--cargo-plugin"));
        sandbox.env().remove("LATCHKEY_NO_DAEMON");
        assertEquals(inProcess.stdout(), relayed.stdout());
        assertEquals(inProcess.stderr(), relayed.stderr());
        assertEquals(inProcess.exit(), relayed.exit());
        assertTrue(relayed.stdout().contains("no token given and no terminal to ask on"), relayed.stdout());
    }

    @Test
    void tokenVariablesAndAnotherCargoHomeLeaveTheRequestToTheCaller() throws Exception {
        sandbox.startDaemon();
        sandbox.config("stores = [\"env\", \"file\"]\n[registries.company]\nindex = \"" + COMPANY + "\"\n");
        sandbox.env().put("CARGO_REGISTRIES_COMPANY_TOKEN", "tok-from-my-environment");
        DaemonSandbox.Result fromEnvironment = sandbox.run(GET, launcher("--cargo-plugin"));
        sandbox.env().remove("CARGO_REGISTRIES_COMPANY_TOKEN");
        assertTrue(fromEnvironment.stdout().contains("\"token\":\"tok-from-my-environment\""), fromEnvironment.stdout());
        assertEquals(1, javaStarts().size(), "served by the caller's own JVM");
        assertFalse(sandbox.log().contains("tok-from-my-environment"));

        Path otherCargo = Files.createDirectories(sandbox.root.resolve("other-cargo"));
        sandbox.env().put("CARGO_HOME", otherCargo.toString());
        DaemonSandbox.Result elsewhere = sandbox.run(GET, launcher("--cargo-plugin"));
        sandbox.env().put("CARGO_HOME", sandbox.cargoHome.toString());
        assertEquals(ANSWER, elsewhere.stdout());
        assertEquals(2, javaStarts().size(), "served by the caller's own JVM");
    }

    @Test
    void aStoppedDaemonCostsItsDeadlineThenTheCallerServes() throws Exception {
        ProcessHandle daemon = sandbox.startDaemon();
        DaemonSandbox.signal("STOP", daemon);
        DaemonSandbox.Result stopped;
        try {
            stopped = sandbox.run(GET, launcher("--cargo-plugin"));
        } finally {
            DaemonSandbox.signal("CONT", daemon);
        }
        assertEquals(ANSWER, stopped.stdout());
        assertTrue(stopped.stderr().contains("latchkey: serving in this process instead of the daemon: the latchkey daemon did not say "
                + "hello within 5 s"), stopped.stderr());
        assertEquals(1, javaStarts().size());

        DaemonSandbox.Result after = sandbox.run(GET, launcher("--cargo-plugin"));
        assertEquals(ANSWER, after.stdout());
        assertEquals(1, javaStarts().size(), "served by the daemon again, without a JVM");
    }

    @Test
    void aDaemonKilledMidRequestLeavesTheRequestToTheCaller() throws Exception {
        sandbox.config(sandbox.gatedCommandConfig());
        ProcessHandle daemon = sandbox.startDaemon();
        Future<DaemonSandbox.Result> request = Executors.newSingleThreadExecutor().submit(() -> sandbox.run(GET, launcher("--cargo-plugin")));
        sandbox.awaitCommandStarted();
        daemon.destroyForcibly();
        sandbox.releaseCommand();
        DaemonSandbox.Result result = request.get(60, TimeUnit.SECONDS);
        assertEquals(0, result.exit(), result.stderr());
        assertTrue(result.stdout().endsWith("{\"Ok\":{\"kind\":\"get\",\"token\":\"tok-commanded\",\"cache\":\"session\","
                + "\"operation_independent\":true}}\n"), result.stdout());
        assertEquals(1, result.stdout().lines().filter(line -> line.equals("{\"v\":[1]}")).count(), "one hello: " + result.stdout());
        assertTrue(result.stderr().contains("latchkey: serving in this process instead of the daemon: the latchkey daemon went away"),
                result.stderr());
        assertEquals(1, javaStarts().size(), "served by the caller's own JVM, resumed after the hello");
        assertTrue(javaStarts().get(0).contains("--resumed=0"), javaStarts().toString());
    }

    @Test
    void theFirstRequestWithoutADaemonStartsOneForTheNext() throws Exception {
        sandbox.env().remove("LATCHKEY_AUTOSTART");
        DaemonSandbox.Result first = sandbox.run(GET, launcher("--cargo-plugin"));
        assertEquals(ANSWER, first.stdout(), first.stderr());
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (sandbox.daemons().isEmpty() && System.nanoTime() < giveUp) {
            Thread.sleep(50);
        }
        assertEquals(1, sandbox.daemons().size(), "the first request started a daemon");
        while (!Files.exists(sandbox.socket) && System.nanoTime() < giveUp) {
            Thread.sleep(50);
        }
        Files.deleteIfExists(javaStarts);
        DaemonSandbox.Result second = sandbox.run(GET, launcher("--cargo-plugin"));
        assertEquals(ANSWER, second.stdout(), second.stderr());
        assertEquals(List.of(), javaStarts(), "the second was served by it, without a JVM");
    }

    /** docker, pip and pnpm start their helper for every request too, and so start the daemon as cargo and git do. */
    @ParameterizedTest
    @ValueSource(strings = {"git-credential", "docker-credential", "keyring", "npm-token"})
    void aLoginHelpersFirstRequestStartsOneToo(String door) throws Exception {
        sandbox.env().remove("LATCHKEY_AUTOSTART");
        List<String> args = switch (door) {
            case "git-credential" -> List.of("get");
            case "docker-credential" -> List.of("list");
            case "keyring" -> List.of("get", "registry.example", "alice");
            default -> List.of("https://npm.example/");
        };
        List<String> command = new ArrayList<>(List.of(door));
        command.addAll(args);
        sandbox.run("protocol=https\nhost=git.example\n\n", launcher(command.toArray(String[]::new)));
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (sandbox.daemons().isEmpty() && System.nanoTime() < giveUp) {
            Thread.sleep(50);
        }
        assertEquals(1, sandbox.daemons().size(), door + "'s first request started a daemon");
    }

    /**
     * A token variable keeps with the caller only the request that reads it: in one cargo session,
     * the daemon answers the company's get (its lookup reads no variable the caller holds) and hands
     * back the crates.io get, which reads CARGO_REGISTRY_TOKEN; the JVM starts once, resuming after it.
     */
    @Test
    void aTokenVariableLeavesToTheCallerOnlyTheRequestThatReadsIt() throws Exception {
        sandbox.startDaemon();
        sandbox.config("stores = [\"env\", \"file\"]\n[registries.company]\nindex = \"" + COMPANY + "\"\n");
        sandbox.env().put("CARGO_REGISTRY_TOKEN", "tok-for-crates-io");
        DaemonSandbox.Result company = sandbox.run(GET, launcher("--cargo-plugin"));
        assertEquals(ANSWER, company.stdout(), company.stderr());
        assertEquals(List.of(), javaStarts(), "served by the daemon: the variable is another registry's");

        // With an argument latchkey does not know in each request, as a provider's config may give one.
        String args = ",\"args\":[\"--frobnicate\"]}\n";
        String companyGet = GET.replace("}\n", args);
        String cratesIo = "{\"v\":1,\"registry\":{\"index-url\":\"" + Registry.CRATES_IO_INDEX
                + "\",\"name\":\"crates-io\"},\"kind\":\"get\",\"operation\":\"read\"" + args;
        DaemonSandbox.Result session = sandbox.run(companyGet + cratesIo, launcher("--cargo-plugin"));
        sandbox.env().remove("CARGO_REGISTRY_TOKEN");
        assertEquals(ANSWER + "{\"Ok\":{\"kind\":\"get\",\"token\":\"tok-for-crates-io\",\"cache\":\"session\","
                + "\"operation_independent\":true}}\n", session.stdout(), session.stderr());
        List<String> starts = javaStarts();
        assertEquals(1, starts.size(), starts.toString());
        assertTrue(starts.get(0).contains("--resumed=" + companyGet.length()), "resuming after the get the daemon answered: " + starts);
        assertEquals(1, session.stderr().split("ignoring unrecognised arguments --frobnicate", -1).length - 1,
                "said once, by the daemon, which answered the first request: " + session.stderr());
        assertFalse(sandbox.log().contains("tok-for-crates-io"));
    }

    /** The helpers that ask only for logins are the daemon's to serve even when the caller's environment holds token variables. */
    @Test
    void theLoginHelpersAreServedByTheDaemonWhateverTokenVariablesTheCallerHolds() throws Exception {
        sandbox.startDaemon();
        sandbox.env().put("CARGO_REGISTRY_TOKEN", "tok-from-my-environment");
        String dockerLogin = "{\"ServerURL\":\"registry.example:5000\",\"Username\":\"alice\",\"Secret\":\"pw-docker\"}";
        assertEquals(0, sandbox.run(dockerLogin, launcher("docker-credential", "store")).exit());
        DaemonSandbox.Result docker = sandbox.run("registry.example:5000", launcher("docker-credential", "get"));
        assertEquals("{\"ServerURL\":\"registry.example:5000\",\"Username\":\"alice\",\"Secret\":\"pw-docker\"}",
                docker.stdout().strip(), docker.stderr());
        DaemonSandbox.Result pip = sandbox.run(null, launcher("keyring", "get", "registry.example:5000", "alice"));
        assertEquals("pw-docker\n", pip.stdout(), pip.stderr());
        assertEquals(0, sandbox.run("tok-npm\n", launcher("npm-token", "--store", "https://npm.example/")).exit());
        DaemonSandbox.Result pnpm = sandbox.run(null, launcher("npm-token", "https://npm.example/"));
        assertEquals("Bearer tok-npm\n", pnpm.stdout(), pnpm.stderr());
        assertEquals(0, sandbox.run("protocol=https\nhost=git.example\nusername=bob\npassword=pw-git\n\n",
                launcher("git-credential", "store")).exit());
        DaemonSandbox.Result git = sandbox.run("protocol=https\nhost=git.example\n\n", launcher("git-credential", "get"));
        assertTrue(git.stdout().contains("password=pw-git\n"), git.stdout() + git.stderr());
        assertEquals(List.of(), javaStarts(), "every one served by the daemon, without a JVM");
    }

    @Test
    void noDaemonIsStartedWhenTheConfigOrTheEnvironmentSaysNot() throws Exception {
        sandbox.env().remove("LATCHKEY_AUTOSTART");
        sandbox.config("stores = [\"file\"]\n[daemon]\nautostart = false\n");
        assertEquals(ANSWER, sandbox.run(GET, launcher("--cargo-plugin")).stdout());
        sandbox.config("stores = [\"file\"]\n");
        sandbox.env().put("LATCHKEY_NO_DAEMON", "1");
        assertEquals(ANSWER, sandbox.run(GET, launcher("--cargo-plugin")).stdout());
        sandbox.env().remove("LATCHKEY_NO_DAEMON");
        sandbox.env().put("LATCHKEY_AUTOSTART", "0");
        assertEquals(ANSWER, sandbox.run(GET, launcher("--cargo-plugin")).stdout());
        Thread.sleep(2000); // time for a daemon that should not have been started to show up
        assertEquals(List.of(), sandbox.daemons());
    }

    @Test
    void theLauncherSocketOptionAndVariableAreHonoured() throws Exception {
        Path elsewhere = Files.createDirectories(sandbox.root.resolve("s"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------"))).resolve("d.sock");
        assertEquals(0, sandbox.run(null, sandbox.latchkey("daemon", "--socket", elsewhere.toString())).exit());
        sandbox.env().put("LATCHKEY_SOCKET", elsewhere.toString());
        DaemonSandbox.Result byVariable = sandbox.run(GET, launcher("--cargo-plugin"));
        sandbox.env().remove("LATCHKEY_SOCKET");
        assertEquals(ANSWER, byVariable.stdout());
        DaemonSandbox.Result byOption = sandbox.run(null, launcher("--socket", elsewhere.toString(), "get", COMPANY));
        assertEquals("tok-stored\n", byOption.stdout(), byOption.stderr());
        assertEquals(List.of(), javaStarts(), "both went to the daemon on that socket");
        assertEquals(0, sandbox.run(null, sandbox.latchkey("--socket", elsewhere.toString(), "daemon", "stop")).exit());
    }
}
