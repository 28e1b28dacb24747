package dev.latchkey.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A small Debian system in a directory of the test's, for installing a package with the machine's
 * dpkg ({@code dpkg --root}) where it cannot touch the machine's own. It holds the packages the
 * package under test depends on, and what dpkg's maintainer scripts run (a shell, coreutils, sed,
 * grep, dpkg itself), with everything they depend on: downloaded with {@code apt-get download}, each
 * unpacked once so that the maintainer scripts find a shell and a libc there, then installed there
 * by dpkg, as debootstrap's second stage does. A few megabytes and seconds, against debootstrap's
 * whole minimal base.
 *
 * <p>Programs run in it under {@code chroot}, in a mount namespace of their own with {@code /proc}
 * mounted (the JVM finds itself through it): the mount ends with them. Its {@code /dev} holds the
 * four devices every program may open. Needs root, apt and util-linux's {@code unshare}.
 */
final class ThrowawayRoot {
    /** What dpkg needs there to install and remove a package: itself, and what maintainer scripts run. */
    private static final List<String> FOR_DPKG = List.of("dpkg", "dash", "coreutils", "sed", "grep");
    private static final Duration APT = Duration.ofMinutes(5);

    final Path dir;

    private ThrowawayRoot(Path dir) {
        this.dir = dir;
    }

    /**
     * A root in {@code dir} holding {@code packages} and what dpkg needs, the downloaded packages kept
     * in {@code downloads}.
     */
    static ThrowawayRoot make(Path dir, Path downloads, List<String> packages) throws IOException {
        List<String> wanted = new ArrayList<>(FOR_DPKG);
        wanted.addAll(packages);
        List<Path> debs = download(downloads, withDependencies(wanted));

        // The layout of a Debian 12 system (/bin, /lib, ... are links into /usr), and an empty dpkg database.
        Files.createDirectories(dir.resolve("usr/bin"));
        Files.createDirectories(dir.resolve("usr/sbin"));
        Files.createDirectories(dir.resolve("usr/lib64"));
        for (String top : List.of("bin", "sbin", "lib", "lib64")) {
            Files.createSymbolicLink(dir.resolve(top), Path.of("usr", top));
        }
        Path admin = Files.createDirectories(dir.resolve("var/lib/dpkg"));
        Files.createDirectories(admin.resolve("info"));
        Files.createDirectories(admin.resolve("updates"));
        Files.createFile(admin.resolve("status"));
        Files.createFile(admin.resolve("available"));
        Files.createDirectories(dir.resolve("proc"));
        Files.createDirectories(dir.resolve("etc"));
        Path dev = Files.createDirectories(dir.resolve("dev"));
        for (String[] node : new String[][] {{"null", "3"}, {"zero", "5"}, {"random", "8"}, {"urandom", "9"}}) {
            run(List.of("mknod", "-m", "666", dev.resolve(node[0]).toString(), "c", "1", node[1]), APT).assertSuccess();
        }
        Files.setPosixFilePermissions(Files.createDirectories(dir.resolve("tmp")), PosixFilePermissions.fromString("rwxrwxrwx"));

        for (Path deb : debs) {
            run(List.of("dpkg-deb", "--extract", deb.toString(), dir.toString()), APT).assertSuccess();
        }
        ThrowawayRoot root = new ThrowawayRoot(dir);
        List<String> unpack = new ArrayList<>(List.of("--force-depends", "--unpack"));
        debs.forEach(deb -> unpack.add(deb.toString()));
        root.dpkg(unpack.toArray(String[]::new)).assertSuccess();
        root.dpkg("--configure", "--pending").assertSuccess();
        return root;
    }

    /** The machine's dpkg, on this root: {@code dpkg --root=DIR ARGS}. */
    ProcessRun.Result dpkg(String... args) {
        List<String> command = new ArrayList<>(List.of("dpkg", "--root=" + dir));
        command.addAll(List.of(args));
        return run(command, APT);
    }

    /** {@code command} run in this root with {@code environment} only (PATH included), {@code stdin} given. */
    ProcessRun.Result run(Map<String, String> environment, String stdin, String... command) {
        // The machine's programs by their full names: the environment is the root's.
        List<String> all = new ArrayList<>(List.of(RequiredComponent.executable("unshare").toString(), "--mount",
                "--propagation", "private", "--fork", "--", RequiredComponent.executable("sh").toString(), "-c",
                "root=$1 mount=$2 chroot=$3; shift 3; \"$mount\" -t proc proc \"$root/proc\" && exec \"$chroot\" \"$root\" \"$@\"",
                "sh", dir.toString(), RequiredComponent.executable("mount").toString(), RequiredComponent.executable("chroot").toString()));
        all.addAll(List.of(command));
        ProcessRun run = ProcessRun.of(all).environment(environment).timeout(Duration.ofMinutes(2));
        return stdin == null ? run.run() : run.stdin(stdin).run();
    }

    /** The names of {@code packages} and of every package they depend on, as apt knows them. */
    private static List<String> withDependencies(List<String> packages) {
        List<String> command = new ArrayList<>(List.of("apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
                "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances"));
        command.addAll(packages);
        ProcessRun.Result result = run(command, APT).assertSuccess();
        // Each package is a line of its own; its relations are indented; virtual ones are in angle brackets.
        return result.stdout().lines().filter(line -> !line.isEmpty() && !Character.isWhitespace(line.charAt(0)) && !line.startsWith("<"))
                .distinct().toList();
    }

    /** Downloads {@code packages} into {@code into}, refreshing apt's lists once if they are too old to find them. */
    private static List<Path> download(Path into, List<String> packages) throws IOException {
        Files.createDirectories(into);
        List<String> command = new ArrayList<>(List.of("apt-get", "download", "-q"));
        command.addAll(packages);
        ProcessRun.Result result = ProcessRun.of(command).in(into).timeout(APT).run();
        if (result.exitCode() != 0) {
            run(List.of("apt-get", "update", "-q"), APT).assertSuccess();
            ProcessRun.of(command).in(into).timeout(APT).run().assertSuccess();
        }
        try (Stream<Path> files = Files.list(into)) {
            List<Path> debs = files.filter(file -> file.getFileName().toString().endsWith(".deb")).sorted().toList();
            assertEquals(packages.size(), debs.size(), () -> "apt-get download fetched " + debs + " for " + packages);
            return debs;
        }
    }

    private static ProcessRun.Result run(List<String> command, Duration timeout) {
        return ProcessRun.of(command).timeout(timeout).run();
    }
}
