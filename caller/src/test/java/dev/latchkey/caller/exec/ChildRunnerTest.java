package dev.latchkey.caller.exec;

import dev.latchkey.caller.secrets.SecretMatcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runner with real processes: {@code sh} children, run in this JVM with their output captured,
 * or under {@link ExecInChildJvm} in a JVM of their own when the test must signal latchkey itself
 * or look at it from outside.
 */
@Timeout(60)
class ChildRunnerTest {
    private static final String NAME = "crates-io";
    private static final String VARIABLE = "CARGO_REGISTRY_TOKEN";
    /** A loop that waits, and ends by itself within a minute even if the test that should stop it fails. */
    private static final String WAIT = "i=0; while [ $i -lt 3000 ]; do sleep 0.02; i=$((i+1)); done";
    private final String token = randomToken();

    @TempDir
    Path dir;

    /** Ends whatever a failed test left running: the child JVMs and their children. */
    @AfterEach
    void endLeftovers() {
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 42})
    void returnsTheChildsExitStatus(int status) throws Exception {
        Run run = runHere("exit " + status);
        assertEquals(status, run.status);
        assertEquals("", run.err());
    }

    @Test
    void masksTheTokenOnBothStreams() throws Exception {
        Run run = runHere("echo \"out: $" + VARIABLE + "\"; echo \"err: $" + VARIABLE + "\" >&2");
        assertEquals(0, run.status);
        assertEquals("out: <redacted:crates-io>\n", run.out());
        assertEquals("err: <redacted:crates-io>\n", run.err());
    }

    @Test
    void keepsTheOrderWithinEachStreamUnderMoreOutputThanAPipeHolds() throws Exception {
        Run run = runHere("i=0; while [ $i -lt 3000 ]; do echo \"out $i $" + VARIABLE + "\"; echo \"err $i $"
                + VARIABLE + "\" >&2; i=$((i+1)); done");
        assertEquals(0, run.status);
        List<String> out = run.out().lines().toList();
        List<String> err = run.err().lines().toList();
        assertEquals(3000, out.size());
        assertEquals(3000, err.size());
        for (int i = 0; i < 3000; i++) {
            assertEquals("out " + i + " <redacted:crates-io>", out.get(i));
            assertEquals("err " + i + " <redacted:crates-io>", err.get(i));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "KILL"})
    void reportsAChildKilledByASignal(String signal) throws Exception {
        Run run = runHere("kill -s " + signal + " $$");
        int number = signal.equals("TERM") ? 15 : 9;
        assertEquals(128 + number, run.status);
        assertEquals("latchkey: sh was killed by SIG" + signal + "\n", run.err());
    }

    @Test
    void putsTheTokenInTheChildsEnvironmentAndNotOnItsCommandLine() throws Exception {
        Run run = runHere("tr '\\0' ' ' < /proc/$$/cmdline > cmdline; printf %s \"$" + VARIABLE + "\" > environment");
        assertEquals(0, run.status);
        assertEquals(token, Files.readString(dir.resolve("environment")));
        String commandLine = Files.readString(dir.resolve("cmdline"));
        assertTrue(commandLine.startsWith("sh -c "), commandLine);
        assertFalse(commandLine.contains(token));
    }

    @Test
    void showsAPromptWithoutNewlineWhileTheChildWaits() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChildRunner runner = new ChildRunner(SecretMatcher.of(Map.of(NAME, utf8(token))), out, new ByteArrayOutputStream());
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> {
            try {
                return runner.run(sh("printf 'Password: '; i=0; while [ ! -e answered ] && [ $i -lt 3000 ]; do sleep 0.02; i=$((i+1)); done; echo ok"), environment());
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        waitFor(() -> out.toString(StandardCharsets.UTF_8).equals("Password: "), "the prompt");
        assertFalse(status.isDone(), "the child is still waiting for its answer");
        Files.createFile(dir.resolve("answered"));
        assertEquals(0, status.get(20, TimeUnit.SECONDS));
        assertEquals("Password: ok\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aCommandThatIsNotFoundGets127() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ChildRunner runner = new ChildRunner(SecretMatcher.of(Map.of(NAME, utf8(token))), new ByteArrayOutputStream(), err);
        assertEquals(127, runner.run(List.of("latchkey-test-no-such-command"), environment()));
        assertEquals("latchkey: cannot run latchkey-test-no-such-command: No such file or directory\n",
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void refusesAnEnvironmentValueWithANulWithoutShowingIt() {
        Map<String, String> environment = environment();
        environment.put("CARGO_REGISTRIES_COMPANY_TOKEN", token + "\0");
        ChildRunner runner = new ChildRunner(SecretMatcher.of(Map.of(NAME, utf8(token))), new ByteArrayOutputStream(), new ByteArrayOutputStream());
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> runner.run(sh("true"), environment));
        assertTrue(refused.getMessage().contains("CARGO_REGISTRIES_COMPANY_TOKEN"), refused.getMessage());
        assertFalse(refused.getMessage().contains(token));
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT", "HUP"})
    void passesASignalSentToLatchkeyOnToTheChild(String signal) throws Exception {
        String script = "trap 'echo caught INT; exit 7' INT; trap 'echo caught TERM; exit 8' TERM; "
                + "trap 'echo caught HUP; exit 9' HUP; echo ready; " + WAIT;
        ChildJvm latchkey = ChildJvm.start(secretsFile(), dir, "--", "sh", "-c", script);
        latchkey.awaitOutput("ready\n");
        kill(signal, latchkey.process.pid());
        assertEquals(Map.of("INT", 7, "TERM", 8, "HUP", 9).get(signal), latchkey.exitStatus());
        assertEquals("ready\ncaught " + signal + "\n", latchkey.output());
    }

    @Test
    void reportsAChildThatTheForwardedSignalKilled() throws Exception {
        ChildJvm latchkey = ChildJvm.start(secretsFile(), dir, "--", "sh", "-c", "echo ready; exec sleep 30");
        latchkey.awaitOutput("ready\n");
        kill("TERM", latchkey.process.pid());
        assertEquals(143, latchkey.exitStatus());
        assertEquals("latchkey: sh was killed by SIGTERM\n", latchkey.errors());
    }

    @Test
    void theTokenIsOnlyInTheChildsEnvironmentNeverInLatchkeysOwnOrOnACommandLine() throws Exception {
        ChildJvm latchkey = ChildJvm.start(secretsFile(), dir, "--", "sh", "-c", "echo ready; " + WAIT);
        latchkey.awaitOutput("ready\n");
        long jvm = latchkey.process.pid();
        List<ProcessHandle> children = ProcessHandle.of(jvm).orElseThrow().children().toList();
        assertEquals(1, children.size());
        long child = children.get(0).pid();
        assertFalse(proc(jvm, "cmdline").contains(token), "latchkey's command line");
        assertFalse(proc(jvm, "environ").contains(token), "latchkey's environment");
        assertFalse(proc(child, "cmdline").contains(token), "the child's command line");
        assertTrue(proc(child, "environ").contains(VARIABLE + "=" + token), "the child's environment");
        kill("TERM", jvm);
        assertEquals(143, latchkey.exitStatus());
    }

    @Test
    void aChildWritingToAReaderThatHasQuitEndsAsItWouldWithoutLatchkey() throws Exception {
        ChildJvm latchkey = ChildJvm.start(secretsFile(), dir, "--", "sh", "-c", "while :; do echo \"$" + VARIABLE + "\"; done");
        latchkey.awaitOutput(line -> line.startsWith("<redacted:crates-io>\n"));
        latchkey.process.getInputStream().close();
        assertEquals(128 + 13, latchkey.exitStatus(), "the child died of SIGPIPE, as under a shell's pipe");
        assertEquals("", latchkey.errors(), "which is not worth a word");
    }

    @Test
    void aHangupLatchkeyWasStartedIgnoringStaysIgnoredForTheChildAsUnderNohup() throws Exception {
        ChildJvm latchkey = ChildJvm.start(List.of("sh", "-c", "trap '' HUP; exec \"$@\"", "sh"), secretsFile(), dir,
                "--", "sh", "-c", "grep SigIgn /proc/self/status");
        assertEquals(0, latchkey.exitStatus(), latchkey.errors());
        long ignored = Long.parseLong(latchkey.output().strip().substring("SigIgn:".length()).strip(), 16);
        assertEquals(1, ignored & 1, "SIGHUP (1) is ignored: " + latchkey.output());
    }

    @Test
    void withoutMaskingTheChildWritesStraightToLatchkeysOwnOutput() throws Exception {
        ChildJvm latchkey = ChildJvm.start(secretsFile(), dir, "--no-mask", "--",
                "sh", "-c", "echo \"$" + VARIABLE + "\"; test -t 1 || echo 'not a terminal, as expected'; exit 5");
        assertEquals(5, latchkey.exitStatus());
        assertEquals(token + "\nnot a terminal, as expected\n", latchkey.output());
    }

    private Path secretsFile() throws IOException {
        Path file = dir.resolve("secrets");
        Files.writeString(file, NAME + " " + VARIABLE + " " + token + "\n");
        return file;
    }

    private Run runHere(String script) throws IOException, InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ChildRunner runner = new ChildRunner(SecretMatcher.of(Map.of(NAME, utf8(token))), out, err);
        int status = runner.run(sh(script), environment());
        return new Run(status, out, err);
    }

    private List<String> sh(String script) {
        // Run in the test's directory: cd first, since the runner starts children where latchkey runs.
        return List.of("sh", "-c", "cd \"$1\" && shift && " + script, "sh", dir.toString());
    }

    private Map<String, String> environment() {
        Map<String, String> environment = new HashMap<>();
        environment.put("PATH", System.getenv("PATH"));
        environment.put(VARIABLE, token);
        return environment;
    }

    private static void kill(String signal, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("sh", "-c", "kill -s " + signal + " " + pid).inheritIO().start();
        assertEquals(0, kill.waitFor());
    }

    private static String proc(long pid, String file) throws IOException {
        return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), file)), StandardCharsets.ISO_8859_1);
    }

    static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited 20 s for " + what);
            }
            Thread.sleep(10);
        }
    }

    private static String randomToken() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom random = new SecureRandom();
        StringBuilder token = new StringBuilder("test-");
        for (int i = 0; i < 32; i++) {
            token.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return token.toString();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private record Run(int status, ByteArrayOutputStream stdout, ByteArrayOutputStream stderr) {
        String out() {
            return stdout.toString(StandardCharsets.UTF_8);
        }

        String err() {
            return stderr.toString(StandardCharsets.UTF_8);
        }
    }

    /** {@link ExecInChildJvm} running, its output collected as it comes. */
    private static final class ChildJvm {
        final Process process;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final Thread outCollector;
        private final Thread errCollector;

        private ChildJvm(Process process) {
            this.process = process;
            outCollector = collect(process.getInputStream(), out);
            errCollector = collect(process.getErrorStream(), err);
        }

        static ChildJvm start(Path secrets, Path dir, String... rest) throws IOException {
            return start(List.of(), secrets, dir, rest);
        }

        /** The child JVM started by {@code launcher} (a command that runs its arguments), which may set it up first. */
        static ChildJvm start(List<String> launcher, Path secrets, Path dir, String... rest) throws IOException {
            List<String> command = new ArrayList<>(launcher);
            command.addAll(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"),
                    ExecInChildJvm.class.getName(), secrets.toString()));
            command.addAll(List.of(rest));
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
            builder.environment().remove(VARIABLE);
            return new ChildJvm(builder.start());
        }

        void awaitOutput(String expected) throws InterruptedException {
            awaitOutput(expected::equals);
        }

        void awaitOutput(Predicate<String> expected) throws InterruptedException {
            waitFor(() -> expected.test(output()), "output from the child JVM (so far: " + output() + errors() + ")");
        }

        int exitStatus() throws InterruptedException {
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the child JVM ended");
            outCollector.join(10_000);
            errCollector.join(10_000);
            return process.exitValue();
        }

        String output() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        String errors() {
            synchronized (err) {
                return err.toString(StandardCharsets.UTF_8);
            }
        }

        private static Thread collect(InputStream from, ByteArrayOutputStream to) {
            Thread collector = new Thread(() -> {
                byte[] buffer = new byte[4096];
                try (from) {
                    int count;
                    while ((count = from.read(buffer)) >= 0) {
                        synchronized (to) {
                            to.write(buffer, 0, count);
                        }
                    }
                } catch (IOException e) {
                    // the process is gone
                }
            });
            collector.setDaemon(true);
            collector.start();
            return collector;
        }
    }
}
