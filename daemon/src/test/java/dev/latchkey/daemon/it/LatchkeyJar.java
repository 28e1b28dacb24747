package dev.latchkey.daemon.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;

/** The latchkey jar that users run ({@code latchkey.jar}, built by {@code package}), as commands and environments. */
final class LatchkeyJar {
    private LatchkeyJar() {
    }

    static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    static Path jar() {
        String jar = System.getProperty("latchkey.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            fail("latchkey.jar is not built (system property latchkey.jar = " + jar + "); run through `./mvnw verify`");
        }
        return Path.of(jar);
    }

    /** {@code java [jvmOptions] -jar latchkey.jar args}. */
    static List<String> command(List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>();
        command.add(java().toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(List.of(args));
        return command;
    }

    static List<String> command(String... args) {
        return command(List.of(), args);
    }

    /**
     * {@code base} with latchkey's and cargo's own files under {@code home} (config, token file,
     * state, CARGO_HOME) and no token or latchkey setting inherited from the machine. The session
     * bus variables of {@code base} are kept: they decide which keyring latchkey reaches.
     */
    static Map<String, String> isolatedEnvironment(Map<String, String> base, Path home) {
        Map<String, String> env = new HashMap<>(base);
        env.keySet().removeIf(name -> name.startsWith("LATCHKEY_") || name.startsWith("CARGO_REGISTRIES_")
                || name.equals("CARGO_REGISTRY_TOKEN"));
        env.put("XDG_CONFIG_HOME", directory(home.resolve("config")));
        env.put("XDG_DATA_HOME", directory(home.resolve("data")));
        env.put("XDG_STATE_HOME", directory(home.resolve("state")));
        env.put("CARGO_HOME", directory(home.resolve("cargo")));
        return env;
    }

    private static String directory(Path path) {
        try {
            return Files.createDirectories(path).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
