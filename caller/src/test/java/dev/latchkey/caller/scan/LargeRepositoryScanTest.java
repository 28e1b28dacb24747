package dev.latchkey.caller.scan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A scan of a repository the size the issue names (10,000 files, 1,000 commits), made in one
 * {@code git fast-import}: the scan must find exactly the tokens planted in it. Its time is
 * printed, not asserted (the machine is shared): it is for the notes.
 */
class LargeRepositoryScanTest {
    private static final int FILES = 10_000;
    private static final int COMMITS = 1_000;
    private static final int CHANGED_PER_COMMIT = 3;
    private static final int SECRET_ADDED = 500;
    private static final int SHAPE_ADDED = 800;
    /** The file that gets a crates.io token at commit SHAPE_ADDED, and is left alone afterwards. */
    private static final String SHAPE_FILE = file(4242);

    @TempDir
    Path dir;

    @Test
    void findsExactlyThePlantedTokensInTenThousandFilesAndAThousandCommits() throws Exception {
        TestRepository repository = TestRepository.create(dir);
        String held = TestTokens.opaque();
        String shape = TestTokens.cratesIo();
        long generating = System.nanoTime();
        repository.run(history(held, shape), "fast-import", "--quiet");
        repository.git("reset", "-q", "--hard", "main");
        List<String> commits = repository.git("rev-list", "--reverse", "main").lines().toList();
        assertEquals(COMMITS, commits.size());
        long generated = System.nanoTime() - generating;

        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        LeakScanner scanner = new LeakScanner(Map.of("company", held.getBytes(StandardCharsets.UTF_8)), Set.of());
        long scanning = System.nanoTime();
        ScanReport report = scanner.scan(repository.root, List.of(), ScanMode.HISTORY,
                ScanProgress.to(new PrintStream(terminal, true, StandardCharsets.UTF_8), true));
        long took = System.nanoTime() - scanning;

        assertEquals(List.of(
                SHAPE_FILE + ":21: a crates.io API token; revoke it at https://crates.io/settings/tokens",
                "old/secret.env:2 (in commit " + commits.get(SECRET_ADDED - 1).substring(0, 12)
                        + "): the token latchkey holds for `company`; rotate it: latchkey rotate company",
                SHAPE_FILE + ":21 (in commit " + commits.get(SHAPE_ADDED - 1).substring(0, 12)
                        + "): a crates.io API token; revoke it at https://crates.io/settings/tokens"),
                report.findings().stream().map(Finding::render).toList());
        String shown = terminal.toString(StandardCharsets.UTF_8);
        // Progress starts at the first step after a second on the scanner's clock, which this
        // measure only brackets (ScanProgressTest holds the exact rule with a clock of its own).
        if (took < TimeUnit.SECONDS.toNanos(1)) {
            assertEquals("", shown, "a scan under a second shows none");
        }
        if (took > TimeUnit.SECONDS.toNanos(3)) {
            assertFalse(shown.isEmpty(), "a scan of seconds shows progress");
        }
        if (!shown.isEmpty()) {
            assertTrue(shown.startsWith("\r\033[Klatchkey: scanning "), "progress, on one line rewritten: " + shown);
            assertTrue(shown.endsWith("\r\033[K"), "and cleared at the end");
        }
        assertFalse(shown.contains(held));

        long scanningFiles = System.nanoTime();
        ScanReport files = scanner.scan(repository.root, List.of(), ScanMode.FILES, ScanProgress.none());
        long tookFiles = System.nanoTime() - scanningFiles;
        assertEquals(List.of(SHAPE_FILE), files.findings().stream().map(Finding::path).toList());

        System.out.printf("large scan: %d files, %d commits (generated in %d ms): --history scan took %d ms,"
                        + " the files alone %d ms%n", FILES, COMMITS, TimeUnit.NANOSECONDS.toMillis(generated),
                TimeUnit.NANOSECONDS.toMillis(took), TimeUnit.NANOSECONDS.toMillis(tookFiles));
    }

    /**
     * A fast-import stream: the first commit adds every file; each later one changes three of them
     * (appending a line); commit SECRET_ADDED adds a file with the held token, which the next one
     * deletes; commit SHAPE_ADDED appends a crates.io token to SHAPE_FILE.
     */
    private static byte[] history(String held, String shape) {
        StringBuilder stream = new StringBuilder(16 << 20);
        Map<Integer, Integer> changes = new HashMap<>();
        for (int commit = 1; commit <= COMMITS; commit++) {
            StringBuilder files = new StringBuilder();
            if (commit == 1) {
                for (int n = 0; n < FILES; n++) {
                    modify(files, file(n), content(n, 0, null));
                }
            } else {
                for (int k = 0; k < CHANGED_PER_COMMIT; k++) {
                    int n = (commit * 7919 + k * 104_729) % FILES;
                    if (file(n).equals(SHAPE_FILE)) {
                        continue;
                    }
                    int count = changes.merge(n, 1, Integer::sum);
                    modify(files, file(n), content(n, count, null));
                }
            }
            if (commit == SECRET_ADDED) {
                modify(files, "old/secret.env", "# for the upload job\nUPLOAD_KEY=" + held + "\n");
            }
            if (commit == SECRET_ADDED + 1) {
                files.append("D old/secret.env\n");
            }
            if (commit == SHAPE_ADDED) {
                modify(files, SHAPE_FILE, content(4242, changes.getOrDefault(4242, 0), shape));
            }
            String message = "commit " + commit;
            stream.append("commit refs/heads/main\n")
                    .append("committer Test <test@example.com> ").append(1_700_000_000L + commit).append(" +0000\n")
                    .append("data ").append(message.length()).append('\n').append(message).append('\n')
                    .append(files);
        }
        return stream.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void modify(StringBuilder files, String path, String content) {
        files.append("M 100644 inline ").append(path).append('\n')
                .append("data ").append(content.getBytes(StandardCharsets.UTF_8).length).append('\n')
                .append(content).append('\n');
    }

    private static String file(int n) {
        return String.format("src/d%02d/f%04d.txt", n / 100, n);
    }

    /** Twenty lines of prose, then one line per change, then the token if there is one (line 21 when no changes came before). */
    private static String content(int n, int changes, String token) {
        StringBuilder text = new StringBuilder();
        for (int line = 1; line <= 20; line++) {
            text.append("file ").append(n).append(" line ").append(line)
                    .append(": the quick brown fox jumps over the lazy dog\n");
        }
        for (int change = 1; change <= changes; change++) {
            text.append("change ").append(change).append('\n');
        }
        if (token != null) {
            text.append("registry_key = ").append(token).append('\n');
        }
        return text.toString();
    }
}
