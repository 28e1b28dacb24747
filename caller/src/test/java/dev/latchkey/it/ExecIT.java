package dev.latchkey.it;

import dev.latchkey.daemon.audit.AuditLog;
import dev.latchkey.it.TestRegistry.Auth;
import dev.latchkey.it.TestRegistry.Seen;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static dev.latchkey.it.CargoFixtures.CORE;
import static dev.latchkey.it.CargoFixtures.VERSION;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code latchkey exec} as users run it, the packaged jar in a {@link DaemonSandbox}: the real cargo
 * publishing to the authenticated {@link TestRegistry} with the token {@code exec} put in its
 * environment (cargo's own {@code cargo:token} provider reads it there; latchkey is not cargo's
 * provider), with and without a daemon; the token masked in both output streams; exit statuses
 * and signals passed through; and the token nowhere but in the child's environment.
 */
class ExecIT {
    private static final String REGISTRY = "lkreg";
    private static final String VARIABLE = "CARGO_REGISTRIES_LKREG_TOKEN";

    @RegisterExtension
    final DaemonSandbox sandbox = DaemonSandbox.perTest();

    private final String token = "lk-exec-" + UUID.randomUUID();

    @ParameterizedTest(name = "with a daemon running: {0}")
    @ValueSource(booleans = {false, true})
    void cargoPublishesWithTheTokenExecPutsInItsEnvironment(boolean daemon) throws Exception {
        RealCargo cargo = RealCargo.require();
        try (TestRegistry registry = TestRegistry.start(token)) {
            Files.createDirectories(sandbox.cargoHome);
            Files.writeString(sandbox.cargoHome.resolve("config.toml"), cargoConfig(registry.indexUrl()));
            sandbox.env().put("PATH", cargo.directory() + File.pathSeparator + sandbox.env().get("PATH"));
            store(REGISTRY, token);
            if (daemon) {
                sandbox.startDaemon();
            }
            Path core = CargoFixtures.writeCoreCrate(sandbox.root, REGISTRY);

            DaemonSandbox.Result alone = sandbox.run(null, List.of(cargo.executable().toString(), "publish", "--registry", REGISTRY), core);
            assertNotEquals(0, alone.exit(), "without exec cargo has no token: " + alone.stderr());
            assertTrue(registry.requests().stream().noneMatch(s -> s.auth() == Auth.ACCEPTED), "and sent none");

            int mark = registry.requests().size();
            DaemonSandbox.Result published = sandbox.run(null, sandbox.latchkey("-v", "exec", "--registry", REGISTRY,
                    "--operation", "publish", "--", cargo.executable().toString(), "publish", "--registry", REGISTRY), core);
            assertEquals(0, published.exit(), published.stderr());
            List<Seen> sent = registry.requests().subList(mark, registry.requests().size());
            assertTrue(sent.stream().anyMatch(s -> s.method().equals("PUT") && s.path().equals("/api/v1/crates/new")
                    && s.auth() == Auth.ACCEPTED), () -> "cargo published with the token: " + sent);
            // cargo's first look at config.json carries no token: that is where it learns the registry wants one.
            assertTrue(sent.stream().allMatch(s -> s.auth() == Auth.ACCEPTED || (s.auth() == Auth.NONE
                    && s.path().equals("/index/config.json"))), () -> "every other request carried it: " + sent);
            byte[] uploaded = registry.crateFile(CORE, VERSION);
            assertTrue(CargoFixtures.crateFiles(core.resolve("target/package")).stream().anyMatch(p -> Arrays.equals(p, uploaded)),
                    "the registry holds the .crate file cargo packaged");
            String servedBy = daemon ? "answered by the daemon on " + sandbox.socket : "served in this process";
            assertTrue(published.stderr().contains("latchkey: verbose: get " + REGISTRY + ": " + servedBy), published.stderr());
            TokenLeaks.assertNotIn("latchkey exec's output", published.stdout() + published.stderr(), List.of(token));

            List<Map<String, String>> gets = audit().stream().filter(line -> "get".equals(line.get("kind"))).toList();
            assertEquals(1, gets.size(), () -> "one token was read, by exec, never by cargo through latchkey: " + gets);
            assertEquals(List.of("publish", "ok", "cargo"), List.of(gets.get(0).get("operation"), gets.get(0).get("outcome"),
                    gets.get(0).get("for-command")));
        }
    }

