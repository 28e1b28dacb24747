package dev.latchkey.it;

import dev.latchkey.it.TestRegistry.Auth;
import dev.latchkey.it.TestRegistry.Seen;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * latchkey as cargo's credential provider, end to end: the real cargo, the launcher users name in
 * cargo's config, and a real authenticated registry ({@link TestRegistry}) on 127.0.0.1. One user's
 * whole life with a registry (log in, publish, resolve, download, yank, unyank, manage owners, log
 * out, paste a stale token, log in again) runs for each way of configuring the provider, with a
 * fresh CARGO_HOME for each command and with one for all of them.
 *
 * <p>cargo and latchkey get private homes (CARGO_HOME, XDG directories) in a temporary directory.
 * crates.io is replaced by an empty local source, so nothing here can reach the network.
 */
class CargoEndToEndIT {
    private static final String REGISTRY = "lkreg";

    private static RealCargo cargo;
    private static Path launcher;

    /**
     * A fresh CARGO_HOME for every command proves that what works across commands works because
     * latchkey kept the token; one home for all, as a user has, adds cargo's cached index (no
     * unauthenticated probe) and lets cargo see any credentials file written along the way.
     */
    enum CargoHomes { FRESH_FOR_EACH_COMMAND, ONE_FOR_ALL_COMMANDS }

    @TempDir
    Path temp;
    private TestRegistry registry;
    private CargoFixtures.ProviderSetting setting;
    private CargoHomes homes;
    private final String firstToken = "lk-e2e-first-" + UUID.randomUUID();
    private final String secondToken = "lk-e2e-second-" + UUID.randomUUID();
    private final List<Path> cargoHomes = new ArrayList<>();

    @BeforeAll
    static void findLatchkey() {
        launcher = CargoFixtures.launcher();
        assertTrue(Files.isExecutable(launcher), "the launcher is missing: " + launcher);
        // registry.global-credential-providers splits each entry on whitespace.
        assertFalse(launcher.toString().matches(".*\\s.*"), "the repository path must not contain whitespace: " + launcher);
    }

    /** Per test rather than per class, so that a missing cargo shows as each test not run, not as nothing. */
    @BeforeEach
    void findCargoAndStartRegistry() throws IOException {
        if (cargo == null) {
            cargo = RealCargo.require();
        }
        registry = TestRegistry.start(firstToken);
    }

    @AfterEach
    void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    static Stream<Arguments> scenarios() {
        return Stream.of(CargoFixtures.ProviderSetting.values())
                .flatMap(setting -> Stream.of(CargoHomes.values()).map(homes -> Arguments.of(setting, homes)));
    }

    @ParameterizedTest(name = "latchkey configured {0}, {1}")
    @MethodSource("scenarios")
    void cargoKeepsItsRegistryTokenInLatchkey(CargoFixtures.ProviderSetting setting, CargoHomes homes) throws IOException {
        this.setting = setting;
        this.homes = homes;
        Path core = CargoFixtures.writeCoreCrate(temp, REGISTRY);
        Path app = CargoFixtures.writeAppCrate(temp, REGISTRY);

        loginStoresTheTokenInLatchkey();
        publishUploadsTheCrateWithTheToken(core);
        resolveAndDownloadSendTheToken(app);
        yankAndUnyankSendTheToken();
        ownersSendTheToken();
        logoutErasesTheToken(app);
        aStaleTokenIsRejectedUntilTheUserLogsInAgain(app);

        for (Path home : cargoHomes) {
            assertFalse(Files.exists(home.resolve("credentials.toml")) || Files.exists(home.resolve("credentials")),
                    "latchkey must not write cargo's credentials file unless its `cargo` store is named: " + home);
        }
        // Neither token is anywhere but in latchkey's token file: not in its metadata book or audit
        // log, cargo's caches, the crates' build output (each command's stderr was checked as it ran).
        Path tokenFile = PrivateHomes.tokenFile(temp);
        assertTrue(TokenLeaks.assertNoFileHolds(temp, tokenFile::equals, List.of(firstToken, secondToken)) > 10);
        assertTrue(Files.exists(temp.resolve("xdg/state/latchkey/audit.log")), "every request was audited");
    }

    private void loginStoresTheTokenInLatchkey() throws IOException {
        int mark = registry.requests().size();
        cargo(temp, firstToken + "\n", "login", "--registry", REGISTRY).assertSuccess();
        TestRegistry.assertNoTokenSent(since(mark)); // latchkey held none yet
        assertTrue(latchkey("get", REGISTRY).assertSuccess().stdout().equals(firstToken + "\n"),
                "latchkey must hand out the token cargo login gave it");
    }

