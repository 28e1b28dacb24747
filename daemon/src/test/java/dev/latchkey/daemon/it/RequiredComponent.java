package dev.latchkey.daemon.it;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/** A real component a test needs: under CI=true its absence fails the test, elsewhere it skips it loudly. */
final class RequiredComponent {
    private RequiredComponent() {
    }

    /** Stops the test because {@code what} is missing; never returns normally. */
    static void missing(String what) {
        String message = what + " (scripts/test installs and starts what it can)";
        if ("true".equalsIgnoreCase(System.getProperty("latchkey.ci"))) {
            Assertions.fail("CI=true and a real component is missing: " + message);
        }
        Assumptions.abort("SKIPPED, a real component is missing: " + message);
    }

    /** An executable named {@code name} on PATH, or in {@code fallback} when not on PATH. */
    static Path executable(String name, Path... fallback) {
        Optional<Path> found = Stream.concat(
                        Stream.of(System.getenv().getOrDefault("PATH", "").split(":")).filter(d -> !d.isEmpty())
                                .map(d -> Path.of(d, name)),
                        Stream.of(fallback))
                .filter(Files::isExecutable)
                .findFirst();
        if (found.isEmpty()) {
            missing(name + " is not on PATH");
        }
        return found.orElseThrow();
    }
}
