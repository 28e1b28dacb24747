package dev.latchkey.bench;

import dev.latchkey.client.LatchkeyClient;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Response;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The process-level comparison (scripts/bench): every subject is a process cargo (or git) would
 * start for one credential request, run with the request on stdin until it exits, timed from
 * start to exit. Subjects take turns, round after round, so that a change in the machine's load
 * falls on all of them alike; the table gives each one's median, its spread (10th to 90th
 * percentile) and its ratio to the JVM floor. Every answer is checked, so nothing is timed that
 * failed.
 *
 * <p>Then whole {@code git clone}s over HTTP from a server on 127.0.0.1 that asks for a password,
 * with latchkey as git's helper and with git's own {@code store} helper, in alternating rounds too.
 *
 * <p>Then the daemon: how long {@code latchkey daemon} takes to answer on its socket, and its
 * resident memory before and after 100,000 requests through the client library.
 */
public final class ProcessBench {
    /** One credential request: cargo's line, or git's. */
    record Subject(String name, List<String> command, String stdin, String expect, Path scratch) {
        /** A request, which leaves nothing behind. */
        Subject(String name, List<String> command, String stdin, String expect) {
            this(name, command, stdin, expect, null);
        }
    }

    static final String CARGO_GET = "{\"v\":1,\"registry\":{\"index-url\":\"" + BenchSandbox.INDEX_URL
            + "\",\"name\":\"bench\"},\"kind\":\"get\",\"operation\":\"read\"}\n";
    static final String CARGO_ANSWER = "{\"v\":[1]}\n{\"Ok\":{\"kind\":\"get\",\"token\":\"" + BenchSandbox.TOKEN
            + "\",\"cache\":\"session\",\"operation_independent\":true}}\n";

    /**
     * The floor: a JVM that does what the provider must, and nothing else. The benchmark writes and
     * compiles it itself, and runs it with the same java as latchkey.
     */
    private static final String FLOOR = """
            import java.io.*;

            public class Floor {
                public static void main(String[] args) throws IOException {
                    OutputStream out = new FileOutputStream(FileDescriptor.out);
                    out.write("{\\"v\\":[1]}\\n".getBytes());
                    out.flush();
                    InputStream in = new FileInputStream(FileDescriptor.in);
                    while (true) {
                        int b = in.read();
                        if (b < 0 || b == '\\n') {
                            break;
                        }
                    }
                    out.write("{\\"Ok\\":{\\"kind\\":\\"get\\",\\"token\\":\\"%s\\",\\"cache\\":\\"session\\",\\"operation_independent\\":true}}\\n".getBytes());
                    out.flush();
                }
            }
            """.formatted(BenchSandbox.TOKEN);

    /** The registries the other clients' gets ask about. */
    private static final String OCI_REGISTRY = "bench.invalid:5000";
    private static final String NPM_REGISTRY = "https://bench.invalid/npm/";
    /** What git asks its helper before fetching from https://bench.invalid/. */
    private static final String GIT_GET = "protocol=https\nhost=bench.invalid\n";

    /** USER_HZ, which Linux has kept at 100 on every architecture. */
    private static final int CLOCK_TICKS_PER_SECOND = 100;

