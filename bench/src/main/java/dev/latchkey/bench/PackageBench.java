package dev.latchkey.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The release artifacts (scripts/bench package): their sizes, and one provider request served
 * without a daemon (one get, file store) through the tarball's launcher and packaged runtime,
 * beside the same through the source tree's launcher and the system JDK, and beside the bare JVM
 * floor (ProcessBench's Floor) on each of the two JVMs. Subjects take turns, round after round;
 * every answer is checked.
 *
 * <p>Usage: {@code PackageBench RELEASE_DIR ROUNDS}, RELEASE_DIR holding what scripts/package made.
 */
public final class PackageBench {
    private PackageBench() {
    }

    public static void main(String[] args) throws Exception {
        Path release = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int warmup = 3;
        String java = BenchSandbox.java();
        Path tarball = only(release, ".tar.gz");
        Path deb = only(release, ".deb");
        try (BenchSandbox sandbox = BenchSandbox.create()) {
            // Every request is served in its own process: the first must not start a daemon for the next.
            sandbox.env().put("LATCHKEY_AUTOSTART", "0");
            Path unpacked = Files.createDirectory(sandbox.root.resolve("unpacked"));
            BenchSandbox.Run untar = sandbox.run(List.of("tar", "-xzf", tarball.toString(), "-C", unpacked.toString()), "");
            if (untar.status() != 0) {
                throw new IllegalStateException("could not unpack " + tarball + ": " + untar.stderr());
            }
            Path prefix;
            try (Stream<Path> top = Files.list(unpacked)) {
                prefix = top.findFirst().orElseThrow();
            }

            System.out.println(ProcessBench.machine(java));
            System.out.println();
            System.out.println("Sizes:");
            size(tarball.getFileName().toString(), Files.size(tarball));
            size(deb.getFileName().toString(), Files.size(deb));
            size("the unpacked tree", treeSize(prefix));
            size("  runtime/ (jlink, its class-data archives included)", treeSize(prefix.resolve("runtime")));
            size("    runtime/lib/modules", Files.size(prefix.resolve("runtime/lib/modules")));
            size("    runtime/lib/server/classes.jsa (the runtime's class-data archive)", Files.size(prefix.resolve("runtime/lib/server/classes.jsa")));
            size("  lib/latchkey.jar", Files.size(prefix.resolve("lib/latchkey.jar")));
            size("  lib/latchkey.jsa (latchkey's class-data archive)", Files.size(prefix.resolve("lib/latchkey.jsa")));
            size("  lib/latchkey-relay", Files.size(prefix.resolve("lib/latchkey-relay")));

            Path floor = ProcessBench.compileFloor(sandbox.root);
            String get = ProcessBench.CARGO_GET;
            String answer = ProcessBench.CARGO_ANSWER;
            List<ProcessBench.Subject> subjects = List.of(
                    new ProcessBench.Subject("JVM floor: java -cp DIR Floor (system JDK)",
                            List.of(java, "-cp", floor.toString(), "Floor"), get, answer),
                    new ProcessBench.Subject("JVM floor on the packaged runtime",
                            List.of(prefix.resolve("runtime/bin/java").toString(), "-cp", floor.toString(), "Floor"), get, answer),
                    new ProcessBench.Subject("latchkey --cargo-plugin, system JDK (scripts/latchkey)",
                            List.of(sandbox.launcher.toString(), "--cargo-plugin"), get, answer),
                    new ProcessBench.Subject("latchkey --cargo-plugin, packaged runtime (tarball's bin/latchkey)",
                            List.of(prefix.resolve("bin/latchkey").toString(), "--cargo-plugin"), get, answer));
            // Each once first: the source tree's launcher makes its class-data archive on first use.
            for (ProcessBench.Subject subject : subjects) {
                ProcessBench.check(subject, sandbox.run(subject.command(), subject.stdin()));
            }
            List<ProcessBench.Timings> timings = ProcessBench.measure(sandbox, subjects, rounds, warmup);

            System.out.println();
            System.out.println("One get, file store, no daemon; " + rounds + " alternating rounds (after " + warmup + " discarded):");
            double floorMedian = ProcessBench.median(timings.get(0).nanos());
            double systemMedian = ProcessBench.median(timings.get(2).nanos());
            System.out.printf(Locale.ROOT, "%-70s %9s %19s %9s %11s %10s%n", "process", "median", "p10 .. p90", "vs floor",
                    "vs sys JDK", "cpu/run");
            for (int i = 0; i < subjects.size(); i++) {
                long[] t = timings.get(i).nanos();
                double median = ProcessBench.median(t);
                System.out.printf(Locale.ROOT, "%-70s %6.1f ms %7.1f .. %6.1f ms %8.2fx %10.2fx %7.1f ms%n", subjects.get(i).name(),
                        median, ProcessBench.percentile(t, 10), ProcessBench.percentile(t, 90), median / floorMedian,
                        median / systemMedian, ProcessBench.cpuPerRun(timings.get(i), rounds));
            }
            System.out.println("(vs floor: over the bare JVM floor on the system JDK; vs sys JDK: over latchkey through the system JDK)");
            System.out.println();
            System.out.println("load average after: " + ProcessBench.loadAverage());
        }
    }

    private static Path only(Path dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> found = files.filter(file -> file.getFileName().toString().endsWith(suffix)).toList();
            if (found.size() != 1) {
                throw new IllegalStateException("expected one *" + suffix + " in " + dir + ", found " + found);
            }
            return found.get(0);
        }
    }

    /** The bytes of every regular file under {@code dir}, links not followed. */
    private static long treeSize(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            long total = 0;
            for (Path path : paths.toList()) {
                if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                    total += Files.size(path);
                }
            }
            return total;
        }
    }

    private static void size(String what, long bytes) {
        if (bytes >= 1_000_000) {
            System.out.printf(Locale.ROOT, "  %-72s %8.1f MB%n", what, bytes / 1e6);
        } else {
            System.out.printf(Locale.ROOT, "  %-72s %8.1f kB%n", what, bytes / 1e3);
        }
    }
}
