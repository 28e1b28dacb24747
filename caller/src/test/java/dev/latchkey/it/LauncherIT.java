package dev.latchkey.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher as users install it: through a symlink on their PATH, run from any directory,
 * with nothing but the program's own output on stdout (cargo reads it as protocol).
 */
class LauncherIT {
    @TempDir
    Path temp;

    private static Path root() {
        return Path.of(System.getProperty("latchkey.root")).toAbsolutePath().normalize();
    }

    private Path linkedLauncher() throws Exception {
        return linkTo(root());
    }

    private Path linkTo(Path checkout) throws Exception {
        Path bin = Files.createDirectories(temp.resolve("bin"));
        return Files.createSymbolicLink(bin.resolve("latchkey"), checkout.resolve("scripts/latchkey"));
    }

    /**
     * A fresh checkout has no jar: the launcher builds it on first use, and cargo runs it from the
     * user's directory, never the checkout's. The build's output must not reach stdout.
     */
    @Test
    void buildsOnFirstUseWhenRunFromAnotherDirectory() throws Exception {
        Path checkout = temp.resolve("checkout");
        copySources(root(), checkout);
        Path elsewhere = Files.createDirectories(temp.resolve("some/project"));
        String get = "{\"v\":1,\"registry\":{\"index-url\":\"sparse+http://127.0.0.1:9/index/\",\"name\":\"none\"},"
                + "\"kind\":\"get\",\"operation\":\"read\"}\n";
        ProcessRun.Result result = ProcessRun.of(List.of(linkTo(checkout).toString(), "--cargo-plugin"))
                .environment(PrivateHomes.environment(temp, temp.resolve("cargo"))).in(elsewhere).stdin(get)
                .timeout(Duration.ofMinutes(5)).run().assertSuccess();
        assertEquals("{\"v\":[1]}\n{\"Err\":{\"kind\":\"not-found\"}}\n", result.stdout());
        assertTrue(result.stderr().contains("latchkey: building"), result::toString);
        assertTrue(Files.isRegularFile(checkout.resolve("caller/target/latchkey.jar")), result::toString);
    }

