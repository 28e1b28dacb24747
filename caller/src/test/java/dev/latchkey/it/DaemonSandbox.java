package dev.latchkey.it;

import dev.latchkey.client.LatchkeyClient;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A private world for one test of the daemon: its own home, XDG directories, socket and config in
 * a temporary directory, and the real {@code latchkey.jar} run in it as separate processes.
 * {@link #close()} kills every process it started, detached daemons included, and removes it all.
 *
 * <p>A test class has one for each test by holding it as an extension,
 * {@code @RegisterExtension final DaemonSandbox sandbox = DaemonSandbox.perTest();}: JUnit makes the
 * class anew for every test, and closes the sandbox after the test's own {@code @AfterEach}.
 */
final class DaemonSandbox implements AutoCloseable, AfterEachCallback {
    static final Path JAR = Path.of(System.getProperty("latchkey.jar", "daemon/target/latchkey.jar")).toAbsolutePath();
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    final Path root;
    final Path home;
    final Path runtime;
    final Path socket;
    final Path data;
    final Path state;
    final Path configDir;
    final Path cargoHome;
    private final Map<String, String> env = new HashMap<>();
    private final List<Process> processes = new ArrayList<>();

    /** What a finished command did. */
    record Result(int exit, String stdout, String stderr) {
    }

    DaemonSandbox() throws IOException {
        Assertions.assertTrue(Files.isRegularFile(JAR), "the jar is built by `package` before the ITs run: " + JAR);
        // Short: a Unix socket path has room for about 100 bytes.
        root = Files.createTempDirectory(Path.of("/tmp"), "lk").toRealPath();
        home = Files.createDirectory(root.resolve("home"));
        runtime = Files.createDirectory(root.resolve("run"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        socket = runtime.resolve("latchkey").resolve("daemon.sock");
        data = root.resolve("data");
        state = root.resolve("state");
        configDir = root.resolve("config");
        cargoHome = root.resolve("cargo");
        System.getenv().forEach((name, value) -> {
            boolean ours = name.startsWith("LATCHKEY_") || name.startsWith("XDG_") || name.startsWith("CARGO_REGISTR")
                    || name.equals("CARGO_HOME") || name.startsWith("LISTEN_");
            if (!ours) {
                env.put(name, value);
            }
        });
        // HOME stays: Java takes its home from -Duser.home below, and cargo's rustup proxy finds its toolchains through HOME.
        env.put("XDG_RUNTIME_DIR", runtime.toString());
        env.put("XDG_DATA_HOME", data.toString());
        env.put("XDG_STATE_HOME", state.toString());
        env.put("XDG_CONFIG_HOME", configDir.toString());
        env.put("XDG_CACHE_HOME", root.resolve("cache").toString());
        env.put("CARGO_HOME", cargoHome.toString());
        // A provider that finds no daemon starts one for the next request; a test wants no daemon it did not start.
        env.put("LATCHKEY_AUTOSTART", "0");
        writeLauncher();
    }

    /** A sandbox for the test whose instance is being made, closed after it (see the class comment). */
    static DaemonSandbox perTest() {
        try {
            return new DaemonSandbox();
        } catch (IOException e) {
            throw new UncheckedIOException("could not make a sandbox in /tmp", e);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        close();
    }

    /** Writes latchkey's config file. */
    DaemonSandbox config(String toml) throws IOException {
        Files.createDirectories(configDir.resolve("latchkey"));
        Files.writeString(configDir.resolve("latchkey").resolve("config.toml"), toml);
        return this;
    }

    Map<String, String> env() {
        return env;
    }

    Path tokenFile() {
        return data.resolve("latchkey").resolve("tokens.toml");
    }

    Path daemonLog() {
        return state.resolve("latchkey").resolve("daemon.log");
    }

    /** {@code java -jar latchkey.jar ARGS}, with a home directory of its own (Java takes it from the user database, not $HOME). */
    List<String> latchkey(String... args) {
        return latchkey(List.of(), args);
    }

    /** {@code java JVM-OPTIONS -jar latchkey.jar ARGS}. */
    List<String> latchkey(List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>(List.of(JAVA, "-Duser.home=" + home));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", JAR.toString()));
        command.addAll(Arrays.asList(args));
        return command;
    }

    /** A process builder with this sandbox's environment; output goes to files, so no pipe can fill up. */
    ProcessBuilder builder(List<String> command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        Path out = Files.createTempFile(root, "out", ".txt");
        Path err = Files.createTempFile(root, "err", ".txt");
        return builder.redirectOutput(out.toFile()).redirectError(err.toFile());
    }

    /** Runs latchkey with {@code stdin} to its end (60 s at most). */
    Result run(String stdin, String... args) throws IOException, InterruptedException {
        return run(stdin, latchkey(args));
    }

    Result run(String stdin, List<String> command) throws IOException, InterruptedException {
        return run(stdin, command, root);
    }

    /** Runs {@code command} in {@code directory} with {@code stdin} to its end (60 s at most). */
    Result run(String stdin, List<String> command, Path directory) throws IOException, InterruptedException {
        ProcessBuilder builder = builder(command).directory(directory.toFile());
        Path input = Files.createTempFile(root, "in", ".txt");
        Files.writeString(input, stdin == null ? "" : stdin);
        Process process = track(builder.redirectInput(input.toFile()).start());
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            Assertions.fail("`" + String.join(" ", command) + "` did not finish within 60 s");
        }
        return new Result(process.exitValue(), Files.readString(builder.redirectOutput().file().toPath()),
                Files.readString(builder.redirectError().file().toPath()));
    }

    /** Starts a process that this sandbox will kill when closed. */
    Process start(ProcessBuilder builder) throws IOException {
        return track(builder.start());
    }

    private Process track(Process process) {
        synchronized (processes) {
            processes.add(process);
        }
        return process;
    }

    /** {@code latchkey daemon ARGS}: detaches, and returns once the daemon answers. */
    ProcessHandle startDaemon(String... args) throws IOException, InterruptedException {
        return startDaemon(List.of(), args);
    }

    /**
     * {@code java JVM-OPTIONS -jar latchkey.jar daemon ARGS}: detaches (the detached daemon keeps
     * those options), and returns once the daemon answers.
     */
    ProcessHandle startDaemon(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("daemon"));
        all.addAll(Arrays.asList(args));
        List<String> command = latchkey(jvmOptions, all.toArray(String[]::new));
        Result started = run(null, command);
        Assertions.assertEquals(0, started.exit(), "latchkey daemon failed: " + started.stderr());
        Assertions.assertEquals("", started.stdout(), "a detaching daemon prints nothing on stdout");
        List<ProcessHandle> daemons = daemons();
        Assertions.assertEquals(1, daemons.size(), "one daemon runs for the socket: " + daemons);
        return daemons.get(0);
    }

    /**
     * The JVM options the launcher ({@code scripts/latchkey}) runs the daemon with, read from its
     * {@code daemon_flags}: a test whose figures are about the daemon users run starts it with them.
     */
    static List<String> launcherDaemonFlags() throws IOException {
        Path script = Path.of(System.getProperty("latchkey.root", ".")).resolve("scripts").resolve("latchkey");
        String prefix = "daemon_flags=\"";
        String line = Files.readAllLines(script).stream().filter(l -> l.startsWith(prefix) && l.endsWith("\""))
                .findFirst().orElseThrow(() -> new AssertionError("no daemon_flags=\"...\" line in " + script));
        return List.of(line.substring(prefix.length(), line.length() - 1).split(" +"));
    }

    /** The daemon processes serving this sandbox's socket. */
    List<ProcessHandle> daemons() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(args -> List.of(args).contains("--foreground")
                        && List.of(args).contains(socket.toString())).orElse(false))
                .toList();
    }

    /** A client of this sandbox's daemon that never starts one. */
    LatchkeyClient client() {
        return LatchkeyClient.overSocket(socket).startDaemon(false).callTimeout(Duration.ofSeconds(30)).build();
    }

    /** A client that starts the daemon, through {@link #launcher()}, when it is absent. */
    LatchkeyClient startingClient() {
        return LatchkeyClient.overSocket(socket).launcher(List.of(launcher().toString())).build();
    }

    /**
     * A script that runs latchkey in this sandbox for programs that start it themselves with their
     * own environment (the client library, cargo): it sets the sandbox's variables first.
     */
    Path launcher() {
        return root.resolve("latchkey-launcher");
    }

    /** Written before any process starts: a script still open for writing in a child being spawned cannot be run. */
    private void writeLauncher() throws IOException {
        StringBuilder script = new StringBuilder("#!/bin/sh\n");
        env.forEach((name, value) -> {
            if (name.startsWith("XDG_") || name.equals("CARGO_HOME")) {
                script.append("export ").append(name).append("='").append(value).append("'\n");
            }
        });
        script.append("exec '").append(String.join("' '", latchkey())).append("' \"$@\"\n");
        Files.writeString(launcher(), script);
        launcher().toFile().setExecutable(true);
    }

    /**
     * A config whose one store is a token command that tells it has started and answers
     * {@code tok-commanded} only once {@link #releaseCommand} was called: a test acts while a
     * request is being served, however slow the machine.
     */
    String gatedCommandConfig() {
        String script = "touch '" + root.resolve("command-started") + "'; while [ ! -e '" + root.resolve("command-released")
                + "' ]; do sleep 0.05; done; echo tok-commanded";
        return "stores = [\"command\"]\n[store.command]\nget = [\"sh\", \"-c\", \"" + script + "\"]\n";
    }

    void awaitCommandStarted() {
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(root.resolve("command-started")));
    }

    void releaseCommand() throws IOException {
        Files.createFile(root.resolve("command-released"));
    }

    String log() throws IOException {
        return Files.exists(daemonLog()) ? Files.readString(daemonLog(), StandardCharsets.UTF_8) : "";
    }

    /** Sends {@code signal} (STOP, CONT, ...) to {@code process}; after STOP, returns once every thread has stopped. */
    static void signal(String signal, ProcessHandle process) throws Exception {
        Assertions.assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor());
        if (signal.equals("STOP")) {
            // kill returns before every thread has stopped: wait until the kernel says they all have.
            await().atMost(Duration.ofSeconds(10)).until(() -> allThreadsStopped(process));
        }
    }

    private static boolean allThreadsStopped(ProcessHandle process) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
            for (Path task : tasks.toList()) {
                if (state(task.resolve("stat")) != 'T') {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Whether the process has exited: it is gone, or it is a zombie, which its parent has not
     * reaped yet (Java still counts one alive).
     */
    static boolean exited(long pid) throws IOException {
        Optional<Character> state = state(pid);
        return state.isEmpty() || state.get() == 'Z';
    }

    /** The state of a process (R, S, T, Z, ...), from /proc; empty once it is gone. */
    static Optional<Character> state(long pid) throws IOException {
        try {
            return Optional.of(state(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** The letter after the name, in parentheses, in a /proc stat file. */
    private static char state(Path stat) throws IOException {
        String line = Files.readString(stat);
        return line.charAt(line.lastIndexOf(')') + 2);
    }

    @Override
    public void close() throws IOException {
        List<ProcessHandle> leftovers = new ArrayList<>(daemons());
        synchronized (processes) {
            processes.forEach(p -> leftovers.add(p.toHandle()));
        }
        ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(args -> String.join(" ", args).contains(root.toString())).orElse(false))
                .forEach(leftovers::add);
        for (ProcessHandle process : leftovers) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> leftovers.stream().noneMatch(ProcessHandle::isAlive));
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
