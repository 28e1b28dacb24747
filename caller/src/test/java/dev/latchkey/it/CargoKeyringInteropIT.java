package dev.latchkey.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real cargo's built-in {@code cargo:libsecret} and latchkey on one real gnome-keyring, both
 * ways: what {@code cargo login} stored latchkey reads; what latchkey stored replaces cargo's item
 * (one item, cargo's label) and is what cargo then sends to an authenticated registry on 127.0.0.1
 * to publish and list owners; after {@code cargo logout} latchkey finds nothing.
 */
class CargoKeyringInteropIT {
    private static final String REGISTRY = "keyring-interop";
    private static final String CRATE = "keyring-interop-crate";

    @TempDir
    Path home;
    private Map<String, String> env;
    private RealCargo cargo;
    private TestRegistry registry;
    private final String acceptedToken = "latchkey-stored-token-" + UUID.randomUUID();

    @BeforeEach
    void start() throws IOException {
        env = SessionKeyring.privateHomes(home);
        cargo = RealCargo.require();
        env.put("PATH", cargo.directory() + File.pathSeparator + env.getOrDefault("PATH", ""));
        env.keySet().removeIf(name -> name.toLowerCase(Locale.ROOT).endsWith("_proxy")); // the registry is on loopback
        registry = TestRegistry.start(acceptedToken);
        Path noCratesIo = Files.createDirectories(home.resolve("no-crates-io"));
        Path cargoHome = Files.createDirectories(Path.of(env.get("CARGO_HOME")));
        Files.writeString(cargoHome.resolve("config.toml"), "[registries." + REGISTRY + "]\n"
                + "index = \"" + registry.indexUrl() + "\"\n"
                + "credential-provider = \"cargo:libsecret\"\n"
                + "\n[source.crates-io]\nreplace-with = \"no-crates-io\"\n"
                + "\n[source.no-crates-io]\ndirectory = \"" + noCratesIo + "\"\n");
    }

    @AfterEach
    void stop() {
        latchkey("", "erase", REGISTRY);
        registry.close();
    }

    private ProcessRun.Result cargo(Path directory, String stdin, String... args) {
        List<String> command = new ArrayList<>();
        command.add(cargo.executable().toString());
        command.addAll(List.of(args));
        return ProcessRun.of(command).environment(env).in(directory).stdin(stdin).run();
    }

    private ProcessRun.Result latchkey(String stdin, String... args) {
        return ProcessRun.of(LatchkeyProcess.command(List.of(), args)).environment(env).in(home).stdin(stdin).run();
    }

    @Test
    void whatCargoLoginStoredLatchkeyGetsAndAfterCargoLogoutLatchkeyFindsNothing() {
        String token = "cargo-login-token-" + UUID.randomUUID();
        cargo(home, token + "\n", "login", "--registry", REGISTRY).assertSuccess();

        assertEquals(token + "\n", latchkey("", "get", REGISTRY).assertSuccess().stdout());
        String listed = latchkey("", "list").assertSuccess().stdout();
        assertTrue(listed.lines().anyMatch(l -> l.startsWith(REGISTRY + " ") && l.contains(" keychain ")), listed);

        cargo(home, "", "logout", "--registry", REGISTRY).assertSuccess();
        ProcessRun.Result gone = latchkey("", "get", REGISTRY).assertExit(1);
        assertTrue(gone.stderr().contains("no token for `" + REGISTRY + "`"), gone.toString());
    }

    @Test
    void whatLatchkeyStoredReplacesCargosItemAndCargoAuthenticatesWithIt() throws IOException {
        cargo(home, "older-token-" + UUID.randomUUID() + "\n", "login", "--registry", REGISTRY).assertSuccess();
        ProcessRun.Result stored = latchkey(acceptedToken + "\n", "store", REGISTRY).assertSuccess();
        assertTrue(stored.stderr().contains("in the keychain store"), stored.toString());

        ProcessRun.Result search = ProcessRun.of(List.of(RequiredComponent.executable("secret-tool").toString(), "search",
                "--all", "xdg:schema", "org.rust-lang.cargo.registry", "url", registry.indexUrl()))
                .environment(env).run().assertSuccess();
        String items = search.stdout() + search.stderr(); // secret-tool prints the attributes on stderr
        assertEquals(1, items.lines().filter(l -> l.startsWith("label = ")).count(), "one item, replaced in place: " + items);
        assertTrue(items.contains("label = cargo-registry:" + REGISTRY), items);

        int mark = registry.requests().size();
        cargo(writeCrate(), "", "publish", "--no-verify", "--registry", REGISTRY).assertSuccess();
        ProcessRun.Result owners = cargo(home, "", "owner", "--list", CRATE, "--registry", REGISTRY).assertSuccess();
        assertTrue(owners.stdout().contains(TestRegistry.PUBLISHER), owners.toString());
        List<TestRegistry.Seen> seen = registry.requests().subList(mark, registry.requests().size());
        assertTrue(seen.stream().anyMatch(r -> r.method().equals("PUT") && r.path().equals("/api/v1/crates/new")
                && r.auth() == TestRegistry.Auth.ACCEPTED), seen.toString());
        assertFalse(seen.stream().anyMatch(r -> r.auth() == TestRegistry.Auth.REJECTED), "cargo sent another token: " + seen);

        cargo(home, "", "logout", "--registry", REGISTRY).assertSuccess();
        latchkey("", "get", REGISTRY).assertExit(1);
    }

    /** A library with no dependencies, to publish. */
    private Path writeCrate() throws IOException {
        Path dir = Files.createDirectories(home.resolve(CRATE).resolve("src"));
        Files.writeString(dir.resolve("lib.rs"), "pub fn answer() -> u32 {\n    42\n}\n");
        Files.writeString(dir.getParent().resolve("Cargo.toml"), "[package]\nname = \"" + CRATE + "\"\nversion = \"0.1.0\"\n"
                + "edition = \"2021\"\ndescription = \"published by latchkey's keyring tests\"\nlicense = \"MIT\"\n");
        return dir.getParent();
    }
}
