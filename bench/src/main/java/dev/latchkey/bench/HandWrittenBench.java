package dev.latchkey.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * latchkey's hand-written code on the per-request path beside the library it stands in for, each
 * once in a fresh JVM (scripts/bench handwritten): the TOML reader (TomlSubset, behind TomlText)
 * against tomlj, and SHA-256 against the JDK's. Each variant runs with a class-data archive of its
 * own, made by a first run, as the launcher's archive would hold whichever the program used.
 * Variants take turns, round after round; reported: the median time of the operation itself
 * (class loading and linking included: a fresh process pays them on every request) and of the
 * whole process.
 *
 * <p>Usage: {@code HandWrittenBench ROUNDS}.
 */
public final class HandWrittenBench {
    private record Variant(String name, String mainClass, String argument) {
    }

    private static final List<Variant> VARIANTS = List.of(
            new Variant("TOML: latchkey's reader (TomlSubset)", "dev.latchkey.daemon.files.TomlReadOnce", "own"),
            new Variant("TOML: tomlj", "dev.latchkey.daemon.files.TomlReadOnce", "library"),
            new Variant("SHA-256: latchkey's (Sha256)", "dev.latchkey.daemon.metadata.DigestOnce", "own"),
            new Variant("SHA-256: the JDK's MessageDigest", "dev.latchkey.daemon.metadata.DigestOnce", "library"));

    private HandWrittenBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        String java = BenchSandbox.java();
        Path jar = Path.of(HandWrittenBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path work = Files.createTempDirectory("latchkey-handwritten");
        List<List<String>> commands = new ArrayList<>();
        for (int i = 0; i < VARIANTS.size(); i++) {
            Variant v = VARIANTS.get(i);
            Path archive = work.resolve("variant" + i + ".jsa");
            run(List.of(java, "-XX:ArchiveClassesAtExit=" + archive, "-XX:TieredStopAtLevel=1", "-cp", jar.toString(),
                    v.mainClass(), v.argument()));
            commands.add(List.of(java, "-XX:SharedArchiveFile=" + archive, "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
                    "-Xshare:auto", "-cp", jar.toString(), v.mainClass(), v.argument()));
        }
        long[][] operation = new long[VARIANTS.size()][rounds];
        long[][] process = new long[VARIANTS.size()][rounds];
        for (int r = -3; r < rounds; r++) { // three rounds first, discarded
            for (int i = 0; i < VARIANTS.size(); i++) {
                long start = System.nanoTime();
                String printed = run(commands.get(i));
                long wall = System.nanoTime() - start;
                if (r >= 0) {
                    operation[i][r] = Long.parseLong(printed.strip());
                    process[i][r] = wall;
                }
            }
        }
        System.out.println(ProcessBench.machine(java));
        System.out.println();
        System.out.printf("%d alternating rounds (after 3 discarded), each in a fresh JVM with its own class-data archive:%n", rounds);
        System.out.printf("%-40s %16s %16s%n", "", "the operation", "the process");
        for (int i = 0; i < VARIANTS.size(); i++) {
            System.out.printf("%-40s %13.2f ms %13.1f ms%n", VARIANTS.get(i).name(), ProcessBench.median(operation[i]),
                    ProcessBench.median(process[i]));
        }
        System.out.println();
        System.out.println("load average after: " + ProcessBench.loadAverage());
    }

    /** Runs {@code command} to its end and returns what it printed; fails on a failure. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