    private void publishUploadsTheCrateWithTheToken(Path core) throws IOException {
        int mark = registry.requests().size();
        cargo(core, null, "publish", "--registry", REGISTRY).assertSuccess();
        TestRegistry.assertTokenSent(since(mark), "GET /index/config.json", "PUT /api/v1/crates/new",
                "GET /index/" + TestRegistry.indexPathOf(CORE));
        byte[] uploaded = registry.crateFile(CORE, VERSION);
        assertTrue(CargoFixtures.crateFiles(core.resolve("target/package")).stream().anyMatch(packaged -> Arrays.equals(packaged, uploaded)),
                "the registry must hold exactly the .crate file cargo packaged");
    }

    private void resolveAndDownloadSendTheToken(Path app) throws IOException {
        int mark = registry.requests().size();
        cargo(app, null, "generate-lockfile").assertSuccess();
        TestRegistry.assertTokenSent(since(mark), "GET /index/" + TestRegistry.indexPathOf(CORE));
        String lock = Files.readString(app.resolve("Cargo.lock"));
        assertTrue(lock.contains("name = \"" + CORE + "\"") && lock.contains("source = \"" + registry.indexUrl()),
                () -> "Cargo.lock must pin the core crate to the test registry:\n" + lock);

        mark = registry.requests().size();
        cargo(app, null, "fetch").assertSuccess();
        TestRegistry.assertTokenSent(since(mark), "GET /dl/" + CORE + "/" + VERSION + "/download");
        List<byte[]> downloaded = CargoFixtures.crateFiles(lastCargoHome().resolve("registry/cache"));
        assertEquals(1, downloaded.size(), "cargo must have downloaded one .crate file");
        assertArrayEquals(registry.crateFile(CORE, VERSION), downloaded.get(0),
                "cargo must have downloaded the published .crate file");
    }

    private void yankAndUnyankSendTheToken() throws IOException {
        int mark = registry.requests().size();
        cargo(temp, null, "yank", "--registry", REGISTRY, "--vers", VERSION, CORE).assertSuccess();
        TestRegistry.assertTokenSent(since(mark), "DELETE /api/v1/crates/" + CORE + "/" + VERSION + "/yank");
        assertTrue(registry.isYanked(CORE, VERSION), "the yank must have reached the registry");

        mark = registry.requests().size();
        cargo(temp, null, "yank", "--undo", "--registry", REGISTRY, "--vers", VERSION, CORE).assertSuccess();
        TestRegistry.assertTokenSent(since(mark), "PUT /api/v1/crates/" + CORE + "/" + VERSION + "/unyank");
        assertFalse(registry.isYanked(CORE, VERSION), "the unyank must have reached the registry");
    }

    private void ownersSendTheToken() throws IOException {
        int mark = registry.requests().size();
        cargo(temp, null, "owner", "--registry", REGISTRY, "--add", "alice", CORE).assertSuccess();
        TestRegistry.assertTokenSent(since(mark), "PUT /api/v1/crates/" + CORE + "/owners");
        assertEquals(List.of(TestRegistry.PUBLISHER, "alice"), registry.owners(CORE));

        mark = registry.requests().size();
        ProcessRun.Result list = cargo(temp, null, "owner", "--registry", REGISTRY, "--list", CORE).assertSuccess();
        TestRegistry.assertTokenSent(since(mark), "GET /api/v1/crates/" + CORE + "/owners");
        assertEquals(List.of(TestRegistry.PUBLISHER, "alice"), list.stdout().lines().map(String::strip).toList(),
                () -> "cargo owner --list must show both owners: " + list);

        mark = registry.requests().size();
        cargo(temp, null, "owner", "--registry", REGISTRY, "--remove", "alice", CORE).assertSuccess();
        TestRegistry.assertTokenSent(since(mark), "DELETE /api/v1/crates/" + CORE + "/owners");
        assertEquals(List.of(TestRegistry.PUBLISHER), registry.owners(CORE));
    }

    private void logoutErasesTheToken(Path app) throws IOException {
        cargo(temp, null, "logout", "--registry", REGISTRY).assertSuccess();
        latchkey("get", REGISTRY).assertExit(1);

        int mark = registry.requests().size();
        ProcessRun.Result resolve = cargo(app, null, "generate-lockfile");
        assertNotEquals(0, resolve.exitCode(), () -> "without a token cargo must fail: " + resolve);
        assertTrue(resolve.stderr().contains("no token found for `" + REGISTRY + "`"),
                () -> "cargo must say it has no token: " + resolve);
        TestRegistry.assertNoTokenSent(since(mark));
    }

