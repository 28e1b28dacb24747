package dev.latchkey.bench;

import dev.latchkey.it.TestRegistry;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Whole cargo commands with each credential provider (scripts/bench cargo): {@code cargo
 * generate-lockfile}, {@code cargo fetch} and {@code cargo publish --no-verify} of a small crate
 * that depends on one crate from an authenticated registry on 127.0.0.1 (the test suite's
 * {@link TestRegistry}), with cargo's built-in {@code cargo:token} (the token in
 * {@code $CARGO_HOME/credentials.toml}), {@code cargo:token-from-stdout} running {@code cat FILE},
 * and latchkey with its daemon running and without one. Every subject (a command with a provider)
 * runs once per round, in turns that rotate from round to round; the table gives each one's median,
 * its 10th to 90th percentile, and its ratio to the same command with {@code cargo:token}.
 *
 * <p>Each run must ask its provider: the registry's cache in CARGO_HOME (and, for
 * generate-lockfile, Cargo.lock) is removed before it, and each publish is of a new version. Each
 * run is checked: cargo succeeded, the registry received the token with the requests the command
 * makes, and latchkey's audit log says who served the token (the daemon, through the relay, or
 * latchkey's own process; nobody for cargo's built-ins).
 */
public final class CargoBench {
    private static final String REGISTRY = "bench";
    private static final String DEPENDENCY = "latchkey-bench-dep";
    private static final String DEPENDENCY_VERSION = "0.1.0";
    private static final String CRATE = "latchkey-bench-app";

    /** Who must have served the token, by latchkey's audit log. */
    private enum Served { NOT_LATCHKEY, BY_THE_DAEMON, IN_ITS_OWN_PROCESS }

    /** A credential provider as cargo's config names it, the CARGO_HOME that config is in, and environment of its own. */
    private record Provider(String name, Path cargoHome, Map<String, String> env, Served served) {
    }

    private enum Command {
        GENERATE_LOCKFILE("cargo generate-lockfile (Cargo.lock and the registry cache removed first)"),
        FETCH("cargo fetch (the registry cache removed first)"),
        PUBLISH("cargo publish --no-verify (a new version each time)");

        final String title;

        Command(String title) {
            this.title = title;
        }
    }

    /** One command with one provider, in a crate directory of its own. */
    private record Subject(Command command, Provider provider, Path crate) {
    }

    private final BenchSandbox sandbox;
    private final TestRegistry registry;
    private final Path cargo;
    private final Path relay;
    private final Path auditLog;
    private int published;

