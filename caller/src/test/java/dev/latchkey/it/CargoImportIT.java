package dev.latchkey.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code latchkey import cargo} on a credentials file that cargo itself wrote: the token moves to
 * latchkey, the rest of the file stays, and cargo's warning about a token it will ignore is gone.
 */
class CargoImportIT {
    private static final String REGISTRY = "lkreg";
    private static final String TOKEN = "lk-import-token-7f3e";

    @TempDir
    Path temp;
    private TestRegistry registry;

    @AfterEach
    void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void movesTheTokenCargoLoginWroteAndKeepsTheRestOfTheFile() throws IOException {
        RealCargo cargo = RealCargo.require();
        registry = TestRegistry.start(TOKEN);
        Path cargoHome = Files.createDirectories(temp.resolve("cargo-home"));
        Path credentials = cargoHome.resolve("credentials.toml");

        // cargo's own provider writes its own file, as a user's existing setup would have.
        Files.writeString(cargoHome.resolve("config.toml"), config("\"cargo:token\""));
        run(cargo.executable().toString(), TOKEN + "\n", "login", "--registry", REGISTRY).assertSuccess();
        assertEquals("[registries." + REGISTRY + "]\ntoken = \"" + TOKEN + "\"\n", Files.readString(credentials));
        Files.writeString(credentials, Files.readString(credentials) + "\n[registries.other]\nsecret-key-subject = \"kept\"\n");

        // Switched to latchkey, cargo warns that the file's token will be ignored.
        Files.writeString(cargoHome.resolve("config.toml"), config("[\"" + launcher() + "\"]"));
        ProcessRun.Result before = ownerList(cargo);
        assertTrue(before.stderr().contains("will be ignored"), () -> "cargo should warn before the import: " + before);

        ProcessRun.Result imported = run(launcher(), null, "import", "cargo").assertSuccess();
        assertTrue(imported.stderr().contains("moved the token for `" + REGISTRY + "`"), imported::toString);
        assertEquals("[registries." + REGISTRY + "]\n\n[registries.other]\nsecret-key-subject = \"kept\"\n",
                Files.readString(credentials), "only the token leaves cargo's file");
        assertEquals(TOKEN + "\n", run(launcher(), null, "get", REGISTRY).assertSuccess().stdout());

        int mark = registry.requests().size();
        ProcessRun.Result after = ownerList(cargo);
        assertTrue(after.stderr().lines().noneMatch(l -> l.contains("warning")), () -> "no warning after the import: " + after);
        assertTrue(registry.requests().subList(mark, registry.requests().size()).stream()
                        .anyMatch(s -> s.path().endsWith("/owners") && s.auth() == TestRegistry.Auth.ACCEPTED),
                () -> "cargo must have sent the imported token through latchkey: " + registry.requests());
        assertTrue(Files.readString(PrivateHomes.tokenFile(temp)).contains(TOKEN));
    }

    /** An authenticated API call; the crate does not exist, so only the authorisation matters. */
    private ProcessRun.Result ownerList(RealCargo cargo) {
        return run(cargo.executable().toString(), null, "owner", "--list", "--registry", REGISTRY, "no-such-crate");
    }

    private String config(String provider) {
        return "[registries." + REGISTRY + "]\nindex = \"" + registry.indexUrl() + "\"\ncredential-provider = " + provider + "\n";
    }

    private static String launcher() {
        return Path.of(System.getProperty("latchkey.root")).toAbsolutePath().normalize().resolve("scripts/latchkey").toString();
    }

    private ProcessRun.Result run(String program, String stdin, String... args) {
        List<String> command = new ArrayList<>(List.of(program));
        command.addAll(Arrays.asList(args));
        ProcessRun run = ProcessRun.of(command).environment(PrivateHomes.environment(temp, temp.resolve("cargo-home"))).in(temp);
        return stdin == null ? run.run() : run.stdin(stdin).run();
    }
}