    /** The registry revoked the first token; the user pastes it anyway, sees it rejected, then logs in right. */
    private void aStaleTokenIsRejectedUntilTheUserLogsInAgain(Path app) throws IOException {
        registry.acceptOnly(secondToken);
        int mark = registry.requests().size();
        cargo(temp, firstToken + "\n", "login", "--registry", REGISTRY).assertSuccess();
        TestRegistry.assertNoTokenSent(since(mark)); // latchkey held none: it was logged out

        mark = registry.requests().size();
        ProcessRun.Result rejected = cargo(app, null, "generate-lockfile");
        assertNotEquals(0, rejected.exitCode(), () -> "a revoked token must fail: " + rejected);
        assertTrue(rejected.stderr().contains("token rejected for `" + REGISTRY + "`"),
                () -> "cargo must report the rejected token: " + rejected);
        assertTrue(since(mark).stream().anyMatch(s -> s.auth() == Auth.REJECTED),
                () -> "cargo must have sent the stale token: " + registry.requests());

        cargo(temp, secondToken + "\n", "login", "--registry", REGISTRY).assertSuccess();
        assertTrue(latchkey("get", REGISTRY).assertSuccess().stdout().equals(secondToken + "\n"),
                "the second login must replace the stale token");
        mark = registry.requests().size();
        cargo(app, null, "generate-lockfile").assertSuccess();
        TestRegistry.assertTokenSent(since(mark), "GET /index/" + TestRegistry.indexPathOf(CORE));
    }

    /**
     * Runs cargo in {@code dir}, stdin given or closed. Whatever the outcome, cargo must not have
     * warned about tokens or credentials; a command that succeeds must not have warned at all.
     */
    private ProcessRun.Result cargo(Path dir, String stdin, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(cargo.executable().toString());
        command.addAll(Arrays.asList(args));
        ProcessRun run = ProcessRun.of(command).environment(environment(cargoHome())).in(dir);
        ProcessRun.Result result = stdin == null ? run.run() : run.stdin(stdin).run();
        TokenLeaks.assertNotIn("cargo " + String.join(" ", args) + " (its stderr, latchkey's included)", result.stderr(),
                List.of(firstToken, secondToken));
        List<String> warnings = result.stderr().lines().filter(line -> line.toLowerCase(Locale.ROOT).contains("warning")).toList();
        if (result.exitCode() == 0) {
            assertEquals(List.of(), warnings, () -> "cargo warned: " + result);
        } else {
            assertEquals(List.of(), warnings.stream().filter(CargoEndToEndIT::aboutCredentials).toList(),
                    () -> "cargo warned about credentials: " + result);
        }
        return result;
    }

    /** The CARGO_HOME for the next cargo command: a new one, or the scenario's one, made on first use. */
    private Path cargoHome() throws IOException {
        if (homes == CargoHomes.ONE_FOR_ALL_COMMANDS && !cargoHomes.isEmpty()) {
            return lastCargoHome();
        }
        Path home = Files.createDirectories(temp.resolve("cargo-home-" + (cargoHomes.size() + 1)));
        Files.writeString(home.resolve("config.toml"), CargoFixtures.cargoConfig(temp, REGISTRY, registry.indexUrl(), launcher, setting));
        cargoHomes.add(home);
        return home;
    }

    private static boolean aboutCredentials(String line) {
        String lower = line.toLowerCase(Locale.ROOT);
        return lower.contains("token") || lower.contains("credential");
    }

    /** The launcher, as a user runs it, seeing the same latchkey files and cargo config as cargo did. */
    private ProcessRun.Result latchkey(String... args) {
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(Arrays.asList(args));
        ProcessRun.Result result = ProcessRun.of(command).environment(environment(lastCargoHome())).in(temp).run();
        TokenLeaks.assertNotIn("latchkey " + String.join(" ", args) + " (its stderr)", result.stderr(), List.of(firstToken, secondToken));
        return result;
    }

    /** Private homes for cargo and latchkey, with the cargo under test first on PATH. */
    private Map<String, String> environment(Path cargoHome) {
        Map<String, String> env = PrivateHomes.environment(temp, cargoHome);
        env.put("PATH", cargo.directory() + File.pathSeparator + env.getOrDefault("PATH", ""));
        return env;
    }

    private List<Seen> since(int mark) {
        return registry.requestsSince(mark);
    }

    private Path lastCargoHome() {
        return cargoHomes.get(cargoHomes.size() - 1);
    }
}
