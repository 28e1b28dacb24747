package dev.latchkey.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The real pnpm whose {@code tokenHelper} the npm front door serves: the version test-tools.properties
 * names, installed once from the npm registry into the {@link TestToolCache} (scripts/test installs it
 * there ahead of a run). pnpm runs on the machine's node, which must be on PATH.
 */
record RealPnpm(Path executable, String version) {
    /** pnpm, installed first if it is not there yet; or the test stops here (failed under CI, not run otherwise). */
    static RealPnpm require() {
        RequiredComponent.executable("node", "to run pnpm");
        String version = TestToolCache.toolVersion("pnpm.version");
        Path installed;
        try {
            installed = TestToolCache.entry("pnpm-" + version, "node_modules/.bin/pnpm", scratch -> install(scratch, version));
        } catch (IOException | UncheckedIOException e) {
            return RequiredComponent.missing("pnpm " + version + " could not be installed with npm: " + e.getMessage());
        }
        return new RealPnpm(installed.resolve("node_modules/.bin/pnpm"), version);
    }

    private static void install(Path prefix, String version) throws IOException {
        RequiredComponent.executable("npm", "to install pnpm");
        ProcessRun.Result result = ProcessRun.of(List.of("npm", "install", "--prefix", prefix.toString(),
                        "--no-audit", "--no-fund", "--silent", "pnpm@" + version))
                .timeout(Duration.ofMinutes(5)).run();
        if (result.exitCode() != 0 || !Files.isExecutable(prefix.resolve("node_modules/.bin/pnpm"))) {
            throw new IOException("npm install pnpm@" + version + " failed: " + result);
        }
    }
}
