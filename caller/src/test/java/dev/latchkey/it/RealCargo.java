package dev.latchkey.it;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real cargo that the end-to-end tests drive: {@code cargo} on PATH, else
 * {@code ~/.cargo/bin/cargo}, version 1.74 or newer (the first with stable credential providers).
 * When there is none, a test fails under CI and is reported as not run otherwise, never skipped
 * silently.
 */
record RealCargo(Path executable, String version) {
    private static final Pattern VERSION = Pattern.compile("^cargo (\\d+)\\.(\\d+)\\.\\S+");
    private static final int MIN_MINOR = 74;

    /** The cargo to use, or the test stops here (failed under CI, aborted otherwise). */
    static RealCargo require() {
        List<Path> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, "cargo"));
            }
        }
        candidates.add(Path.of(System.getProperty("user.home"), ".cargo", "bin", "cargo"));
        Optional<Path> found = candidates.stream().filter(Files::isExecutable).findFirst();
        if (found.isEmpty()) {
            return missing("cargo was not found on PATH or at ~/.cargo/bin/cargo");
        }
        Path cargo = found.get();
        ProcessRun.Result result = ProcessRun.of(List.of(cargo.toString(), "--version"))
                .timeout(Duration.ofSeconds(60)).run();
        String version = result.stdout().trim();
        Matcher m = VERSION.matcher(version);
        if (result.exitCode() != 0 || !m.find()) {
            return missing(cargo + " --version did not report a version: " + result);
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        if (major < 1 || (major == 1 && minor < MIN_MINOR)) {
            return missing(cargo + " is " + version + "; credential providers need cargo 1." + MIN_MINOR + " or newer");
        }
        return new RealCargo(cargo, version);
    }

    /** The directory to put first on a child's PATH, so cargo finds the rustc of its own toolchain. */
    Path directory() {
        return executable.getParent();
    }

    private static RealCargo missing(String what) {
        return RequiredComponent.missing("real cargo: " + what + "; install cargo 1." + MIN_MINOR + "+ (rustup) to run the end-to-end tests");
    }
}
