package dev.latchkey.daemon.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real cargo's built-in {@code cargo:libsecret} and latchkey on one real gnome-keyring, both
 * ways: what {@code cargo login} stored latchkey reads; what latchkey stored cargo sends to a
 * registry on 127.0.0.1 that checks the Authorization header, and it replaces cargo's item rather
 * than adding a second; after {@code cargo logout} latchkey finds nothing.
 */
class CargoKeyringInteropIT {
    private static final String REGISTRY = "keyring-interop";

    @TempDir
    Path home;
    private Map<String, String> env;
    private Path cargo;
    private KeyringTestRegistry registry;

    @BeforeEach
    void start() throws IOException {
        env = LatchkeyJar.isolatedEnvironment(SessionKeyring.environment(), home);
        env.keySet().removeIf(name -> name.toLowerCase(Locale.ROOT).endsWith("_proxy")); // the registry is on loopback
        env.put("CARGO_TERM_COLOR", "never");
        cargo = RequiredComponent.executable("cargo", Path.of(System.getProperty("user.home"), ".cargo", "bin", "cargo"));
        registry = KeyringTestRegistry.start();
        Files.writeString(Path.of(env.get("CARGO_HOME"), "config.toml"), "[registries." + REGISTRY + "]\n"
                + "index = \"" + registry.indexUrl() + "\"\n"
                + "credential-provider = \"cargo:libsecret\"\n");
    }

    @AfterEach
    void stop() {
        CommandRun.of(LatchkeyJar.command("erase", REGISTRY), env, home).run();
        registry.close();
    }

    private CommandRun.Finished cargo(String stdin, String... args) {
        List<String> command = new ArrayList<>();
        command.add(cargo.toString());
        command.addAll(List.of(args));
        return CommandRun.of(command, env, home).withStdin(stdin).withLimit(Duration.ofSeconds(120)).run();
    }

    private CommandRun.Finished latchkey(String stdin, String... args) {
        return CommandRun.of(LatchkeyJar.command(args), env, home).withStdin(stdin).run();
    }

    @Test
    void whatCargoLoginStoredLatchkeyGetsAndAfterCargoLogoutLatchkeyFindsNothing() {
        String token = "cargo-login-token-" + UUID.randomUUID();
        cargo(token + "\n", "login", "--registry", REGISTRY).assertExit(0);

        assertEquals(token + "\n", latchkey("", "get", REGISTRY).assertExit(0).stdout());
        String listed = latchkey("", "list").assertExit(0).stdout();
        assertTrue(listed.lines().anyMatch(l -> l.startsWith(REGISTRY + " ") && l.contains(" keychain ")), listed);

        cargo("", "logout", "--registry", REGISTRY).assertExit(0);
        CommandRun.Finished gone = latchkey("", "get", REGISTRY).assertExit(1);
        assertTrue(gone.stderr().contains("no token for `" + REGISTRY + "`"), gone.toString());
    }

    @Test
    void whatLatchkeyStoredReplacesCargosItemAndCargoSendsItToTheRegistry() {
        cargo("older-token-" + UUID.randomUUID() + "\n", "login", "--registry", REGISTRY).assertExit(0);
        String token = "latchkey-stored-token-" + UUID.randomUUID();
        registry.expect(token);
        CommandRun.Finished stored = latchkey(token + "\n", "store", REGISTRY).assertExit(0);
        assertTrue(stored.stderr().contains("in the keychain store"), stored.toString());

        CommandRun.Finished search = CommandRun.of(List.of(RequiredComponent.executable("secret-tool").toString(), "search",
                "--all", "xdg:schema", "org.rust-lang.cargo.registry", "url", registry.indexUrl()), env, home).run().assertExit(0);
        String items = search.stdout() + search.stderr();
        assertEquals(1, items.lines().filter(l -> l.startsWith("label = ")).count(), "one item, replaced in place: " + items);
        assertTrue(items.contains("label = cargo-registry:" + REGISTRY), items);

        CommandRun.Finished owners = cargo("", "owner", "--list", "keyring-crate", "--registry", REGISTRY).assertExit(0);
        assertTrue(owners.stdout().contains(KeyringTestRegistry.OWNER), owners.toString());
        assertEquals(List.of(token), registry.authorizations(), "cargo sent latchkey's token, and only that");

        cargo("", "logout", "--registry", REGISTRY).assertExit(0);
        latchkey("", "get", REGISTRY).assertExit(1);
    }
}