    @Test
    void theTokenIsMaskedInBothStreamsInEveryFormEvenSplitAcrossTwoWrites() throws Exception {
        configureRegistry();
        store(REGISTRY, token);
        String script = """
                T="$%s"
                printf 'plain: %%s\\n' "$T"
                printf 'base64: %%s\\n' "$(printf %%s "$T" | base64)"
                printf 'url: %%s\\n' "$(printf %%s "$T" | od -An -tx1 | tr -d ' \\n' | sed 's/../%%&/g')"
                printf 'split: %%s' "$(printf %%s "$T" | cut -c1-10)" >&2
                sleep 0.3
                printf '%%s done\\n' "$(printf %%s "$T" | cut -c11-)" >&2
                printf 'err: %%s\\n' "$T" >&2
                """.formatted(VARIABLE);

        DaemonSandbox.Result masked = exec(List.of("--registry", REGISTRY), "sh", "-c", script);
        assertEquals(0, masked.exit(), masked.stderr());
        String redacted = "<redacted:" + REGISTRY + ">";
        assertEquals("plain: " + redacted + "\nbase64: " + redacted + "\nurl: " + redacted + "\n", masked.stdout());
        assertEquals("split: " + redacted + " done\nerr: " + redacted + "\n", masked.stderr());

        DaemonSandbox.Result unmasked = exec(List.of("--registry", REGISTRY, "--no-mask"), "sh", "-c", script);
        String base64 = Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8));
        String percent = "%" + String.join("%", HexFormat.of().formatHex(token.getBytes(StandardCharsets.UTF_8)).split("(?<=\\G..)"));
        assertEquals("plain: " + token + "\nbase64: " + base64 + "\nurl: " + percent + "\n", unmasked.stdout(),
                "--no-mask passes the output on as it is: the mask, not the child, hid the token above");
        assertEquals("split: " + token + " done\nerr: " + token + "\n", unmasked.stderr());
    }

    @Test
    void theExitStatusIsTheCommandsAndACommandKilledByASignalIsSaidToBe() throws Exception {
        configureRegistry();
        store(REGISTRY, token);
        assertEquals(42, exec(List.of("--registry", REGISTRY), "sh", "-c", "exit 42").exit());

        DaemonSandbox.Result killed = exec(List.of("--registry", REGISTRY), "sh", "-c", "kill -KILL $$");
        assertEquals(128 + 9, killed.exit());
        assertEquals("latchkey: sh was killed by SIGKILL\n", killed.stderr());

        DaemonSandbox.Result missing = exec(List.of("--registry", REGISTRY), "no-such-program-" + UUID.randomUUID());
        assertEquals(127, missing.exit(), missing.stderr());
    }

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"TERM", "INT", "HUP"})
    void aSignalSentToLatchkeyReachesTheCommand(String signal) throws Exception {
        configureRegistry();
        store(REGISTRY, token);
        Path ready = sandbox.root.resolve("ready");
        Path heard = sandbox.root.resolve("heard");
        String script = "trap 'echo " + signal + " > " + heard + "; exit 3' " + signal + "; : > " + ready
                + "; i=0; while [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; exit 9";
        ProcessBuilder builder = sandbox.builder(sandbox.latchkey("exec", "--registry", REGISTRY, "--", "sh", "-c", script));
        Process latchkey = sandbox.start(builder);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(ready) || !latchkey.isAlive());
        assertTrue(latchkey.isAlive(), () -> "exec ended early: " + read(builder.redirectError().file().toPath()));
        DaemonSandbox.signal(signal, latchkey.toHandle());
        assertTrue(latchkey.waitFor(30, TimeUnit.SECONDS), "latchkey ends when its command has");
        assertEquals(3, latchkey.exitValue(), () -> read(builder.redirectError().file().toPath()));
        assertEquals(signal + "\n", Files.readString(heard), "the command's own handler ran");
    }

    @Test
    void aCtrlCTypedAtTheTerminalReachesTheCommandOnce() throws Exception {
        Path script = RequiredComponent.executable("script", "to give latchkey a terminal");
        configureRegistry();
        store(REGISTRY, token);
        Path ready = sandbox.root.resolve("ready");
        // Counts the SIGINTs it gets, waits a second after the first for any other, and exits 10 + the count.
        Path counter = sandbox.root.resolve("count-sigint.sh");
        Files.writeString(counter, "n=0; trap 'n=$((n+1))' INT; : > " + ready + "; i=0; t=0;"
                + " while [ $i -lt 600 ]; do sleep 0.05; i=$((i+1));"
                + " if [ $n -gt 0 ] && [ $t -eq 0 ]; then t=$i; fi; if [ $t -gt 0 ] && [ $i -ge $((t+20)) ]; then break; fi; done;"
                + " exit $((10+n))\n");
        // script runs its command with sh -c: exec makes latchkey the terminal's job, as a shell would,
        // rather than leaving a waiting sh that a Ctrl-C ends on its own.
        ProcessBuilder builder = sandbox.builder(List.of(script.toString(), "-qec",
                "exec '" + sandbox.launcher() + "' exec --registry " + REGISTRY + " -- sh '" + counter + "'", "/dev/null"));
        Process terminal = sandbox.start(builder);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(ready) || !terminal.isAlive());
        assertTrue(terminal.isAlive(), () -> "exec ended early: " + read(builder.redirectOutput().file().toPath()));
        terminal.getOutputStream().write(3); // Ctrl-C: the terminal sends SIGINT to its foreground process group
        terminal.getOutputStream().flush();
        assertTrue(terminal.waitFor(30, TimeUnit.SECONDS), "latchkey ends when its command has");
        assertEquals(11, terminal.exitValue(), () -> "the command counted 10 + the SIGINTs it got: "
                + read(builder.redirectOutput().file().toPath()));
    }

    @Test
    void theTokenIsInTheCommandsEnvironmentOnlyNeverInLatchkeysArgvEnvironmentOrLogs() throws Exception {
        configureRegistry();
        store(REGISTRY, token);
        sandbox.startDaemon();
        // The command copies its parent's (latchkey's) /proc entries, then its own environment.
        String script = "tr '\\0' '\\n' < /proc/$PPID/environ > latchkey-environ; tr '\\0' ' ' < /proc/$PPID/cmdline > latchkey-cmdline;"
                + " env > command-environ";
        DaemonSandbox.Result ran = exec(List.of("--registry", REGISTRY, "--env", "MY_TOKEN=" + REGISTRY), "sh", "-c", script);
        assertEquals(0, ran.exit(), ran.stderr());

        List<String> environment = Files.readAllLines(sandbox.root.resolve("command-environ"));
        assertTrue(environment.contains(VARIABLE + "=" + token) && environment.contains("MY_TOKEN=" + token),
                "the command got the token under cargo's variable and the one --env named");
        assertTrue(environment.contains("CARGO_REGISTRIES_LKREG_CREDENTIAL_PROVIDER=cargo:token"),
                "and cargo is told to read it from there");
        String cmdline = Files.readString(sandbox.root.resolve("latchkey-cmdline"));
        assertTrue(cmdline.contains(" exec --registry " + REGISTRY + " "), () -> "latchkey's own /proc entries were read: " + cmdline);
        Path commandEnvironment = sandbox.root.resolve("command-environ");
        int scanned = TokenLeaks.assertNoFileHolds(sandbox.root, file -> file.equals(sandbox.tokenFile())
                || file.equals(commandEnvironment) || isStdinOfStore(file), List.of(token));
        assertTrue(scanned > 5, "latchkey's environ and cmdline, its audit log, the daemon's log and the outputs were looked through");
        for (ProcessHandle daemon : sandbox.daemons()) {
            byte[] environ = Files.readAllBytes(Path.of("/proc", Long.toString(daemon.pid()), "environ"));
            assertFalse(new String(environ, StandardCharsets.UTF_8).contains(token), "nor is it in the daemon's environment");
        }
        List<Map<String, String>> gets = audit().stream().filter(line -> "get".equals(line.get("kind"))).toList();
        assertEquals(List.of("sh"), gets.stream().map(line -> line.get("for-command")).toList(),
                "one get, for both variables, audited with the command's name and not its arguments");
    }

    @Test
    void eachRegistrysTokenGoesUnderTheVariableCargoReadsItFromAndThePassphraseStaysOut() throws Exception {
        sandbox.config("[registries." + REGISTRY + "]\nindex = \"sparse+https://lkreg.example/index/\"\n"
                + "[registries.my-reg]\nindex = \"sparse+https://my-reg.example/index/\"\n");
        String other = "lk-exec-other-" + UUID.randomUUID();
        String cratesIo = "lk-exec-crates-io-" + UUID.randomUUID();
        store(REGISTRY, token);
        store("my-reg", other);
        store("crates-io", cratesIo);
        sandbox.env().put("LATCHKEY_PASSPHRASE", "the encrypted store's, and latchkey's only");

        DaemonSandbox.Result ran = exec(List.of("--registry", "sparse+https://lkreg.example/index/", "--registry", "my-reg",
                "--registry", "crates-io"), "sh", "-c", "env > command-environ");
        assertEquals(0, ran.exit(), ran.stderr());
        List<String> environment = Files.readAllLines(sandbox.root.resolve("command-environ"));
        for (String expected : List.of(VARIABLE + "=" + token, "CARGO_REGISTRIES_MY_REG_TOKEN=" + other,
                "CARGO_REGISTRY_TOKEN=" + cratesIo, "CARGO_REGISTRIES_LKREG_CREDENTIAL_PROVIDER=cargo:token",
                "CARGO_REGISTRIES_MY_REG_CREDENTIAL_PROVIDER=cargo:token", "CARGO_REGISTRY_CREDENTIAL_PROVIDER=cargo:token")) {
            assertTrue(environment.contains(expected), () -> expected.substring(0, expected.indexOf('=')) + " is not as expected");
        }
        assertTrue(environment.stream().noneMatch(line -> line.startsWith("LATCHKEY_PASSPHRASE=")),
                "the passphrase of latchkey's encrypted store is not the command's");
        assertTrue(environment.stream().anyMatch(line -> line.startsWith("LATCHKEY_AUTOSTART=")), "the rest of latchkey's is");
    }

    @Test
    void withoutATokenTheCommandIsNotRunAndBadUsageIsRefused() throws Exception {
        configureRegistry();
        Path ran = sandbox.root.resolve("ran");
        DaemonSandbox.Result none = exec(List.of("--registry", REGISTRY), "touch", ran.toString());
        assertEquals(1, none.exit(), none.stderr());
        assertTrue(none.stderr().contains("latchkey: touch was not run, since the token for `" + REGISTRY + "` could not be read"),
                none.stderr());
        assertFalse(Files.exists(ran));

        store(REGISTRY, token);
        for (List<String> wrong : List.of(List.of("--registry", REGISTRY, "touch", ran.toString()),
                List.of("--", "touch", ran.toString()),
                List.of("--registry", REGISTRY, "--operation", "delete", "--", "touch", ran.toString()),
                List.of("--env", "1BAD=" + REGISTRY, "--", "touch", ran.toString()),
                List.of("--registry", "sparse+https://unnamed.example/index/", "--", "touch", ran.toString()))) {
            List<String> args = new ArrayList<>(List.of("exec"));
            args.addAll(wrong);
            DaemonSandbox.Result refused = sandbox.run(null, args.toArray(String[]::new));
            assertEquals(2, refused.exit(), () -> wrong + ": " + refused.stderr());
            assertFalse(Files.exists(ran), () -> wrong + " ran the command");
        }
    }

    /** The file {@link DaemonSandbox#run} gave {@code latchkey store} as its stdin, the token this test stored. */
    private boolean isStdinOfStore(Path file) {
        String name = file.getFileName().toString();
        return file.getParent().equals(sandbox.root) && name.startsWith("in") && name.endsWith(".txt");
    }

    /** {@code latchkey exec ARGS -- COMMAND...} in the sandbox's root. */
    private DaemonSandbox.Result exec(List<String> args, String... command) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("exec"));
        all.addAll(args);
        all.add("--");
        all.addAll(List.of(command));
        return sandbox.run(null, all.toArray(String[]::new));
    }

    private void store(String registry, String value) throws IOException, InterruptedException {
        DaemonSandbox.Result stored = sandbox.run(value + "\n", "store", registry, "--store", "file");
        assertEquals(0, stored.exit(), stored.stderr());
    }

    /** The registry named in latchkey's config (no cargo involved). */
    private void configureRegistry() throws IOException {
        sandbox.config("[registries." + REGISTRY + "]\nindex = \"sparse+https://lkreg.example/index/\"\n");
    }

    /**
     * cargo's config: the registry, with no credential provider of latchkey's (cargo's own
     * {@code cargo:token} reads the token from the environment), and crates.io replaced by an
     * empty local source so that nothing can reach the network.
     */
    private String cargoConfig(String indexUrl) throws IOException {
        Path noCratesIo = Files.createDirectories(sandbox.root.resolve("no-crates-io"));
        return "[registries." + REGISTRY + "]\nindex = " + CargoFixtures.toml(indexUrl) + "\n"
                + "\n[source.crates-io]\nreplace-with = \"no-crates-io\"\n"
                + "\n[source.no-crates-io]\ndirectory = " + CargoFixtures.toml(noCratesIo.toString()) + "\n";
    }

    private List<Map<String, String>> audit() throws IOException {
        Path log = sandbox.state.resolve("latchkey/audit.log");
        return Files.readAllLines(log).stream().map(AuditLog::fields).collect(Collectors.toList());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
