package dev.latchkey.daemon.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher as users install it: through a symlink on their PATH, run from any directory,
 * with nothing but the program's own output on stdout (cargo reads it as protocol).
 */
class LauncherIT {
    @TempDir
    Path temp;

    private static Path root() {
        return Path.of(System.getProperty("latchkey.root")).toAbsolutePath().normalize();
    }

    private Path linkedLauncher() throws Exception {
        return linkTo(root());
    }

    private Path linkTo(Path checkout) throws Exception {
        Path bin = Files.createDirectories(temp.resolve("bin"));
        return Files.createSymbolicLink(bin.resolve("latchkey"), checkout.resolve("scripts/latchkey"));
    }

    /**
     * A fresh checkout has no jar: the launcher builds it on first use, and cargo runs it from the
     * user's directory, never the checkout's. The build's output must not reach stdout.
     */
    @Test
    void buildsOnFirstUseWhenRunFromAnotherDirectory() throws Exception {
        Path checkout = temp.resolve("checkout");
        copySources(root(), checkout);
        Path elsewhere = Files.createDirectories(temp.resolve("some/project"));
        String get = "{\"v\":1,\"registry\":{\"index-url\":\"sparse+http://127.0.0.1:9/index/\",\"name\":\"none\"},"
                + "\"kind\":\"get\",\"operation\":\"read\"}\n";
        ProcessRun.Result result = ProcessRun.of(List.of(linkTo(checkout).toString(), "--cargo-plugin"))
                .environment(PrivateHomes.environment(temp, temp.resolve("cargo"))).in(elsewhere).stdin(get)
                .timeout(Duration.ofMinutes(5)).run().assertSuccess();
        assertEquals("{\"v\":[1]}\n{\"Err\":{\"kind\":\"not-found\"}}\n", result.stdout());
        assertTrue(result.stderr().contains("latchkey: building"), result::toString);
        assertTrue(Files.isRegularFile(checkout.resolve("daemon/target/latchkey.jar")), result::toString);
    }

    /** What a clone holds: the sources, without the git metadata or anything a build made. */
    private static void copySources(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path relative = from.relativize(source);
                if (madeByBuildOrGit(relative)) {
                    continue;
                }
                Path target = to.resolve(relative.toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static boolean madeByBuildOrGit(Path relative) {
        for (Path part : relative) {
            String name = part.toString();
            if (name.equals("target") || name.equals(".git") || name.equals(".latchkey-build.lock")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void runsThroughASymlinkFromAnotherDirectory() throws Exception {
        Path elsewhere = Files.createDirectories(temp.resolve("some/project"));
        ProcessRun.Result result = ProcessRun.of(List.of(linkedLauncher().toString(), "--version"))
                .environment(PrivateHomes.environment(temp, temp.resolve("cargo"))).in(elsewhere).run().assertSuccess();
        assertTrue(result.stdout().matches("latchkey \\S+\n"), result::toString);
    }

    @Test
    void providerModeWritesOnlyProtocolToStdout() throws Exception {
        String get = "{\"v\":1,\"registry\":{\"index-url\":\"sparse+http://127.0.0.1:9/index/\",\"name\":\"none\"},"
                + "\"kind\":\"get\",\"operation\":\"read\"}\n";
        ProcessRun.Result result = ProcessRun.of(List.of(linkedLauncher().toString(), "--cargo-plugin"))
                .environment(PrivateHomes.environment(temp, temp.resolve("cargo"))).in(temp).stdin(get).run().assertSuccess();
        assertEquals("{\"v\":[1]}\n{\"Err\":{\"kind\":\"not-found\"}}\n", result.stdout());
    }
}
