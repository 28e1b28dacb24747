package dev.latchkey.it;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real component a test needs (a program, cargo, a keyring, root): under CI=true its absence
 * fails the test; elsewhere the test is not run, and says so on stderr as well as in the report.
 * Every test that needs something real asks here, so the rule is written once.
 */
final class RequiredComponent {
    private RequiredComponent() {
    }

    /** Whether this is CI ({@code CI=true}, passed on by Maven as {@code latchkey.ci}), where nothing may be missing. */
    static boolean underCi() {
        return "true".equalsIgnoreCase(System.getProperty("latchkey.ci")) || "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Stops the test because {@code what} is missing; never returns normally (typed so that callers can return it). */
    static <T> T missing(String what) {
        String message = "a real component is missing: " + what + " (scripts/test installs and starts what it can)";
        if (underCi()) {
            return Assertions.fail("CI=true and " + message);
        }
        System.err.println("NOT RUN: " + message);
        return Assumptions.abort("NOT RUN: " + message);
    }

    /** When {@code met} is false, stops the test because {@code requirement} is not met. */
    static void require(boolean met, String requirement) {
        if (!met) {
            missing(requirement);
        }
    }

    /** The program {@code name} on PATH. */
    static Path executable(String name) {
        return executable(name, "");
    }

    /** The program {@code name} on PATH, which the test needs {@code forWhat} ("to run a client as another user"). */
    static Path executable(String name, String forWhat) {
        Path found = find(name);
        return found != null ? found : missing("`" + name + "` is not on PATH" + (forWhat.isEmpty() ? "" : "; it is needed " + forWhat));
    }

    /** Whether the program {@code name} is on PATH. */
    static boolean onPath(String name) {
        return find(name) != null;
    }

    private static Path find(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name);
            }
        }
        return null;
    }
}