    private ProcessBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int warmup = 3;
        String java = BenchSandbox.java();
        try (BenchSandbox sandbox = BenchSandbox.create()) {
            Path floorClasses = compileFloor(sandbox.root);
            Path jar = sandbox.repository.resolve("caller/target/latchkey.jar");
            List<String> provider = List.of(sandbox.launcher.toString(), "--cargo-plugin");
            List<String> jarDirect = List.of(java, "-jar", jar.toString(), "--cargo-plugin");
            Path tokenFile = Files.writeString(sandbox.root.resolve("token.txt"), BenchSandbox.TOKEN + "\n");

            Subject bareFloor = new Subject("JVM floor (java -cp . Floor)", List.of(java, "-cp", floorClasses.toString(), "Floor"),
                    CARGO_GET, CARGO_ANSWER);
            List<Subject> withoutDaemon = new ArrayList<>(List.of(bareFloor, new Subject("JVM floor, the launcher's JVM flags",
                    floorWithFlags(sandbox.launcher, "short_flags", java, floorClasses), CARGO_GET, CARGO_ANSWER)));
            withoutDaemon.add(new Subject("latchkey --cargo-plugin, no daemon (file store)", provider, CARGO_GET, CARGO_ANSWER));
            withoutDaemon.add(new Subject("  the same, java -jar latchkey.jar (no launcher, no archive)", jarDirect, CARGO_GET, CARGO_ANSWER));
            withoutDaemon.add(new Subject("cargo:token-from-stdout's process: cat FILE", List.of("cat", tokenFile.toString()), "",
                    BenchSandbox.TOKEN + "\n"));
            List<Subject> doors = otherClientsGets(sandbox);
            withoutDaemon.addAll(doors);

            // Each launcher variant once first: the launcher makes its class-data archive on first use.
            for (Subject subject : withoutDaemon) {
                check(subject, sandbox.run(subject.command(), subject.stdin()));
            }
            List<Timings> noDaemon = measure(sandbox, withoutDaemon, rounds, warmup);

            sandbox.startDaemon();
            List<Subject> withDaemon = new ArrayList<>(List.of(bareFloor));
            withDaemon.add(new Subject("latchkey --cargo-plugin, daemon running (the native relay)", provider, CARGO_GET, CARGO_ANSWER));
            withDaemon.add(new Subject("  the same, java -jar latchkey.jar (the JVM's relay, no archive)", jarDirect, CARGO_GET, CARGO_ANSWER));
            withDaemon.addAll(doors);
            Subject git = gitCredentialCache(sandbox);
            if (git != null) {
                withDaemon.add(git);
            }
            for (Subject subject : withDaemon) {
                check(subject, sandbox.run(subject.command(), subject.stdin()));
            }
            List<Timings> daemon = measure(sandbox, withDaemon, rounds, warmup);
            if (git != null) {
                stopGitCredentialCache(sandbox, git);
            }
            List<Subject> clones;
            List<Timings> cloned;
            try (BenchGitServer server = BenchGitServer.start(Files.createDirectories(sandbox.root.resolve("git-server")),
                    BenchSandbox.TOKEN, sandbox.env())) {
                clones = gitClones(sandbox, server);
                for (Subject subject : clones) {
                    check(subject, sandbox.run(subject.command(), subject.stdin()));
                    removeScratch(subject);
                }
                cloned = measure(sandbox, clones, rounds, warmup);
            }

            System.out.println(machine(java));
            System.out.println();
            System.out.println("No daemon; " + rounds + " alternating rounds (after " + warmup + " discarded):");
            print(withoutDaemon, noDaemon, rounds, 2);
            System.out.println();
            System.out.println("Daemon running; " + rounds + " alternating rounds (after " + warmup + " discarded):");
            print(withDaemon, daemon, rounds, 1);
            System.out.println();
            System.out.println("git clone over HTTP, a password asked for, daemon running; " + rounds
                    + " alternating rounds (after " + warmup + " discarded):");
            print(clones, cloned, rounds, 1);
            System.out.println();
            daemonFigures(sandbox);
            System.out.println();
            System.out.println("load average after: " + loadAverage());
        }
    }

    /**
     * One get through each of the other clients' front doors, as their clients start it: git's
     * {@code git-credential-latchkey get}, docker's and skopeo's {@code docker-credential-latchkey
     * get}, pip's {@code keyring get} by the index URL (found under the host pip stored it by), and
     * the one-line script pnpm's tokenHelper names. The helpers are links to the launcher, as
     * scripts/install.sh makes them, in a directory put first on PATH (git finds its helper there);
     * the logins are stored first.
     */
    private static List<Subject> otherClientsGets(BenchSandbox sandbox) throws IOException, InterruptedException {
        Path bin = Files.createDirectories(sandbox.root.resolve("bin"));
        sandbox.env().put("PATH", bin + File.pathSeparator + sandbox.env().getOrDefault("PATH", ""));
        Path git = Files.createSymbolicLink(bin.resolve("git-credential-latchkey"), sandbox.launcher);
        Path docker = Files.createSymbolicLink(bin.resolve("docker-credential-latchkey"), sandbox.launcher);
        Path keyring = Files.createSymbolicLink(bin.resolve("keyring"), sandbox.launcher);
        Path tokenHelper = bin.resolve("latchkey-npm-token-bench");
        Files.writeString(tokenHelper, "#!/bin/sh\nexec '" + sandbox.launcher + "' npm-token " + NPM_REGISTRY + "\n");
        tokenHelper.toFile().setExecutable(true);
        String token = BenchSandbox.TOKEN;
        storeFirst(sandbox, List.of(git.toString(), "store"), GIT_GET + "username=u\npassword=" + token + "\n");
        storeFirst(sandbox, List.of(docker.toString(), "store"),
                "{\"ServerURL\":\"" + OCI_REGISTRY + "\",\"Username\":\"bench\",\"Secret\":\"" + token + "\"}\n");
        storeFirst(sandbox, List.of(keyring.toString(), "set", "bench.invalid", "bench"), token + "\n");
        storeFirst(sandbox, List.of(sandbox.launcher.toString(), "npm-token", "--store", NPM_REGISTRY), token + "\n");
        return List.of(
                new Subject("git-credential-latchkey get (git)", List.of(git.toString(), "get"), GIT_GET,
                        "username=u\npassword=" + token + "\n"),
                new Subject("docker-credential-latchkey get (docker, skopeo)", List.of(docker.toString(), "get"), OCI_REGISTRY,
                        "{\"ServerURL\":\"" + OCI_REGISTRY + "\",\"Username\":\"bench\",\"Secret\":\"" + token + "\"}\n"),
                new Subject("keyring get INDEX-URL USER (pip)", List.of(keyring.toString(), "get", "https://bench.invalid/simple/", "bench"),
                        "", token + "\n"),
                new Subject("pnpm's tokenHelper script: latchkey npm-token URL", List.of(tokenHelper.toString()), "",
                        "Bearer " + token + "\n"));
    }

    /**
     * The same clone, of a repository that asks for a password, with git's own {@code store} helper
     * (the password in ~/.git-credentials) and with latchkey's; each into a directory removed
     * after the run, from {@code server}.
     */
    private static List<Subject> gitClones(BenchSandbox sandbox, BenchGitServer server) throws IOException, InterruptedException {
        Path git = BenchSandbox.onPath("git");
        if (git == null) {
            throw new IllegalStateException("git is not on PATH: it is what the clone benchmark runs");
        }
        Path gitsFile = sandbox.root.resolve("home/.git-credentials");
        Files.writeString(gitsFile, "http://" + BenchGitServer.USER + ":" + BenchSandbox.TOKEN + "@" + server.hostAndPort() + "\n");
        Files.setPosixFilePermissions(gitsFile, PosixFilePermissions.fromString("rw-------"));
        storeFirst(sandbox, List.of(sandbox.root.resolve("bin/git-credential-latchkey").toString(), "store"),
                "protocol=http\nhost=" + server.hostAndPort() + "\nusername=" + BenchGitServer.USER + "\npassword="
                        + BenchSandbox.TOKEN + "\n");
        List<Subject> clones = new ArrayList<>();
        for (String helper : List.of("store", "latchkey")) {
            Path into = sandbox.root.resolve("clone-" + helper);
            clones.add(new Subject("git clone, credential.helper=" + helper + (helper.equals("store")
                    ? " (git's own, ~/.git-credentials)" : " (daemon running)"),
                    List.of(git.toString(), "-c", "credential.helper=" + helper, "clone", "--quiet", server.url(), into.toString()),
                    "", "", into));
        }
        return clones;
    }

    private static void removeScratch(Subject subject) throws IOException {
        if (subject.scratch() == null || !Files.exists(subject.scratch())) {
            return;
        }
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(subject.scratch())) {
            walk.sorted(Comparator.reverseOrder()).forEach(paths::add);
        }
        for (Path path : paths) {
            Files.delete(path);
        }
    }

    private static void storeFirst(BenchSandbox sandbox, List<String> command, String stdin) throws IOException, InterruptedException {
        BenchSandbox.Run stored = sandbox.run(command, stdin);
        if (stored.status() != 0) {
            throw new IllegalStateException(command + " could not store the benchmark's login: " + stored.stdout() + stored.stderr());
        }
    }

    /** The floor with the JVM flags scripts/latchkey sets in {@code variable}, read from the launcher itself. */
    private static List<String> floorWithFlags(Path launcher, String variable, String java, Path classes) throws IOException {
        String flags = null;
        for (String line : Files.readAllLines(launcher)) {
            if (line.startsWith(variable + "=\"")) {
                flags = line.substring((variable + "=\"").length(), line.lastIndexOf('"'));
            }
        }
        if (flags == null) {
            throw new IllegalStateException(launcher + " sets no " + variable);
        }
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(Arrays.asList(flags.split(" ")));
        command.addAll(List.of("-cp", classes.toString(), "Floor"));
        return command;
    }

    static Path compileFloor(Path root) throws IOException {
        Path dir = Files.createDirectories(root.resolve("floor"));
        Path source = Files.writeString(dir.resolve("Floor.java"), FLOOR);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null || javac.run(null, null, null, "-d", dir.toString(), source.toString()) != 0) {
            throw new IllegalStateException("could not compile the floor program: run the benchmark with a JDK");
        }
        return dir;
    }

    /** git's own credential daemon, warm and holding a credential; null when git or its cache helper is missing. */
    private static Subject gitCredentialCache(BenchSandbox sandbox) throws IOException, InterruptedException {
        Path git = BenchSandbox.onPath("git");
        if (git == null) {
            return null;
        }
        Path gitSocket = sandbox.root.resolve("run/git-cache.sock");
        String credential = "protocol=https\nhost=bench.invalid\nusername=u\npassword=" + BenchSandbox.TOKEN + "\n\n";
        List<String> store = List.of(git.toString(), "credential-cache", "--socket", gitSocket.toString(), "--timeout", "3600", "store");
        if (sandbox.run(store, credential).status() != 0) {
            return null; // this git has no credential-cache
        }
        return new Subject("git credential-cache get, warm cache daemon",
                List.of(git.toString(), "credential-cache", "--socket", gitSocket.toString(), "get"),
                "protocol=https\nhost=bench.invalid\n\n", "username=u\npassword=" + BenchSandbox.TOKEN + "\n");
    }

    /** Tells git's credential daemon to exit: it would otherwise outlive the sandbox by its hour of timeout. */
    private static void stopGitCredentialCache(BenchSandbox sandbox, Subject git) throws IOException, InterruptedException {
        List<String> exit = new ArrayList<>(git.command().subList(0, git.command().size() - 1));
        exit.add("exit");
        sandbox.run(exit, "");
    }

    /** What the runs of one subject took: wall time of each, and the processor time of all. */
    record Timings(long[] nanos, long cpuTicks) {
    }

    static List<Timings> measure(BenchSandbox sandbox, List<Subject> subjects, int rounds, int warmup) throws Exception {
        List<long[]> times = new ArrayList<>();
        long[] ticks = new long[subjects.size()];
        for (int i = 0; i < subjects.size(); i++) {
            times.add(new long[rounds]);
        }
        for (int round = -warmup; round < rounds; round++) {
            // Turns rotate, so that no subject always runs right after the same other one.
            for (int k = 0; k < subjects.size(); k++) {
                int i = Math.floorMod(k + round, subjects.size());
                long before = childCpuTicks();
                BenchSandbox.Run run = sandbox.run(subjects.get(i).command(), subjects.get(i).stdin());
                long used = childCpuTicks() - before;
                check(subjects.get(i), run);
                removeScratch(subjects.get(i));
                if (round >= 0) {
                    times.get(i)[round] = run.nanos();
                    ticks[i] += used;
                }
            }
        }
        List<Timings> timings = new ArrayList<>();
        for (int i = 0; i < subjects.size(); i++) {
            timings.add(new Timings(times.get(i), ticks[i]));
        }
        return timings;
    }

    /**
     * The processor time (user and system) of this process's children that have ended, in clock
     * ticks: {@code cutime + cstime} of {@code /proc/self/stat}. A tick is coarse (10 ms), but summed
     * over every round it gives each subject's processor time per run, which, unlike its wall time,
     * hardly changes with the machine's load.
     */
    static long childCpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[13]) + Long.parseLong(fields[14]); // fields 16 and 17, counted from 1 before the name
    }

    static void check(Subject subject, BenchSandbox.Run run) {
        if (run.status() != 0 || !run.stdout().equals(subject.expect())) {
            throw new IllegalStateException(subject.name() + " answered wrongly (exit " + run.status() + "):\n" + run.stdout()
                    + "\n" + run.stderr());
        }
    }

    /** The table of one set of rounds, whose first {@code floors} subjects are floors: each row's ratio is over the fastest. */
    private static void print(List<Subject> subjects, List<Timings> timings, int rounds, int floors) {
        double floor = Double.MAX_VALUE;
        double floorCpu = Double.MAX_VALUE;
        for (int i = 0; i < floors; i++) {
            floor = Math.min(floor, median(timings.get(i).nanos()));
            floorCpu = Math.min(floorCpu, cpuPerRun(timings.get(i), rounds));
        }
        System.out.printf(Locale.ROOT, "%-60s %9s %19s %9s %10s %9s%n", "process", "median", "p10 .. p90", "vs floor",
                "cpu/run", "vs floor");
        for (int i = 0; i < subjects.size(); i++) {
            long[] t = timings.get(i).nanos();
            double cpu = cpuPerRun(timings.get(i), rounds);
            System.out.printf(Locale.ROOT, "%-60s %6.1f ms %7.1f .. %6.1f ms %8.2fx %7.1f ms %8.2fx%n", subjects.get(i).name(),
                    median(t), percentile(t, 10), percentile(t, 90), median(t) / floor, cpu, cpu / floorCpu);
        }
        System.out.println("(vs floor: over the " + (floors > 1 ? "faster of the " + floors + " floors" : "first row, "
                + subjects.get(0).name()) + "; cpu/run: user+system time, summed over the rounds)");
    }

    static double cpuPerRun(Timings timings, int rounds) {
        return timings.cpuTicks() * 1000.0 / CLOCK_TICKS_PER_SECOND / rounds;
    }

    /** How soon the daemon answers after its start, and its resident memory before and after 100,000 gets. */
    private static void daemonFigures(BenchSandbox sandbox) throws Exception {
        sandbox.stopDaemon();
        long[] ready = new long[5];
        for (int i = 0; i < ready.length; i++) {
            ready[i] = readyNanos(sandbox);
        }
        System.out.printf(Locale.ROOT, "latchkey daemon --foreground, start to first answer on its socket: median %.0f ms (%.0f .. %.0f ms, %d starts)%n",
                median(ready), percentile(ready, 0), percentile(ready, 100), ready.length);

        sandbox.startDaemon();
        try (LatchkeyClient probe = sandbox.client()) {
            long pid = probe.status().pid();
            long before = residentKiB(pid);
            int threads = 16;
            int perThread = 100_000 / threads;
            AtomicLong answered = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            long start = System.nanoTime();
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                work.add(pool.submit(() -> {
                    try (LatchkeyClient client = sandbox.client()) {
                        Registry registry = Registry.byUrl(BenchSandbox.INDEX_URL);
                        for (int i = 0; i < perThread; i++) {
                            Response.Got got = client.get(registry);
                            got.token().wipe();
                            answered.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(10, TimeUnit.MINUTES);
            }
            long nanos = System.nanoTime() - start;
            pool.shutdown();
            long after = residentKiB(pid);
            System.out.printf(Locale.ROOT, "daemon resident memory: %.1f MB after start, %.1f MB after %,d gets "
                    + "(16 connections, %.0f gets/s including client start-up)%n",
                    before / 1024.0, after / 1024.0, answered.get(), answered.get() / (nanos / 1e9));
        }
    }

    /** Starts {@code latchkey daemon --foreground} and times it until its socket says hello; then stops it. */
    private static long readyNanos(BenchSandbox sandbox) throws Exception {
        Files.deleteIfExists(sandbox.socket);
        ProcessBuilder builder = new ProcessBuilder(sandbox.launcher.toString(), "daemon", "--foreground")
                .directory(sandbox.root.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(sandbox.env());
        long start = System.nanoTime();
        Process daemon = builder.start();
        try {
            while (!answers(sandbox.socket)) {
                if (!daemon.isAlive()) {
                    throw new IllegalStateException("the daemon exited with status " + daemon.exitValue());
                }
                if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(30)) {
                    throw new IllegalStateException("the daemon did not answer within 30 s");
                }
                Thread.sleep(1);
            }
            return System.nanoTime() - start;
        } finally {
            daemon.destroy();
            daemon.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static boolean answers(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer hello = ByteBuffer.allocate(256);
            while (channel.read(hello) > 0) {
                if (hello.get(hello.position() - 1) == '\n') {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static long residentKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for process " + pid);
    }

    static String machine(String java) throws IOException, InterruptedException {
        String cpu = "?";
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.exists(cpuinfo)) {
            for (String line : Files.readAllLines(cpuinfo)) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        }
        Process version = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
        String javaVersion = new String(version.getInputStream().readAllBytes()).lines().findFirst().orElse("?");
        version.waitFor();
        return "machine: " + Runtime.getRuntime().availableProcessors() + " CPUs (" + cpu + "), " + javaVersion
                + ", load average before: " + loadAverage();
    }

    static String loadAverage() throws IOException {
        Path loadavg = Path.of("/proc/loadavg");
        return Files.exists(loadavg) ? Files.readString(loadavg).trim() : "?";
    }

    static double median(long[] nanos) {
        return percentile(nanos, 50);
    }

    static double percentile(long[] nanos, int percent) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = (int) Math.round((sorted.length - 1) * percent / 100.0);
        return sorted[index] / 1e6;
    }
}
