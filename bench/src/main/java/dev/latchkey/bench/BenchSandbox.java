package dev.latchkey.bench;

import dev.latchkey.client.LatchkeyClient;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private home for benchmark runs: its own XDG directories, socket and token file in a
 * temporary directory, and the checkout's {@code scripts/latchkey} run in it. Nothing of the
 * machine's latchkey, cargo or keyring setup is seen (the session bus is left out, so the keychain
 * store is unusable and the lookup goes on to the file store, as on a headless machine).
 */
final class BenchSandbox implements AutoCloseable {
    /** The registry every benchmark asks for; its token lives in the sandbox's file store. */
    static final String INDEX_URL = "sparse+https://bench.invalid/index/";
    static final String TOKEN = "bench-token-0123456789abcdef";

    final Path repository;
    final Path root;
    final Path launcher;
    final Path socket;
    private final Map<String, String> env = new HashMap<>();

    private BenchSandbox(Path repository) throws IOException {
        this.repository = repository;
        this.launcher = repository.resolve("scripts/latchkey");
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException(launcher + " is not there: set LATCHKEY_BENCH_ROOT to the checkout");
        }
        // Short: a Unix socket path has room for about 100 bytes.
        this.root = Files.createTempDirectory(Path.of("/tmp"), "lkb").toRealPath();
        Path runtime = Files.createDirectory(root.resolve("run"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        this.socket = runtime.resolve("latchkey/daemon.sock");
        System.getenv().forEach((name, value) -> {
            boolean ours = name.startsWith("LATCHKEY_") || name.startsWith("XDG_") || name.startsWith("CARGO")
                    || name.startsWith("DBUS_") || name.startsWith("LISTEN_") || name.startsWith("GIT_");
            if (!ours) {
                env.put(name, value);
            }
        });
        env.put("HOME", Files.createDirectory(root.resolve("home")).toString());
        env.put("XDG_RUNTIME_DIR", runtime.toString());
        env.put("XDG_DATA_HOME", root.resolve("data").toString());
        env.put("XDG_CONFIG_HOME", root.resolve("config").toString());
        env.put("XDG_STATE_HOME", root.resolve("state").toString());
        env.put("XDG_CACHE_HOME", root.resolve("cache").toString());
        env.put("CARGO_HOME", root.resolve("cargo").toString());
        // The launcher's provider starts a daemon for the next request when none runs: the rounds
        // without a daemon would be served by one after their first request.
        env.put("LATCHKEY_AUTOSTART", "0");
        // git as the benchmarks run it: no system config, and no prompt
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_TERMINAL_PROMPT", "0");
    }

    /** A sandbox for the checkout at {@code $LATCHKEY_BENCH_ROOT} (scripts/bench sets it), with the token stored. */
    static BenchSandbox create() throws IOException, InterruptedException {
        String repository = System.getenv("LATCHKEY_BENCH_ROOT");
        if (repository == null) {
            throw new IllegalStateException("LATCHKEY_BENCH_ROOT is not set: run the benchmarks through scripts/bench");
        }
        BenchSandbox sandbox = new BenchSandbox(Path.of(repository).toAbsolutePath().normalize());
        Run stored = sandbox.run(List.of(sandbox.launcher.toString(), "--no-daemon", "store", INDEX_URL), TOKEN + "\n");
        if (stored.status() != 0) {
            throw new IllegalStateException("could not store the benchmark's token: " + stored.stderr());
        }
        return sandbox;
    }

    Map<String, String> env() {
        return env;
    }

    /** A finished process: its exit status, what it printed, how long it took from start to exit. */
    record Run(int status, String stdout, String stderr, long nanos) {
    }

    /** Runs {@code command} in the sandbox with {@code stdin} from a file and its output to files. */
    Run run(List<String> command, String stdin) throws IOException, InterruptedException {
        return run(command, stdin, Map.of());
    }

    /** The same, with {@code overrides} in its environment over the sandbox's. */
    Run run(List<String> command, String stdin, Map<String, String> overrides) throws IOException, InterruptedException {
        Path in = Files.createTempFile(root, "in", ".txt");
        Path out = Files.createTempFile(root, "out", ".txt");
        Path err = Files.createTempFile(root, "err", ".txt");
        Files.writeString(in, stdin);
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile())
                .redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.environment().putAll(overrides);
        long start = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(command + " did not finish within 120 s");
        }
        long nanos = System.nanoTime() - start;
        Run run = new Run(process.exitValue(), Files.readString(out), Files.readString(err), nanos);
        Files.delete(in);
        Files.delete(out);
        Files.delete(err);
        return run;
    }

    /** {@code latchkey daemon}: detaches, and returns once the daemon answers. */
    void startDaemon() throws IOException, InterruptedException {
        Run started = run(List.of(launcher.toString(), "daemon"), "");
        if (started.status() != 0) {
            throw new IllegalStateException("latchkey daemon did not start: " + started.stderr());
        }
    }

    void stopDaemon() throws IOException, InterruptedException {
        run(List.of(launcher.toString(), "daemon", "stop"), "");
    }

    /** A client of the sandbox's daemon that never starts one. */
    LatchkeyClient client() {
        return clientOf(socket);
    }

    /** A client of the server on {@code socket} that never starts a daemon. */
    static LatchkeyClient clientOf(Path socket) {
        return LatchkeyClient.overSocket(socket).startDaemon(false).callTimeout(Duration.ofSeconds(30)).build();
    }

    /** The java that scripts/latchkey runs: $JAVA_HOME's, else the first on PATH. */
    static String java() {
        String home = System.getenv("JAVA_HOME");
        if (home != null && !home.isEmpty()) {
            return Path.of(home, "bin", "java").toString();
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "java");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException("no java on PATH");
    }

    /** The first executable called {@code name} on PATH, or null. */
    static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        stopDaemon();
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(paths::add);
        }
        for (Path path : paths) {
            Files.deleteIfExists(path);
        }
    }
}
