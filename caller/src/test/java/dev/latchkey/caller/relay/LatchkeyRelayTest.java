package dev.latchkey.caller.relay;

import dev.latchkey.caller.relay.FakeDaemon.Conversation;
import dev.latchkey.caller.relay.RelayProcess.Finished;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * latchkey-relay, built by scripts/build-relay, against a fake daemon on a real Unix socket
 * ({@link FakeDaemon}, the daemon's side of docs/relay-protocol.md being written elsewhere), with a
 * shell script standing in for the JVM program it runs when it serves an invocation here. The
 * script records its argv, its stdin, where its stdin came from, its environment and its pid
 * (exec keeps the relay's), then writes {@value #FALLBACK_OUT} and exits {@value #FALLBACK_STATUS}.
 */
class LatchkeyRelayTest {
    private static final String FALLBACK_OUT = "served here\n";
    private static final int FALLBACK_STATUS = 7;
    private static final String WENT_AWAY = "latchkey: the daemon went away in the middle of an answer; run the command again\n";
    private static final List<String> ARGS = List.of("--cargo-plugin", "two words", "");

    private static Path relay;

    @TempDir
    Path dir;
    private Path socket;
    private Path fallback;
    private FakeDaemon daemon;
    private final List<RelayProcess> started = new ArrayList<>();

    /** The relay the build made (scripts/build-relay, run by Maven before the tests), passed in as {@code latchkey.relay}. */
    @BeforeAll
    static void built() {
        Path out = Path.of(System.getProperty("latchkey.relay", "target/latchkey-relay"));
        if (!Files.isExecutable(out)) {
            missing("latchkey-relay, which the build makes with a C compiler (see the build's output for why it did not)");
        }
        relay = out;
    }

    @BeforeEach
    void fallbackProgram() throws IOException {
        socket = dir.resolve("daemon.sock");
        fallback = dir.resolve("fallback");
        Files.writeString(fallback, """
                #!/bin/sh
                # Stands in for the JVM program: records how it was started, then serves "here".
                dir=${0%/*}
                echo $$ > "$dir/fallback.pid"
                readlink /proc/$$/fd/0 > "$dir/fallback.stdin-source"
                for arg in "$@"; do printf '%s\\0' "$arg"; done > "$dir/fallback.argv"
                env > "$dir/fallback.env"
                cat > "$dir/fallback.stdin"
                printf 'served here\\n'
                exit 7
                """);
        Files.setPosixFilePermissions(fallback, PosixFilePermissions.fromString("rwx------"));
    }

    @AfterEach
    void stop() throws IOException {
        started.forEach(RelayProcess::destroy);
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void theHeaderCarriesArgumentsCwdTheVariablesThatSayWhereFilesAreAndOnlyTheNamesOfTokens() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", "/home/someone");
        env.put("CARGO_HOME", "/home/someone/.cargo");
        env.put("XDG_CONFIG_HOME", "/home/someone/.config");
        env.put("XDG_RUNTIME_DIR", "/run/user/1000");
        env.put("LATCHKEY_CONFIG", "/etc/latchkey.toml");
        env.put("LATCHKEY_LOG", "1");
        env.put("LATCHKEY_NO_DAEMON", "");
        env.put("LATCHKEY_SOCKET", "/run/latchkey.sock");
        env.put("LATCHKEY_AUTOSTART", "0");
        env.put("CARGO_REGISTRIES_COMPANY_INDEX", "sparse+https://packages.example/index/");
        env.put("CARGO_REGISTRY_TOKEN", "secret-registry-token");
        env.put("CARGO_REGISTRIES_COMPANY_TOKEN", "secret-company-token");
        env.put("CARGO_REGISTRIES_EMPTY_TOKEN", "");
        env.put("AWS_SECRET_ACCESS_KEY", "secret-aws-key");
        env.put("LATCHKEY_OTHER", "not a variable of the list");
        daemon = new FakeDaemon(socket, c -> {
            c.hello();
            c.readHeader();
            c.exit(0);
        });

        Finished finished = start(ARGS, env, null).finish();
        Conversation conversation = daemon.awaitPlayed();

        assertEquals(0, finished.status(), finished.stderrText());
        List<String> header = conversation.header();
        assertEquals("latchkey-relay 1", header.get(0));
        assertEquals("version " + System.getProperty("latchkey.version", "?"), header.get(1), "the version it was built with");
        assertEquals(List.of("arg --cargo-plugin", "arg two words", "arg "), header.subList(2, 5));
        assertEquals("cwd " + dir.toRealPath(), header.get(5));
        List<String> rest = header.subList(6, header.size());
        int firstHas = (int) rest.stream().takeWhile(line -> line.startsWith("env ")).count();
        Set<String> sentVariables = env.entrySet().stream()
                .filter(e -> !e.getKey().contains("TOKEN") && !e.getKey().startsWith("AWS") && !e.getKey().equals("LATCHKEY_OTHER"))
                .map(e -> "env " + e.getKey() + "=" + e.getValue())
                .collect(Collectors.toSet());
        assertEquals(sentVariables, Set.copyOf(rest.subList(0, firstHas)), "env lines, PATH not among them");
        // After them only `has` lines: no `tty` line, since stdin, stdout and stderr are pipes here.
        assertEquals(Set.of("has CARGO_REGISTRY_TOKEN", "has CARGO_REGISTRIES_COMPANY_TOKEN"),
                Set.copyOf(rest.subList(firstHas, rest.size())));
        assertEquals(2, rest.size() - firstHas);
        String raw = new String(conversation.rawHeader(), StandardCharsets.UTF_8);
        assertFalse(raw.contains("secret"), "a secret value was sent: " + raw);
    }

    @Test
    void stdinGoesAsInFramesByteForByteThenEnd() throws Exception {
        byte[] input = binaryInput();
        // From a file, where a read takes as much as it asks for: no frame may be over 64 KiB all the same.
        Path stdin = Files.write(dir.resolve("stdin"), input);
        daemon = new FakeDaemon(socket, c -> {
            c.hello();
            c.readHeader();
            c.readStdinToEnd();
            c.exit(0);
        });

        Finished finished = start(ARGS, Map.of(), stdin).finish();
        Conversation conversation = daemon.awaitPlayed();

        assertEquals(0, finished.status(), finished.stderrText());
        assertTrue(conversation.ended());
        assertArrayEquals(input, conversation.stdin());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 255})
    void outAndErrAreWrittenExactlyAndTheExitStatusIsTheDaemons(int status) throws Exception {
        byte[] out1 = "{\"v\":[1]}\n\0 nul\n".getBytes(StandardCharsets.UTF_8);
        byte[] err = {'w', 0, (byte) 0xff, '\n'};
        byte[] out2 = new byte[300_000];
        new Random(status).nextBytes(out2);
        daemon = new FakeDaemon(socket, c -> {
            c.hello();
            c.readHeader();
            c.out(out1);
            c.err(err);
            c.out(out2);
            c.exit(status);
        });

        Finished finished = start(ARGS, Map.of(), null).finish();
        daemon.awaitPlayed();

        assertEquals(status, finished.status());
        assertArrayEquals(concat(out1, out2), finished.stdout());
        assertArrayEquals(err, finished.stderr());
    }

    @Test
    void aStdoutWhoseReaderWentAwayDoesNotStopTheAnswerNorChangeTheStatus() throws Exception {
        daemon = new FakeDaemon(socket, c -> {
            c.hello();
            c.readHeader();
            c.out(new byte[300_000]);
            c.err("still here\n".getBytes(StandardCharsets.UTF_8));
            c.exit(3);
        });

        Finished finished = start(ARGS, Map.of(), null, false).finish();
        daemon.awaitPlayed();

        assertEquals(3, finished.status());
        assertEquals("still here\n", finished.stderrText());
    }

    @Test
    void hereBeforeAnyDoneServesHereFromTheStartWithAllStdin() throws Exception {
        byte[] first = "first request\n".getBytes(StandardCharsets.UTF_8);
        byte[] later = "written after the hand-back\n".getBytes(StandardCharsets.UTF_8);
        daemon = new FakeDaemon(socket, c -> {
            c.hello();
            c.readHeader();
            c.readStdinUntil(first.length);
            c.here("a login must ask at the terminal");
            c.awaitClose();
        });

        RelayProcess relayed = start(ARGS, Map.of(), null);
        relayed.write(first);
        daemon.awaitPlayed();
        relayed.write(later);
        Finished finished = relayed.finish();

        assertServedHere(relayed, finished, "");
        assertEquals(withArgs("--handback=a login must ask at the terminal"), fallbackArgv());
        assertArrayEquals(concat(first, later), fallbackStdin());
    }

    @Test
    void doneThenHereResumesAtTheDonePointWithTheInputAfterIt() throws Exception {
        byte[] answered = "request one\n".getBytes(StandardCharsets.UTF_8);
        byte[] unanswered = "request two\n".getBytes(StandardCharsets.UTF_8);
        byte[] later = "request three\n".getBytes(StandardCharsets.UTF_8);
        daemon = new FakeDaemon(socket, c -> {
            c.hello();
            c.readHeader();
            c.readStdinUntil(answered.length + unanswered.length);
            c.out("answer one\n".getBytes(StandardCharsets.UTF_8));
            c.done(answered.length);
            c.here("request two needs the caller");
            c.awaitClose();
        });

        RelayProcess relayed = start(ARGS, Map.of(), null);
        relayed.write(concat(answered, unanswered));
        daemon.awaitPlayed();
        relayed.write(later);
        Finished finished = relayed.finish();

        assertServedHere(relayed, finished, "answer one\n");
        assertEquals(withArgs("--resumed=" + answered.length, "--handback=request two needs the caller"), fallbackArgv());
        assertArrayEquals(concat(unanswered, later), fallbackStdin());
    }

    @Test
    void aConnectionLostWithNothingWrittenSinceTheDoneIsServedHereFromIt() throws Exception {
        byte[] answered = "request one\n".getBytes(StandardCharsets.UTF_8);
        byte[] unanswered = "request two\n".getBytes(StandardCharsets.UTF_8);
        daemon = new FakeDaemon(socket, c -> {
            c.hello();
            c.readHeader();
            c.readStdinUntil(answered.length + unanswered.length);
            c.out("answer one\n".getBytes(StandardCharsets.UTF_8));
            c.done(answered.length);
        });

        RelayProcess relayed = start(ARGS, Map.of(), null);
        relayed.write(concat(answered, unanswered));
        daemon.awaitPlayed();
        Finished finished = relayed.finish();

        assertServedHere(relayed, finished, "answer one\n");
        List<String> argv = fallbackArgv();
        assertEquals("--resumed=" + answered.length, argv.get(0));
        assertTrue(argv.get(1).startsWith("--handback=the latchkey daemon went away"), argv.get(1));
        assertEquals(ARGS, argv.subList(2, argv.size()));
        assertArrayEquals(unanswered, fallbackStdin());
    }

    @Test
    void aFrameItCannotReadBeforeAnyOutputIsServedHere() throws Exception {
        daemon = new FakeDaemon(socket, c -> {
            c.hello();
            c.readHeader();
            c.line("out -1");
            c.awaitClose();
        });

        RelayProcess relayed = start(ARGS, Map.of(), null);
        Finished finished = relayed.finish();
        daemon.awaitPlayed();

        assertServedHere(relayed, finished, "");
        assertEquals(withArgs("--handback=the daemon sent a frame the relay cannot read"), fallbackArgv());
    }

    @Test
    void aConnectionLostAfterOutputSinceTheDoneEndsWithStatus4AndSaysSo() throws Exception {
        byte[] request = "request one\n".getBytes(StandardCharsets.UTF_8);
        daemon = new FakeDaemon(socket, c -> {
            c.hello();
            c.readHeader();
            c.out("greeting\n".getBytes(StandardCharsets.UTF_8));
            c.done(0);
            c.readStdinUntil(request.length);
            c.out("half an ans".getBytes(StandardCharsets.UTF_8));
        });

        RelayProcess relayed = start(ARGS, Map.of(), null);
        relayed.write(request);
        daemon.awaitPlayed();
        Finished finished = relayed.finish();

        assertEquals(4, finished.status());
        assertEquals("greeting\nhalf an ans", finished.stdoutText());
        assertEquals(WENT_AWAY, finished.stderrText());
        assertFalse(Files.exists(dir.resolve("fallback.argv")), "the program ran after output it would write again");
    }

    @Test
    void withoutASocketItServesHereAtOnceWithStdinUntouchedAndTheEnvironmentWhole() throws Exception {
        Path input = stdinFile("a request\n");

        RelayProcess relayed = start(ARGS, Map.of("CARGO_REGISTRY_TOKEN", "the-token"), input);
        Finished finished = relayed.finish();

        assertServedHere(relayed, finished, "");
        List<String> argv = fallbackArgv();
        assertTrue(argv.get(0).startsWith("--handback=no daemon to connect to at " + socket), argv.get(0));
        assertEquals(ARGS, argv.subList(1, argv.size()));
        assertEquals(input.toString(), fallbackStdinSource());
        assertEquals("a request\n", new String(fallbackStdin(), StandardCharsets.UTF_8));
        // The program needs the token variables the daemon must not see.
        assertTrue(Files.readAllLines(dir.resolve("fallback.env")).contains("CARGO_REGISTRY_TOKEN=the-token"));
    }

    @Test
    void aDaemonThatNeverSaysHelloIsGivenUpOnAndStdinIsUntouched() throws Exception {
        Path input = stdinFile("a request\n");
        daemon = new FakeDaemon(socket, c -> {
            c.readHeader();
            c.awaitClose();
        });

        RelayProcess relayed = start(ARGS, Map.of(), input);
        Finished finished = relayed.finish();
        Conversation conversation = daemon.awaitPlayed();

        assertEquals("latchkey-relay 1", conversation.header().get(0), "the header goes before the hello");
        assertServedHere(relayed, finished, "");
        assertEquals(withArgs("--handback=the latchkey daemon did not say hello within 5 s"), fallbackArgv());
        assertEquals(input.toString(), fallbackStdinSource());
    }

    @Test
    void anArgumentWithANewlineIsServedHereWithoutConnecting() throws Exception {
        Path input = stdinFile("a request\n");
        daemon = new FakeDaemon(socket, c -> c.header().add(c.readLine()));
        List<String> args = List.of("store", "two\nlines");

        RelayProcess relayed = start(args, Map.of(), input);
        Finished finished = relayed.finish();
        // The daemon takes connections in order: if the relay had connected, it would be the first.
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            probe.write(ByteBuffer.wrap("probe\n".getBytes(StandardCharsets.UTF_8)));
            assertEquals(List.of("probe"), daemon.awaitPlayed().header());
        }

        assertServedHere(relayed, finished, "");
        List<String> argv = fallbackArgv();
        assertTrue(argv.get(0).startsWith("--handback=argument 2 holds a newline"), argv.get(0));
        assertEquals(args, argv.subList(1, argv.size()));
        assertEquals(input.toString(), fallbackStdinSource());
    }

    @Test
    void aSocketDirectoryOthersCanEnterIsNotUsedAndTheUserIsTold() throws Exception {
        Path input = stdinFile("a request\n");
        daemon = new FakeDaemon(socket, c -> {
            String line = c.readLine();
            if (line != null) {
                c.header().add(line);
            }
        });
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            RelayProcess relayed = start(ARGS, Map.of(), input);
            Finished finished = relayed.finish();

            assertServedHere(relayed, finished, "");
            assertEquals(List.of(), daemon.awaitPlayed().header(), "not a line sent to it");
            assertTrue(fallbackArgv().get(0).startsWith("--handback=the socket directory " + dir + " is accessible to other users "
                    + "(mode rwxr-xr-x); make it private: `chmod 700 " + dir + "`"), fallbackArgv().get(0));
            assertTrue(finished.stderrText().startsWith("latchkey: serving in this process instead of the daemon: the socket directory"),
                    finished.stderrText());
            assertEquals(input.toString(), fallbackStdinSource());
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aCargoExchangeWhereTheToolWritesOnlyAfterTheGreetingGoesThrough() throws Exception {
        byte[] greeting = "{\"v\":[1]}\n".getBytes(StandardCharsets.UTF_8);
        byte[] request = "{\"v\":1,\"kind\":\"get\"}\n".getBytes(StandardCharsets.UTF_8);
        byte[] answer = "{\"Ok\":{\"kind\":\"get\",\"token\":\"t\"}}\n".getBytes(StandardCharsets.UTF_8);
        daemon = new FakeDaemon(socket, c -> {
            c.hello();
            c.readHeader();
            c.out(greeting);
            c.done(0);
            c.readStdinUntil(request.length);
            c.out(answer);
            c.done(request.length);
            c.readFrame();
            if (!c.ended()) {
                throw new AssertionError("more than one request");
            }
            c.exit(0);
        });

        RelayProcess relayed = start(List.of("--cargo-plugin"), Map.of(), null);
        assertArrayEquals(greeting, relayed.awaitStdout(greeting.length));
        relayed.write(request);
        assertArrayEquals(concat(greeting, answer), relayed.awaitStdout(greeting.length + answer.length));
        Finished finished = relayed.finish();
        Conversation conversation = daemon.awaitPlayed();

        assertEquals(0, finished.status(), finished.stderrText());
        assertArrayEquals(concat(greeting, answer), finished.stdout());
        assertArrayEquals(request, conversation.stdin());
    }

    @Test
    void aSocketServedByAnotherUserIsToldNothing() throws Exception {
        Path setpriv = executable("setpriv", "to listen as the user nobody");
        Path python = Path.of("/usr/bin/python3");
        if (!Files.isExecutable(python)) {
            missing("/usr/bin/python3, to listen as the user nobody");
        }
        if (!"0".equals(run("id", "-u"))) {
            missing("root, to listen as the user nobody");
        }
        // A directory only nobody writes in, under one that nobody may pass through.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Path nobodys = Files.createDirectory(dir.resolve("nobody"));
        UserPrincipalLookupService users = nobodys.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(nobodys, users.lookupPrincipalByName("nobody"));
        Path foreign = nobodys.resolve("daemon.sock");
        String listener = """
                import socket, sys
                s = socket.socket(socket.AF_UNIX)
                s.bind(sys.argv[1])
                s.listen(1)
                print("listening", flush=True)
                c, _ = s.accept()
                c.settimeout(20)
                got = 0
                while True:
                    b = c.recv(65536)
                    if not b:
                        break
                    got += len(b)
                print(got, flush=True)
                """;
        Process nobody = new ProcessBuilder(setpriv.toString(), "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                python.toString(), "-c", listener, foreign.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader said = new BufferedReader(new InputStreamReader(nobody.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("listening", said.readLine());
            Path input = stdinFile("a request\n");

            RelayProcess relayed = start(ARGS, Map.of(), input, true, foreign);
            Finished finished = relayed.finish();

            assertEquals("0", said.readLine(), "bytes the relay sent to another user's socket");
            assertServedHere(relayed, finished, "");
            List<String> argv = fallbackArgv();
            assertTrue(argv.get(0).startsWith("--handback=the daemon's socket is served by another user"), argv.get(0));
            assertTrue(finished.stderrText().startsWith("latchkey: serving in this process instead of the daemon: the daemon's socket "
                    + "is served by another user"), "the user is told: " + finished.stderrText());
            assertEquals(ARGS, argv.subList(1, argv.size()));
            assertEquals(input.toString(), fallbackStdinSource());
        } finally {
            nobody.destroyForcibly();
        }
    }

    // ---- helpers ----

    private RelayProcess start(List<String> args, Map<String, String> env, Path stdin) throws IOException {
        return start(args, env, stdin, true);
    }

    private RelayProcess start(List<String> args, Map<String, String> env, Path stdin, boolean stdoutRead) throws IOException {
        return start(args, env, stdin, stdoutRead, socket);
    }

    /** Starts the relay in {@code dir} with only PATH and {@code env}; stdin from a file, or a pipe the test writes. */
    private RelayProcess start(List<String> args, Map<String, String> env, Path stdin, boolean stdoutRead, Path socketPath)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(relay.toString());
        command.add(socketPath.toString());
        command.add(Integer.toString(args.size()));
        command.addAll(args);
        command.add(fallback.toString());
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/bin:/bin");
        builder.environment().putAll(env);
        if (stdin != null) {
            builder.redirectInput(stdin.toFile());
        }
        RelayProcess process = new RelayProcess(builder, stdoutRead);
        started.add(process);
        return process;
    }

    /** The program ran in the relay's process (exec keeps the pid) and its output followed the daemon's. */
    private void assertServedHere(RelayProcess relayed, Finished finished, String daemonOutput) throws IOException {
        assertEquals(FALLBACK_STATUS, finished.status(), finished.stderrText());
        assertEquals(daemonOutput + FALLBACK_OUT, finished.stdoutText());
        assertEquals(Long.toString(relayed.pid()), Files.readString(dir.resolve("fallback.pid")).strip());
    }

    private List<String> fallbackArgv() throws IOException {
        String argv = Files.readString(dir.resolve("fallback.argv"));
        return argv.isEmpty() ? List.of() : Arrays.asList(argv.substring(0, argv.length() - 1).split("\0", -1));
    }

    private byte[] fallbackStdin() throws IOException {
        return Files.readAllBytes(dir.resolve("fallback.stdin"));
    }

    private String fallbackStdinSource() throws IOException {
        return Files.readString(dir.resolve("fallback.stdin-source")).strip();
    }

    private static List<String> withArgs(String... options) {
        List<String> argv = new ArrayList<>(List.of(options));
        argv.addAll(ARGS);
        return argv;
    }

    private Path stdinFile(String content) throws IOException {
        return Files.writeString(dir.resolve("stdin"), content);
    }

    /** NUL bytes, every byte value, and a line longer than a frame line may be. */
    private static byte[] binaryInput() {
        byte[] input = new byte[200_000];
        for (int i = 0; i < 60_000; i++) {
            input[i] = (byte) i;
        }
        Arrays.fill(input, 60_000, 140_000, (byte) 'x');
        Arrays.fill(input, 140_000, 150_000, (byte) 0);
        input[input.length - 1] = '\n';
        return input;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        process.waitFor();
        return output;
    }

    private static Path executable(String name, String forWhat) {
        for (String path : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!path.isEmpty() && Files.isExecutable(Path.of(path, name))) {
                return Path.of(path, name);
            }
        }
        return missing("`" + name + "` on PATH, " + forWhat);
    }

    /** A real component this test needs: under CI its absence fails the test; elsewhere the test is not run, and says why. */
    private static <T> T missing(String what) {
        String message = "a real component is missing: " + what;
        if ("true".equalsIgnoreCase(System.getProperty("latchkey.ci")) || "true".equalsIgnoreCase(System.getenv("CI"))) {
            return fail("CI=true and " + message);
        }
        System.err.println("NOT RUN: " + message);
        return Assumptions.abort("NOT RUN: " + message);
    }
}