    private CargoBench(BenchSandbox sandbox, TestRegistry registry, Path cargo) throws IOException {
        this.sandbox = sandbox;
        this.registry = registry;
        this.cargo = cargo;
        Path relayFile = sandbox.repository.resolve("caller/target/latchkey-relay");
        if (!Files.isExecutable(relayFile)) {
            throw new IllegalStateException(relayFile + " is missing (built without a C compiler?): "
                    + "with a daemon running, latchkey would start a JVM for every request");
        }
        this.relay = relayFile.toRealPath();
        this.auditLog = Path.of(sandbox.env().get("XDG_STATE_HOME"), "latchkey", "audit.log");
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int warmup = 2;
        String java = BenchSandbox.java();
        Path cargo = cargo();
        String machine = ProcessBench.machine(java);
        // The JDK's HTTP server writes a response's headers and body apart; without TCP_NODELAY, Nagle's
        // algorithm holds the body until the client's delayed ACK, some 40 ms a request, which would pad every
        // row alike and bring every ratio toward 1. Read once, when the first server starts.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        try (BenchSandbox sandbox = BenchSandbox.create(); TestRegistry registry = TestRegistry.start(BenchSandbox.TOKEN)) {
            // cargo runs rustc from its own toolchain, never the proxy
            sandbox.env().put("PATH", cargo.getParent() + File.pathSeparator + sandbox.env().getOrDefault("PATH", ""));
            CargoBench bench = new CargoBench(sandbox, registry, cargo);
            List<Subject> subjects = bench.subjects();

            // Each once first, checked: the fetches write their Cargo.lock, the launcher makes its class-data archive.
            for (Subject subject : subjects) {
                bench.runChecked(subject);
            }
            List<ProcessBench.Timings> timings = bench.measure(subjects, rounds, warmup);

            System.out.println(machine);
            System.out.println(bench.version());
            System.out.println("registry: the test suite's TestRegistry on 127.0.0.1 (sparse, auth-required), TCP_NODELAY;"
                    + " one dependency, " + DEPENDENCY + " " + DEPENDENCY_VERSION);
            System.out.println();
            System.out.println(rounds + " alternating rounds (after " + warmup + " discarded) of every command with every provider;"
                    + " each run checked:");
            bench.print(subjects, timings, rounds);
            System.out.println();
            System.out.println("load average after: " + ProcessBench.loadAverage());
        }
    }

    /**
     * The cargo to time: the toolchain's own when cargo on PATH is rustup's proxy, which would add
     * its own start to every row alike and so bring every ratio closer to 1; else cargo on PATH.
     */
    private static Path cargo() throws IOException, InterruptedException {
        Path onPath = BenchSandbox.onPath("cargo");
        if (onPath == null) {
            throw new IllegalStateException("cargo is not on PATH: it is what this benchmark runs (cargo 1.74 or newer)");
        }
        if (!onPath.toRealPath().getFileName().toString().startsWith("rustup")) {
            return onPath;
        }
        Process which = new ProcessBuilder(onPath.toRealPath().toString(), "which", "cargo").redirectErrorStream(true).start();
        String path = new String(which.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (which.waitFor() != 0 || !Files.isExecutable(Path.of(path))) {
            throw new IllegalStateException("rustup which cargo did not name a cargo: " + path);
        }
        return Path.of(path);
    }

    private String version() throws IOException, InterruptedException {
        BenchSandbox.Run run = sandbox.run(List.of(cargo.toString(), "--version"), "");
        return run.stdout().trim() + (cargo.equals(BenchSandbox.onPath("cargo")) ? "" : " (the toolchain's own binary, not rustup's proxy)");
    }

    /**
     * The providers' CARGO_HOMEs and the crates; the dependency published, latchkey's token stored
     * and its daemon started. Both latchkey rows use the daemon's own CARGO_HOME (a caller whose
     * files are elsewhere is served in its own process); the rows without a daemon name a socket
     * that is not there, so that their launcher and program find no daemon, as when none runs.
     */
    private List<Subject> subjects() throws IOException, InterruptedException {
        Path root = sandbox.root;
        // cargo also reads .cargo/config.toml in every directory above the one it runs in, and /tmp is everyone's
        for (Path dir = root.getParent(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve(".cargo"))) {
                throw new IllegalStateException("cargo would read " + dir.resolve(".cargo")
                        + ", which this benchmark does not control: remove it");
            }
        }
        Files.createDirectories(root.resolve("no-crates-io"));
        Path tokenFile = secret(root.resolve("token.txt"), BenchSandbox.TOKEN + "\n");

        Path tokenHome = cargoHome(root.resolve("cargo-token"), "[\"cargo:token\"]");
        secret(tokenHome.resolve("credentials.toml"), "[registries." + REGISTRY + "]\ntoken = " + literal(BenchSandbox.TOKEN) + "\n");
        Path stdoutHome = cargoHome(root.resolve("cargo-token-from-stdout"),
                "[\"cargo:token-from-stdout\", \"cat\", " + literal(tokenFile.toString()) + "]");
        Path latchkeyHome = cargoHome(Path.of(sandbox.env().get("CARGO_HOME")), "[" + literal(sandbox.launcher.toString()) + "]");

        Path dependency = writeCrate(root.resolve("crates/dependency"), DEPENDENCY, DEPENDENCY_VERSION, "",
                "pub fn answer() -> u32 {\n    42\n}\n");
        BenchSandbox.Run publish = sandbox.run(List.of(cargo.toString(), "publish", "--no-verify", "--registry", REGISTRY,
                "--manifest-path", dependency.resolve("Cargo.toml").toString()), "", Map.of("CARGO_HOME", tokenHome.toString()));
        if (publish.status() != 0) {
            throw new IllegalStateException("could not publish the dependency to the test registry: " + publish.stderr());
        }
        BenchSandbox.Run stored = sandbox.run(List.of(sandbox.launcher.toString(), "--no-daemon", "store", registry.indexUrl()),
                BenchSandbox.TOKEN + "\n");
        if (stored.status() != 0) {
            throw new IllegalStateException("could not store the registry's token in latchkey: " + stored.stderr());
        }
        sandbox.startDaemon();

        List<Provider> providers = List.of(
                new Provider("cargo:token (credentials.toml)", tokenHome, Map.of("CARGO_HOME", tokenHome.toString()),
                        Served.NOT_LATCHKEY),
                new Provider("cargo:token-from-stdout cat FILE", stdoutHome, Map.of("CARGO_HOME", stdoutHome.toString()),
                        Served.NOT_LATCHKEY),
                new Provider("latchkey, daemon running (the relay)", latchkeyHome, Map.of(), Served.BY_THE_DAEMON),
                new Provider("latchkey, no daemon (its own JVM)", latchkeyHome,
                        Map.of("LATCHKEY_SOCKET", root.resolve("run/no-daemon/daemon.sock").toString()), Served.IN_ITS_OWN_PROCESS));
        List<Subject> subjects = new ArrayList<>();
        for (Command command : Command.values()) {
            for (int p = 0; p < providers.size(); p++) {
                Path crate = writeCrate(root.resolve("crates/" + command.name().toLowerCase(Locale.ROOT) + "-" + p), CRATE, "0.1.0",
                        DEPENDENCY + " = { version = \"" + DEPENDENCY_VERSION + "\", registry = \"" + REGISTRY + "\" }\n",
                        "pub use latchkey_bench_dep::answer;\n");
                subjects.add(new Subject(command, providers.get(p), crate));
            }
        }
        return subjects;
    }

    /** A CARGO_HOME whose config has the registry with {@code provider}, and crates.io replaced by an empty directory. */
    private Path cargoHome(Path home, String provider) throws IOException {
        Files.createDirectories(home);
        Files.writeString(home.resolve("config.toml"), "[registries." + REGISTRY + "]\n"
                + "index = " + literal(registry.indexUrl()) + "\n"
                + "credential-provider = " + provider + "\n\n"
                + "[source.crates-io]\nreplace-with = \"no-crates-io\"\n\n"
                + "[source.no-crates-io]\ndirectory = " + literal(sandbox.root.resolve("no-crates-io").toString()) + "\n");
        return home;
    }

    private static Path writeCrate(Path dir, String name, String version, String dependencies, String lib) throws IOException {
        Files.createDirectories(dir.resolve("src"));
        writeManifest(dir, name, version, dependencies);
        Files.writeString(dir.resolve("src/lib.rs"), lib);
        return dir;
    }

    /** A manifest complete enough that publishing draws no warning, publishable to the test registry only. */
    private static void writeManifest(Path dir, String name, String version, String dependencies) throws IOException {
        Files.writeString(dir.resolve("Cargo.toml"), """
                [package]
                name = "%s"
                version = "%s"
                edition = "2021"
                description = "A crate latchkey's scripts/bench publishes"
                license = "MIT"
                repository = "https://example.invalid/latchkey-bench"
                publish = ["%s"]

                [dependencies]
                %s
                [workspace]
                """.formatted(name, version, REGISTRY, dependencies));
    }

    /** A TOML literal string; the sandbox's paths and the checkout's path are the values. */
    private static String literal(String value) {
        if (value.contains("'") || value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalStateException("cannot write " + value + " into cargo's config as it is: move it to a plainer path");
        }
        return "'" + value + "'";
    }

    /** A file only its owner can read, whatever the umask. */
    private static Path secret(Path file, String content) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content);
        return file;
    }

    /** Every subject once per round, in turns that rotate, as ProcessBench does. */
    private List<ProcessBench.Timings> measure(List<Subject> subjects, int rounds, int warmup) throws Exception {
        long[][] nanos = new long[subjects.size()][rounds];
        long[] ticks = new long[subjects.size()];
        for (int round = -warmup; round < rounds; round++) {
            for (int k = 0; k < subjects.size(); k++) {
                int i = Math.floorMod(k + round, subjects.size());
                long before = ProcessBench.childCpuTicks();
                BenchSandbox.Run run = runChecked(subjects.get(i));
                long used = ProcessBench.childCpuTicks() - before;
                if (round >= 0) {
                    nanos[i][round] = run.nanos();
                    ticks[i] += used;
                }
            }
        }
        List<ProcessBench.Timings> timings = new ArrayList<>();
        for (int i = 0; i < subjects.size(); i++) {
            timings.add(new ProcessBench.Timings(nanos[i], ticks[i]));
        }
        return timings;
    }

    /** Prepares one run (untimed), runs it, and checks what it did. */
    private BenchSandbox.Run runChecked(Subject subject) throws IOException, InterruptedException {
        Path home = subject.provider().cargoHome();
        List<String> command = new ArrayList<>(List.of(cargo.toString()));
        String version = null;
        switch (subject.command()) {
            case GENERATE_LOCKFILE -> {
                Files.deleteIfExists(subject.crate().resolve("Cargo.lock"));
                removeTree(home.resolve("registry"));
                command.add("generate-lockfile");
            }
            case FETCH -> {
                removeTree(home.resolve("registry"));
                command.add("fetch");
            }
            case PUBLISH -> {
                version = "0.1." + ++published;
                writeManifest(subject.crate(), CRATE, version,
                        DEPENDENCY + " = { version = \"" + DEPENDENCY_VERSION + "\", registry = \"" + REGISTRY + "\" }\n");
                command.addAll(List.of("publish", "--no-verify", "--registry", REGISTRY));
            }
        }
        command.addAll(List.of("--manifest-path", subject.crate().resolve("Cargo.toml").toString()));
        int requests = registry.requests().size();
        int audited = auditLines().size();

        BenchSandbox.Run run = sandbox.run(command, "", subject.provider().env());

        String what = subject.command().name().toLowerCase(Locale.ROOT) + " with " + subject.provider().name();
        if (run.status() != 0) {
            throw new IllegalStateException(what + " failed (exit " + run.status() + "):\n" + run.stderr());
        }
        try {
            List<TestRegistry.Seen> seen = registry.requestsSince(requests);
            switch (subject.command()) {
                case GENERATE_LOCKFILE -> {
                    TestRegistry.assertTokenSent(seen, "GET /index/" + TestRegistry.indexPathOf(DEPENDENCY));
                    String lock = Files.readString(subject.crate().resolve("Cargo.lock"));
                    if (!lock.contains("name = \"" + DEPENDENCY + "\"") || !lock.contains(registry.indexUrl())) {
                        throw new IllegalStateException("Cargo.lock does not pin " + DEPENDENCY + " to the registry:\n" + lock);
                    }
                }
                case FETCH -> {
                    TestRegistry.assertTokenSent(seen, "GET /dl/" + DEPENDENCY + "/" + DEPENDENCY_VERSION + "/download");
                    if (!hasFile(home.resolve("registry/cache"), DEPENDENCY + "-" + DEPENDENCY_VERSION + ".crate")) {
                        throw new IllegalStateException("cargo fetch left no " + DEPENDENCY + " .crate in " + home.resolve("registry/cache"));
                    }
                }
                case PUBLISH -> {
                    TestRegistry.assertTokenSent(seen, "PUT /api/v1/crates/new");
                    registry.crateFile(CRATE, version); // throws unless the registry holds it
                }
            }
        } catch (AssertionError | RuntimeException e) {
            throw new IllegalStateException(what + ": " + e.getMessage() + "\ncargo's stderr:\n" + run.stderr(), e);
        }
        List<String> audit = auditLines();
        checkServed(what, subject.provider().served(), audit.subList(audited, audit.size()));
        return run;
    }

    /** latchkey's audit lines for the run's gets name the relay as their caller when the daemon served them, else not. */
    private void checkServed(String what, Served served, List<String> lines) {
        List<String> gets = lines.stream().filter(line -> line.contains("\"kind\":\"get\"")).toList();
        boolean byRelay = !gets.isEmpty() && gets.stream().allMatch(line -> line.contains("\"exe\":\"" + relay + "\""));
        boolean ok = switch (served) {
            case NOT_LATCHKEY -> gets.isEmpty();
            case BY_THE_DAEMON -> byRelay;
            case IN_ITS_OWN_PROCESS -> !gets.isEmpty() && gets.stream().noneMatch(line -> line.contains("\"exe\":\"" + relay + "\""));
        };
        if (!ok) {
            throw new IllegalStateException(what + ": latchkey's audit log does not show the token served "
                    + served.name().toLowerCase(Locale.ROOT).replace('_', ' ') + ":\n" + String.join("\n", lines));
        }
    }

    private List<String> auditLines() throws IOException {
        return Files.exists(auditLog) ? Files.readAllLines(auditLog) : List.of();
    }

    private static boolean hasFile(Path dir, String name) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> found = Files.find(dir, 3, (path, attributes) -> path.getFileName().toString().equals(name))) {
            return found.findAny().isPresent();
        }
    }

    private static void removeTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path path : paths) {
            Files.delete(path);
        }
    }

    /** One table per command; each row's ratios are over the same command with cargo:token. */
    private void print(List<Subject> subjects, List<ProcessBench.Timings> timings, int rounds) {
        List<String> targets = new ArrayList<>();
        for (Command command : Command.values()) {
            int first = -1;
            for (int i = 0; i < subjects.size(); i++) {
                if (subjects.get(i).command() == command && first < 0) {
                    first = i;
                }
            }
            double base = ProcessBench.median(timings.get(first).nanos());
            double baseCpu = ProcessBench.cpuPerRun(timings.get(first), rounds);
            System.out.println();
            System.out.println(command.title);
            System.out.printf(Locale.ROOT, "  %-42s %9s %19s %9s %10s %9s%n", "provider", "median", "p10 .. p90", "vs token",
                    "cpu/run", "vs token");
            for (int i = first; i < subjects.size() && subjects.get(i).command() == command; i++) {
                long[] t = timings.get(i).nanos();
                double cpu = ProcessBench.cpuPerRun(timings.get(i), rounds);
                System.out.printf(Locale.ROOT, "  %-42s %6.1f ms %7.1f .. %6.1f ms %8.2fx %7.1f ms %8.2fx%n",
                        subjects.get(i).provider().name(), ProcessBench.median(t), ProcessBench.percentile(t, 10),
                        ProcessBench.percentile(t, 90), ProcessBench.median(t) / base, cpu, cpu / baseCpu);
                if (subjects.get(i).provider().served() == Served.BY_THE_DAEMON) {
                    targets.add(String.format(Locale.ROOT, "%s %.2fx", command.name().toLowerCase(Locale.ROOT).replace('_', '-'),
                            ProcessBench.median(t) / base));
                }
            }
        }
        System.out.println();
        System.out.println("(vs token: over the same command with cargo:token; cpu/run: user+system time of cargo and the"
                + " processes it waited for, summed over the rounds; the daemon's share is not in it)");
        System.out.println("target: with a daemon running, each command at most 1.10x the same with cargo:token; measured: "
                + String.join(", ", targets));
    }
}
