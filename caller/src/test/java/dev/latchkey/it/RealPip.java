package dev.latchkey.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real pip to drive: {@code PYTHON -m pip} of Debian's {@code /usr/bin/python3} when it is new
 * enough, else of the {@code python3} on PATH, named by its real interpreter (a pyenv shim costs
 * about a second per start and needs the user's own HOME, which a sandboxed client does not have).
 */
record RealPip(Path python, String version) {
    private static final Pattern VERSION = Pattern.compile("^pip (\\d+(?:\\.\\d+)*)");

    /** A pip of at least {@code minimum} ("23.1"), or the test stops here (failed under CI, not run otherwise). */
    static RealPip require(String minimum) {
        List<String> seen = new ArrayList<>();
        for (Path python : candidates()) {
            ProcessRun.Result result = ProcessRun.of(List.of(python.toString(), "-m", "pip", "--version"))
                    .timeout(Duration.ofSeconds(60)).run();
            Matcher m = VERSION.matcher(result.stdout());
            if (result.exitCode() != 0 || !m.find()) {
                seen.add(python + " has no pip");
            } else if (compare(m.group(1), minimum) < 0) {
                seen.add(python + " has pip " + m.group(1));
            } else {
                return new RealPip(python, m.group(1));
            }
        }
        return RequiredComponent.missing("no pip " + minimum + " or newer (" + String.join("; ", seen)
                + "); Debian's python3-pip, or a newer python3 on PATH");
    }

    /** {@code python -m pip ARGUMENTS}. */
    List<String> command(String... arguments) {
        List<String> command = new ArrayList<>(List.of(python.toString(), "-m", "pip"));
        command.addAll(List.of(arguments));
        return command;
    }

    private static List<Path> candidates() {
        List<Path> candidates = new ArrayList<>();
        Path debian = Path.of("/usr/bin/python3");
        if (Files.isExecutable(debian)) {
            candidates.add(debian);
        }
        ProcessRun.Result onPath;
        try {
            onPath = ProcessRun.of(List.of("python3", "-c", "import sys; print(sys.executable)"))
                    .timeout(Duration.ofSeconds(60)).run();
        } catch (RuntimeException e) {
            return candidates; // no python3 on PATH
        }
        if (onPath.exitCode() == 0 && !onPath.stdout().isBlank()) {
            Path real = Path.of(onPath.stdout().trim());
            if (!candidates.contains(real)) {
                candidates.add(real);
            }
        }
        return candidates;
    }

    private static int compare(String version, String minimum) {
        String[] a = version.split("\\.");
        String[] b = minimum.split("\\.");
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            int x = i < a.length ? Integer.parseInt(a[i]) : 0;
            int y = i < b.length ? Integer.parseInt(b[i]) : 0;
            if (x != y) {
                return Integer.compare(x, y);
            }
        }
        return 0;
    }
}
