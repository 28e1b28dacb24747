package dev.latchkey.caller.exec;

import dev.latchkey.caller.secrets.SecretMatcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code latchkey exec} will do, in a JVM of its own that a test starts and sends signals to:
 * {@code SECRETS_FILE [--no-mask] -- COMMAND...}. Each line of the secrets file is {@code NAME
 * VARIABLE VALUE}: the value goes into the child's environment as VARIABLE and is masked as NAME.
 * The file, not the command line or the environment, carries the values, as the token store does
 * for latchkey.
 */
public final class ExecInChildJvm {
    private ExecInChildJvm() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        List<String> arguments = Arrays.asList(args);
        int separator = arguments.indexOf("--");
        boolean masked = !arguments.subList(1, separator).contains("--no-mask");
        Map<String, String> environment = new HashMap<>(System.getenv());
        Map<String, byte[]> secrets = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
            String[] parts = line.split(" ", 3);
            environment.put(parts[1], parts[2]);
            secrets.put(parts[0], parts[2].getBytes(StandardCharsets.UTF_8));
        }
        ChildRunner runner = masked ? ChildRunner.masking(SecretMatcher.of(secrets)) : ChildRunner.unmasked();
        System.exit(runner.run(arguments.subList(separator + 1, arguments.size()), environment));
    }
}
