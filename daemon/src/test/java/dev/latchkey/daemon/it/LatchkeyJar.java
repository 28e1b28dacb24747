package dev.latchkey.daemon.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line that runs the packaged program, the jar failsafe was given, with this JVM's java. */
final class LatchkeyJar {
    private LatchkeyJar() {
    }

    static List<String> command(String... args) {
        Path jar = Path.of(System.getProperty("latchkey.jar"));
        assertTrue(Files.isRegularFile(jar), "the packaged jar is missing: " + jar);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(Arrays.asList(args));
        return command;
    }
}
