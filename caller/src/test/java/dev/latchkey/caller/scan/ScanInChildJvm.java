package dev.latchkey.caller.scan;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code latchkey scan [--staged|--history]} will do, for a test's stand-in {@code latchkey}
 * on PATH (the pre-commit hook runs that): the held tokens come from the file named by
 * {@code LATCHKEY_TEST_HELD}, one {@code NAME VALUE} a line, as they would from the token store.
 */
public final class ScanInChildJvm {
    private ScanInChildJvm() {
    }

    public static void main(String[] args) throws IOException {
        List<String> arguments = Arrays.asList(args);
        ScanMode mode = arguments.contains("--staged") ? ScanMode.STAGED
                : arguments.contains("--history") ? ScanMode.HISTORY : ScanMode.FILES;
        Map<String, byte[]> held = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(System.getenv("LATCHKEY_TEST_HELD")), StandardCharsets.UTF_8)) {
            String[] parts = line.split(" ", 2);
            held.put(parts[0], parts[1].getBytes(StandardCharsets.UTF_8));
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        try {
            ScanReport report = new LeakScanner(held, Set.of()).scan(Path.of(""), List.of(), mode, ScanProgress.none());
            report.print(out, err);
            System.exit(report.exitStatus());
        } catch (ScanUsageException e) {
            err.println("latchkey: " + e.getMessage());
            System.exit(ScanReport.USAGE);
        }
    }
}