    /** What a clone holds: the sources, without the git metadata or anything a build made. */
    private static void copySources(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path relative = from.relativize(source);
                if (madeByBuildOrGit(relative)) {
                    continue;
                }
                Path target = to.resolve(relative.toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static boolean madeByBuildOrGit(Path relative) {
        for (Path part : relative) {
            String name = part.toString();
            if (name.equals("target") || name.equals(".git") || name.equals(".latchkey-build.lock")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void runsThroughASymlinkFromAnotherDirectory() throws Exception {
        Path elsewhere = Files.createDirectories(temp.resolve("some/project"));
        ProcessRun.Result result = ProcessRun.of(List.of(linkedLauncher().toString(), "--version"))
                .environment(PrivateHomes.environment(temp, temp.resolve("cargo"))).in(elsewhere).run().assertSuccess();
        assertTrue(result.stdout().matches("latchkey \\S+ \\(commit \\S+, Java [^\n]+\\)\n"), result::toString);
    }

    @Test
    void providerModeWritesOnlyProtocolToStdout() throws Exception {
        String get = "{\"v\":1,\"registry\":{\"index-url\":\"sparse+http://127.0.0.1:9/index/\",\"name\":\"none\"},"
                + "\"kind\":\"get\",\"operation\":\"read\"}\n";
        ProcessRun.Result result = ProcessRun.of(List.of(linkedLauncher().toString(), "--cargo-plugin"))
                .environment(PrivateHomes.environment(temp, temp.resolve("cargo"))).in(temp).stdin(get).run().assertSuccess();
        assertEquals("{\"v\":[1]}\n{\"Err\":{\"kind\":\"not-found\"}}\n", result.stdout());
    }

    /**
     * The launcher of a checkout of its own, whose java is a wrapper that logs how it is run (and,
     * with {@code failing}, cannot write a class-data archive): the checkout's target directory is
     * then the test's to watch.
     */
    private Path launcherOfACopy(Path copy, boolean failing) throws Exception {
        Path root = Path.of(System.getProperty("latchkey.root")).toAbsolutePath().normalize();
        Path target = Files.createDirectories(copy.resolve("caller/target"));
        Files.createDirectories(copy.resolve("scripts"));
        Files.copy(root.resolve("scripts/latchkey"), copy.resolve("scripts/latchkey"));
        Files.copy(LatchkeyProcess.jar(), target.resolve("latchkey.jar"));
        Files.copy(LatchkeyProcess.jar().resolveSibling("latchkey-relay"), target.resolve("latchkey-relay"),
                StandardCopyOption.COPY_ATTRIBUTES);
        Path java = Files.createDirectories(copy.resolve("jdk/bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"$*\" >> '" + copy.resolve("java.log") + "'\n"
                + (failing ? "case \"$*\" in *ArchiveClassesAtExit*) exit 1 ;; esac\n" : "")
                + "exec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' \"$@\"\n");
        java.toFile().setExecutable(true);
        return copy.resolve("scripts/latchkey");
    }

    private static List<String> runs(Path copy) throws Exception {
        return Files.exists(copy.resolve("java.log")) ? Files.readAllLines(copy.resolve("java.log")) : List.of();
    }

    @Test
    void makesAClassDataArchiveOnFirstUseRemakesItForANewJarAndPrintsNothingOfIt() throws Exception {
        try (DaemonSandbox sandbox = new DaemonSandbox()) {
            Path copy = sandbox.root.resolve("checkout");
            Path launcher = launcherOfACopy(copy, false);
            sandbox.env().put("JAVA_HOME", copy.resolve("jdk").toString());
            Path target = copy.resolve("caller/target");
            Path archive = target.resolve("latchkey.jsa");
            String get = "{\"v\":1,\"registry\":{\"index-url\":\"sparse+http://127.0.0.1:9/index/\",\"name\":\"none\"},"
                    + "\"kind\":\"get\",\"operation\":\"read\"}\n";
            String notFound = "{\"v\":[1]}\n{\"Err\":{\"kind\":\"not-found\"}}\n";

            DaemonSandbox.Result first = sandbox.run(get, List.of(launcher.toString(), "--cargo-plugin"));
            assertEquals(notFound, first.stdout(), first.stderr());
            assertEquals("", first.stderr());
            assertTrue(Files.size(archive) > 0, "the archive was made");
            assertEquals(copy.resolve("jdk/bin/java").toRealPath(), target.resolve("latchkey.jsa.java").toRealPath(),
                    "the archive names the java it was made by");
            assertTrue(runs(copy).get(runs(copy).size() - 1).contains("-XX:SharedArchiveFile=" + archive), runs(copy).toString());
            FileTime made = Files.getLastModifiedTime(archive);

            assertEquals(notFound, sandbox.run(get, List.of(launcher.toString(), "--cargo-plugin")).stdout());
            assertEquals(made, Files.getLastModifiedTime(archive), "an archive is made once");
            long trainings = runs(copy).stream().filter(run -> run.contains("ArchiveClassesAtExit")).count();
            assertEquals(1, trainings, runs(copy).toString());

            // A jar newer than the archive, as after a build.
            Files.setLastModifiedTime(archive, FileTime.from(Files.getLastModifiedTime(target.resolve("latchkey.jar")).toInstant().minusSeconds(60)));
            assertEquals(notFound, sandbox.run(get, List.of(launcher.toString(), "--cargo-plugin")).stdout());
            assertTrue(Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(target.resolve("latchkey.jar"))) > 0,
                    "made again for the newer jar");
        }
    }

    @Test
    void withoutAnArchiveItRunsAllTheSameAndDoesNotTryAgainForThatJar() throws Exception {
        try (DaemonSandbox sandbox = new DaemonSandbox()) {
            Path copy = sandbox.root.resolve("checkout");
            Path launcher = launcherOfACopy(copy, true);
            sandbox.env().put("JAVA_HOME", copy.resolve("jdk").toString());
            DaemonSandbox.Result first = sandbox.run(null, List.of(launcher.toString(), "--version"));
            DaemonSandbox.Result second = sandbox.run(null, List.of(launcher.toString(), "--version"));

            assertTrue(first.stdout().matches("latchkey \\S+ \\(commit \\S+, Java [^\n]+\\)\n"), first.stdout() + first.stderr());
            assertEquals(first.stdout(), second.stdout());
            assertEquals("", first.stderr() + second.stderr());
            assertFalse(Files.exists(copy.resolve("daemon/target/latchkey.jsa")));
            assertEquals(1, runs(copy).stream().filter(run -> run.contains("ArchiveClassesAtExit")).count(), runs(copy).toString());
            assertTrue(runs(copy).stream().filter(run -> run.contains("--version")).noneMatch(run -> run.contains("SharedArchiveFile")));
        }
    }

    /**
     * The JVM's flags go by the command, wherever it stands among the options: the daemon that
     * {@code latchkey --config FILE daemon} starts runs with the daemon's (and keeps them when it
     * detaches); {@code stdio} after options, and a provider serving itself, get the short-lived
     * process's client compiler (never none at all: a request may derive an encrypted store's key).
     */
    @Test
    void theCommandAfterGlobalOptionsChoosesTheJvmFlags() throws Exception {
        try (DaemonSandbox sandbox = new DaemonSandbox()) {
            Path copy = sandbox.root.resolve("checkout");
            Path launcher = launcherOfACopy(copy, false);
            sandbox.env().put("JAVA_HOME", copy.resolve("jdk").toString());
            sandbox.config("stores = [\"memory\"]\n");
            String config = sandbox.configDir.resolve("latchkey/config.toml").toString();

            DaemonSandbox.Result started = sandbox.run(null, List.of(launcher.toString(), "--config", config, "-v", "daemon"));
            assertEquals(0, started.exit(), started.stderr());
            List<ProcessHandle> daemons = sandbox.daemons();
            assertEquals(1, daemons.size(), daemons.toString());
            List<String> daemon = List.of(Files.readString(Path.of("/proc", Long.toString(daemons.get(0).pid()), "cmdline"))
                    .split("\0"));
            assertTrue(daemon.contains("-XX:+UseSerialGC") && daemon.contains("-Xmx128m"), "the daemon's flags: " + daemon);
            assertFalse(daemon.contains("-Xint"), "not the provider's: " + daemon);
            assertEquals(0, sandbox.run(null, List.of(launcher.toString(), "--socket", sandbox.socket.toString(), "daemon", "stop")).exit());

            sandbox.run("", List.of(launcher.toString(), "--no-daemon", "--config", config, "stdio"));
            String stdio = runs(copy).get(runs(copy).size() - 1);
            assertTrue(stdio.contains("-XX:TieredStopAtLevel=1") && !stdio.contains("-Xint"), stdio);

            // Served in its own process, a request may derive an encrypted store's key: never without a JIT.
            sandbox.run("", List.of(launcher.toString(), "--cargo-plugin"));
            String provider = runs(copy).get(runs(copy).size() - 1);
            assertTrue(provider.contains("-XX:TieredStopAtLevel=1") && !provider.contains("-Xint"), provider);
        }
    }

    /**
     * git and docker run their helpers by names of their own: links by those names to the launcher
     * run {@code latchkey git-credential ARGS} and {@code latchkey docker-credential ARGS}.
     */
    @Test
    void linksNamedForGitAndDockerRunTheirCommands() throws Exception {
        try (DaemonSandbox sandbox = new DaemonSandbox()) {
            Path copy = sandbox.root.resolve("checkout");
            Path launcher = launcherOfACopy(copy, false);
            sandbox.env().put("JAVA_HOME", copy.resolve("jdk").toString());
            Path bin = Files.createDirectories(sandbox.root.resolve("bin"));
            for (String client : List.of("git", "docker")) {
                Path link = Files.createSymbolicLink(bin.resolve(client + "-credential-latchkey"), launcher);
                sandbox.run("", List.of(link.toString(), "get"));
                String run = runs(copy).get(runs(copy).size() - 1);
                assertTrue(run.endsWith(".jar " + client + "-credential get"), run);
            }
        }
    }

    @Test
    void whileTheDaemonRunsTheProviderStartsNoJvm() throws Exception {
        try (DaemonSandbox sandbox = new DaemonSandbox()) {
            Path copy = sandbox.root.resolve("checkout");
            Path launcher = launcherOfACopy(copy, false);
            sandbox.env().put("JAVA_HOME", copy.resolve("jdk").toString());
            assertEquals(0, sandbox.run("tok-relayed\n", List.of(launcher.toString(), "store", "sparse+https://x.example/index/")).exit());
            assertEquals(0, sandbox.run(null, List.of(launcher.toString(), "daemon")).exit());
            String get = "{\"v\":1,\"registry\":{\"index-url\":\"sparse+https://x.example/index/\"},\"kind\":\"get\",\"operation\":\"read\"}\n";
            int before = runs(copy).size();

            DaemonSandbox.Result relayed = sandbox.run(get, List.of(launcher.toString(), "--cargo-plugin"));
            assertEquals("{\"v\":[1]}\n{\"Ok\":{\"kind\":\"get\",\"token\":\"tok-relayed\",\"cache\":\"session\",\"operation_independent\":true}}\n",
                    relayed.stdout(), relayed.stderr());
            assertEquals(before, runs(copy).size(), "the relay served it: no JVM ran " + runs(copy));
            assertEquals(0, sandbox.run(null, List.of(launcher.toString(), "daemon", "stop")).exit());
        }
    }
}
