package dev.latchkey.daemon.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher as users install it: through a symlink on their PATH, run from any directory,
 * with nothing but the program's own output on stdout (cargo reads it as protocol).
 */
class LauncherIT {
    @TempDir
    Path temp;

    private Path linkedLauncher() throws Exception {
        Path launcher = Path.of(System.getProperty("latchkey.root")).toAbsolutePath().normalize().resolve("scripts/latchkey");
        Path bin = Files.createDirectories(temp.resolve("bin"));
        return Files.createSymbolicLink(bin.resolve("latchkey"), launcher);
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
