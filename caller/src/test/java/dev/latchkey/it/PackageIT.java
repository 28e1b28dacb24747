package dev.latchkey.it;

import com.sun.security.auth.module.UnixSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static dev.latchkey.it.CargoFixtures.CORE;
import static dev.latchkey.it.CargoFixtures.VERSION;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The release artifacts scripts/package makes ({@link ReleaseArtifacts}): the tarball unpacked
 * where a user would, run with no JDK in sight (no {@code java} on PATH, no JAVA_HOME) by the real
 * cargo against a real authenticated registry, with and without its daemon; its runtime running
 * what needs more than java.base (the keyring through JNA, the encrypted store's javax.crypto) and
 * mapping the class-data archives made at package time; and the .deb installed by dpkg into a root
 * of its own, run there, removed, and checked by lintian.
 */
class PackageIT {
    private static final String REGISTRY = "lkreg";

    private static ReleaseArtifacts artifacts;
    /** Where the tarball is unpacked, as a user would, and this class's other files. */
    private static Path unpacked;
    private static Path prefix;
    /** PATH as the tests inherited it, without {@code java}: see {@link #withoutJdk}. */
    private static String pathWithoutJava;

    @BeforeAll
    static void unpackTheTarball() throws IOException {
        artifacts = ReleaseArtifacts.get();
        unpacked = Files.createTempDirectory(Path.of("/tmp"), "lkpkg").toRealPath();
        Path into = Files.createDirectory(unpacked.resolve("unpacked"));
        ProcessRun.of(List.of("tar", "-xzf", artifacts.tarball().toString())).in(into).run().assertSuccess();
        try (Stream<Path> top = Files.list(into)) {
            List<Path> dirs = top.toList();
            assertEquals(1, dirs.size(), () -> "the tarball holds one directory: " + dirs);
            prefix = dirs.get(0);
        }
        pathWithoutJava = pathWithoutJava(Files.createDirectory(unpacked.resolve("path-without-java")));
    }

    @AfterAll
    static void removeTheUnpackedTree() throws IOException {
        if (unpacked != null) {
            stopProcessesOf(unpacked);
            ProcessRun.of(List.of("rm", "-rf", unpacked.toString())).run().assertSuccess();
        }
    }

    @TempDir
    Path temp;

    @Test
    void theTarballAndTheDebHoldOneLauncherTheRuntimeAndTheRelay() throws Exception {
        byte[] launcher = Files.readAllBytes(root().resolve("scripts/latchkey"));
        assertArrayEquals(launcher, Files.readAllBytes(prefix.resolve("bin/latchkey")), "bin/latchkey is scripts/latchkey itself");
        for (String name : List.of("git-credential-latchkey", "docker-credential-latchkey")) {
            assertEquals(Path.of("latchkey"), Files.readSymbolicLink(prefix.resolve("bin").resolve(name)), name);
        }
        assertTrue(Files.isExecutable(prefix.resolve("lib/latchkey-relay")));
        assertTrue(Files.size(prefix.resolve("lib/latchkey.jsa")) > 0, "latchkey's class-data archive");
        assertTrue(Files.size(prefix.resolve("runtime/lib/server/classes.jsa")) > 0, "the runtime's class-data archive");
        String modules = Files.readAllLines(prefix.resolve("runtime/release")).stream().filter(line -> line.startsWith("MODULES="))
                .findFirst().orElseThrow();
        assertTrue(modules.contains("jdk.net") && modules.contains("jdk.security.auth"), modules);
        assertFalse(modules.contains("java.desktop"), "JNA's AWT helpers are never called: " + modules);

        Path deb = Files.createDirectories(temp.resolve("deb"));
        ProcessRun.of(List.of("dpkg-deb", "--extract", artifacts.deb().toString(), deb.toString())).run().assertSuccess();
        assertArrayEquals(launcher, Files.readAllBytes(deb.resolve("usr/lib/latchkey/bin/latchkey")));
        for (String name : List.of("latchkey", "git-credential-latchkey", "docker-credential-latchkey")) {
            assertEquals(Path.of("../lib/latchkey/bin/latchkey"), Files.readSymbolicLink(deb.resolve("usr/bin").resolve(name)), name);
        }
        assertArrayEquals(Files.readAllBytes(prefix.resolve("lib/latchkey.jsa")), Files.readAllBytes(deb.resolve("usr/lib/latchkey/lib/latchkey.jsa")),
                "one class-data archive serves both layouts");
        assertTrue(Files.readString(deb.resolve("usr/lib/systemd/user/latchkey.service")).contains("\nExecStart=/usr/bin/latchkey daemon --foreground\n"));
    }

    @Test
    void cargoRunsTheUnpackedTarballWithoutAJdk() throws Exception {
        cargoLogsInPublishesAndFetches(false);
    }

    @Test
    void cargoRunsTheUnpackedTarballWithItsDaemonWhichTheRelayReaches() throws Exception {
        cargoLogsInPublishesAndFetches(true);
    }

    /**
     * A user's first day with a registry, through the packaged launcher linked into a bin directory
     * of their own: cargo login, publish, generate-lockfile, fetch; with {@code daemon}, a daemon of
     * the package serves every request through the packaged relay.
     */
    private void cargoLogsInPublishesAndFetches(boolean daemon) throws Exception {
        RealCargo cargo = RealCargo.require();
        Path world = Files.createTempDirectory(Path.of("/tmp"), "lkw").toRealPath(); // the socket's path must stay short
        String token = "lk-package-" + UUID.randomUUID();
        try (TestRegistry registry = TestRegistry.start(token)) {
            Path launcher = Files.createSymbolicLink(Files.createDirectories(world.resolve("bin")).resolve("latchkey"),
                    prefix.resolve("bin/latchkey"));
            Path cargoHome = Files.createDirectories(world.resolve("cargo-home"));
            Files.writeString(cargoHome.resolve("config.toml"), CargoFixtures.cargoConfig(world, REGISTRY, registry.indexUrl(), launcher,
                    CargoFixtures.ProviderSetting.PER_REGISTRY));
            Map<String, String> env = withoutJdk(PrivateHomes.environment(world, cargoHome));
            env.put("PATH", cargo.directory() + File.pathSeparator + env.get("PATH"));
            Path relay = prefix.resolve("lib/latchkey-relay").toRealPath();
            if (daemon) {
                run(env, world, null, launcher.toString(), "daemon").assertSuccess();
            }

            cargo(env, world, token + "\n", cargo, token, "login", "--registry", REGISTRY).assertSuccess();
            assertEquals(token + "\n", run(env, world, null, launcher.toString(), "get", REGISTRY).assertSuccess().stdout());

            Path core = CargoFixtures.writeCoreCrate(world, REGISTRY);
            int mark = registry.requests().size();
            cargo(env, core, null, cargo, token, "publish", "--registry", REGISTRY).assertSuccess();
            TestRegistry.assertTokenSent(registry.requestsSince(mark), "PUT /api/v1/crates/new");
            assertTrue(CargoFixtures.crateFiles(core.resolve("target/package")).stream()
                    .anyMatch(packaged -> Arrays.equals(packaged, registry.crateFile(CORE, VERSION))), "the registry holds the crate cargo packaged");

            Path app = CargoFixtures.writeAppCrate(world, REGISTRY);
            mark = registry.requests().size();
            cargo(env, app, null, cargo, token, "generate-lockfile").assertSuccess();
            cargo(env, app, null, cargo, token, "fetch").assertSuccess();
            TestRegistry.assertTokenSent(registry.requestsSince(mark), "GET /index/" + TestRegistry.indexPathOf(CORE),
                    "GET /dl/" + CORE + "/" + VERSION + "/download");

            // Each request of cargo's and the command line's (a started daemon's first answer, to the
            // `latchkey daemon` that waits for it, is a status).
            List<String> audit = Files.readAllLines(world.resolve("xdg/state/latchkey/audit.log")).stream()
                    .filter(line -> !line.contains("\"kind\":\"status\"")).toList();
            assertTrue(audit.size() >= 5, () -> "every request was audited: " + audit);
            String relayed = "\"exe\":\"" + relay + "\"";
            if (daemon) {
                assertTrue(audit.stream().allMatch(line -> line.contains(relayed)), () -> "the daemon's peer was the relay each time: " + audit);
                run(env, world, null, launcher.toString(), "daemon", "stop").assertSuccess();
            } else {
                assertTrue(audit.stream().noneMatch(line -> line.contains(relayed)), () -> "no daemon, no relay: " + audit);
            }
        } finally {
            stopProcessesOf(world);
            ProcessRun.of(List.of("rm", "-rf", world.toString())).run().assertSuccess();
        }
    }

    @Test
    void theKeyringStoreRunsOnThePackagedRuntime() throws Exception {
        Map<String, String> env = withoutJdk(SessionKeyring.privateHomes(temp));
        String registry = "sparse+https://keyring.package.invalid/" + UUID.randomUUID() + "/index/";
        String latchkey = prefix.resolve("bin/latchkey").toString();
        try {
            run(env, temp, "tok-keyring\n", latchkey, "store", registry, "--store", "libsecret").assertSuccess();
            assertEquals("tok-keyring\n", run(env, temp, null, latchkey, "get", registry).assertSuccess().stdout());
        } finally {
            run(env, temp, null, latchkey, "erase", registry, "--store", "libsecret");
        }
    }

    @Test
    void theEncryptedStoreRunsOnThePackagedRuntime() throws Exception {
        Map<String, String> env = withoutJdk(PrivateHomes.environment(temp, temp.resolve("cargo")));
        env.put("LATCHKEY_PASSPHRASE", "a passphrase for the packaged runtime");
        Files.writeString(Files.createDirectories(temp.resolve("xdg/config/latchkey")).resolve("config.toml"), "stores = [\"encrypted\"]\n");
        String latchkey = prefix.resolve("bin/latchkey").toString();
        String registry = "sparse+https://encrypted.package.invalid/index/";
        run(env, temp, "tok-encrypted\n", latchkey, "store", registry).assertSuccess();
        assertTrue(Files.size(temp.resolve("xdg/data/latchkey/secrets.enc")) > 0);
        assertEquals("tok-encrypted\n", run(env, temp, null, latchkey, "get", registry).assertSuccess().stdout());
    }

    /**
     * The class-data archives made at package time serve a request where the tarball was unpacked:
     * the JVM the launcher started maps both, its runtime's and latchkey's (it maps neither when it
     * cannot use them).
     */
    @Test
    void aRequestServedWithoutADaemonMapsBothClassDataArchives() throws Exception {
        Map<String, String> env = withoutJdk(PrivateHomes.environment(temp, temp.resolve("cargo")));
        ProcessBuilder builder = new ProcessBuilder(prefix.resolve("bin/latchkey").toString(), "--cargo-plugin")
                .directory(temp.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(env);
        Process provider = builder.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(provider.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("{\"v\":[1]}", out.readLine(), "the provider's hello");
            // The launcher ran the JVM in its own process: the provider's pid is the JVM's.
            String maps = Files.readString(Path.of("/proc", Long.toString(provider.pid()), "maps"));
            assertTrue(maps.contains(prefix.resolve("lib/latchkey.jsa").toString()), "latchkey's archive is mapped");
            assertTrue(maps.contains(prefix.resolve("runtime/lib/server/classes.jsa").toString()), "the runtime's archive is mapped");
        } finally {
            provider.getOutputStream().close();
            provider.waitFor();
        }
    }

    /**
     * The .deb installed by dpkg into a Debian root of its own ({@link ThrowawayRoot}): it runs
     * there, holding only what it depends on, and dpkg removes every file of it; the machine's own
     * system is as it was.
     */
    @Test
    void theDebInstallsIntoARootOfItsOwnRunsThereAndIsRemoved() throws Exception {
        RequiredComponent.require(new UnixSystem().getUid() == 0, "root, to install the .deb into a root of its own with dpkg and chroot");
        for (String tool : List.of("dpkg", "apt-get", "apt-cache", "unshare", "chroot", "mount")) {
            RequiredComponent.executable(tool, "to install the .deb into a root of its own");
        }
        String machineBefore = machineState();
        String depends = ProcessRun.of(List.of("dpkg-deb", "--field", artifacts.deb().toString(), "Depends")).run().assertSuccess().stdout();
        List<String> dependencies = Arrays.stream(depends.split("[,|]")).map(part -> part.trim().split("[ (]")[0]).filter(name -> !name.isEmpty()).toList();
        assertFalse(dependencies.isEmpty(), depends);

        Path dir = Files.createTempDirectory(unpacked, "root");
        try {
            installRunAndRemove(ThrowawayRoot.make(dir.resolve("root"), dir.resolve("downloads"), dependencies));
        } finally {
            ProcessRun.of(List.of("rm", "-rf", dir.toString())).run().assertSuccess();
        }
        assertEquals(machineBefore, machineState(), "the machine's own system is as it was");
    }

    private void installRunAndRemove(ThrowawayRoot root) {
        root.dpkg("--install", artifacts.deb().toString()).assertSuccess();
        assertTrue(root.dpkg("--status", "latchkey").assertSuccess().stdout().contains("Status: install ok installed"));

        Map<String, String> env = Map.of("PATH", "/usr/bin:/bin", "HOME", "/tmp", "LATCHKEY_AUTOSTART", "0");
        String version = root.run(env, null, "latchkey", "--version").assertSuccess().stdout();
        assertTrue(version.startsWith("latchkey " + artifacts.version() + " (commit "), version);
        String registry = "sparse+https://deb.package.invalid/index/";
        root.run(env, "tok-deb\n", "latchkey", "store", registry).assertSuccess();
        assertEquals("tok-deb\n", root.run(env, null, "/usr/bin/latchkey", "get", registry).assertSuccess().stdout());
        assertTrue(Files.isRegularFile(root.dir.resolve("tmp/.local/share/latchkey/tokens.toml")), "the token went to the file store");

        root.dpkg("--purge", "latchkey").assertSuccess();
        for (String path : List.of("usr/lib/latchkey", "usr/bin/latchkey", "usr/lib/systemd/user/latchkey.socket", "usr/share/doc/latchkey")) {
            assertFalse(Files.exists(root.dir.resolve(path), LinkOption.NOFOLLOW_LINKS), "dpkg removed " + path);
        }
    }

    /** lintian, Debian's package checker, finds no error in the .deb (docs/install.md lists the warnings it leaves, and why). */
    @Test
    void lintianFindsNoErrorInTheDeb() {
        Path lintian = RequiredComponent.executable("lintian", "to check the .deb (scripts/test installs it)");
        ProcessRun.Result result = ProcessRun.of(List.of(lintian.toString(), artifacts.deb().toString()))
                .timeout(Duration.ofMinutes(5)).run();
        assertEquals(List.of(), result.stdout().lines().filter(line -> line.startsWith("E: ")).toList(), result::toString);
        assertEquals(0, result.exitCode(), result::toString);
    }

    /** What the machine says of latchkey: dpkg's record of a package of that name, and its files. */
    private static String machineState() {
        ProcessRun.Result query = ProcessRun.of(List.of("dpkg-query", "--show", "--showformat=${Status}", "latchkey")).run();
        return "dpkg-query exit " + query.exitCode() + ": " + query.stdout() + "; /usr/lib/latchkey "
                + Files.exists(Path.of("/usr/lib/latchkey")) + "; /usr/bin/latchkey " + Files.exists(Path.of("/usr/bin/latchkey"), LinkOption.NOFOLLOW_LINKS);
    }

    /** {@code env} without a JDK: no JAVA_HOME, and no {@code java} on PATH. */
    private static Map<String, String> withoutJdk(Map<String, String> env) {
        Map<String, String> result = new HashMap<>(env);
        result.remove("JAVA_HOME");
        result.put("PATH", pathWithoutJava);
        ProcessRun.Result java = ProcessRun.of(List.of("/bin/sh", "-c", "command -v java")).environment(result).run();
        assertTrue(java.exitCode() != 0, () -> "java is still on PATH: " + java);
        return result;
    }

    /**
     * The inherited PATH with each directory that holds a {@code java} replaced by one, under
     * {@code shadows}, of links to all its other programs.
     */
    private static String pathWithoutJava(Path shadows) throws IOException {
        List<String> path = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (dir.isEmpty() || !Files.exists(Path.of(dir, "java"))) {
                path.add(dir);
                continue;
            }
            Path shadow = Files.createDirectory(shadows.resolve(Integer.toString(path.size())));
            try (Stream<Path> programs = Files.list(Path.of(dir))) {
                for (Path program : programs.toList()) {
                    if (!program.getFileName().toString().equals("java")) {
                        Files.createSymbolicLink(shadow.resolve(program.getFileName()), program);
                    }
                }
            }
            path.add(shadow.toString());
        }
        return String.join(File.pathSeparator, path);
    }

    private static ProcessRun.Result run(Map<String, String> env, Path dir, String stdin, String... command) {
        ProcessRun run = ProcessRun.of(List.of(command)).environment(env).in(dir);
        return stdin == null ? run.run() : run.stdin(stdin).run();
    }

    /** cargo in {@code dir}: warns of nothing when it succeeds, and never shows the token. */
    private static ProcessRun.Result cargo(Map<String, String> env, Path dir, String stdin, RealCargo cargo, String token, String... args) {
        List<String> command = new ArrayList<>(List.of(cargo.executable().toString()));
        command.addAll(List.of(args));
        ProcessRun.Result result = run(env, dir, stdin, command.toArray(String[]::new));
        TokenLeaks.assertNotIn("cargo " + String.join(" ", args) + " (its stderr, latchkey's included)", result.stderr(), List.of(token));
        if (result.exitCode() == 0) {
            assertEquals(List.of(), result.stderr().lines().filter(line -> line.toLowerCase(Locale.ROOT).contains("warning")).toList(),
                    result::toString);
        }
        return result;
    }

    /** Stops every process whose command line names {@code dir} (a daemon a failed test left). */
    private static void stopProcessesOf(Path dir) {
        ProcessHandle.allProcesses()
                .filter(process -> process.info().commandLine().map(line -> line.contains(dir.toString())).orElse(false))
                .forEach(ProcessHandle::destroyForcibly);
    }

    private static Path root() {
        return Path.of(System.getProperty("latchkey.root")).toAbsolutePath().normalize();
    }
}
