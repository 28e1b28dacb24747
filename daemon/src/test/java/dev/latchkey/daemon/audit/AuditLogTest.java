package dev.latchkey.daemon.audit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuditLogTest {
    @TempDir
    Path dir;

    private static Map<String, Object> line(String kind, long n) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("time", 1700000000L + n);
        fields.put("kind", kind);
        fields.put("store", null);
        fields.put("n", n);
        return fields;
    }

    @Test
    void appendsOnePrivateJsonLinePerRecordAndLeavesNullsOut() throws Exception {
        AuditLog log = new AuditLog(dir.resolve("state/audit.log"));
        log.append(line("get", 1), null);
        log.append(line("store", 2), null);
        assertEquals(List.of("{\"time\":1700000001,\"kind\":\"get\",\"n\":1}", "{\"time\":1700000002,\"kind\":\"store\",\"n\":2}"),
                Files.readAllLines(log.path()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log.path())));
        assertEquals(Map.of("time", "1700000002", "kind", "store", "n", "2"), AuditLog.fields(log.last(1).get(0)));
        assertEquals(Map.of(), AuditLog.fields("not json"));
    }

    @Test
    void pastItsLimitTheLogIsSetAsideOnceAndTheLastEntriesSpanBothFiles() throws Exception {
        AuditLog log = new AuditLog(dir.resolve("audit.log"), 1000);
        for (int i = 0; i < 100; i++) {
            log.append(line("get", i), null);
        }
        Path previous = dir.resolve("audit.log.1");
        assertTrue(Files.size(log.path()) <= 1000 + 64, "the current file stays near its limit");
        assertTrue(Files.size(previous) > 1000 && Files.size(previous) <= 1000 + 64);
        List<String> last = log.last(30);
        assertEquals(30, last.size());
        for (int i = 0; i < 30; i++) {
            assertEquals(String.valueOf(70 + i), AuditLog.fields(last.get(i)).get("n"), "oldest first, none lost in between");
        }
    }

    @Test
    void aLogKeptOpenFollowsTheFileToItsPathOnceAnotherProcessHasSetItAside() throws Exception {
        AuditLog log = new AuditLog(dir.resolve("audit.log"));
        log.append(line("get", 1), null);
        // What another latchkey does when the log is full, or a user who removes it.
        Files.move(log.path(), dir.resolve("audit.log.1"));
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(AuditLog.LOOK_AGAIN_NANOS) + 50);
        log.append(line("get", 2), null);
        assertEquals(List.of("{\"time\":1700000002,\"kind\":\"get\",\"n\":2}"), Files.readAllLines(log.path()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log.path())));
        Files.delete(log.path());
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(AuditLog.LOOK_AGAIN_NANOS) + 50);
        log.append(line("get", 3), null);
        assertEquals(List.of("{\"time\":1700000003,\"kind\":\"get\",\"n\":3}"), Files.readAllLines(log.path()));
        assertEquals(List.of("1", "3"), log.last(5).stream().map(l -> AuditLog.fields(l).get("n")).toList(),
                "the line written before the move is in the file set aside");
    }

    @Test
    void concurrentWritersNeverInterleaveOrLoseALineWhileTheLogIsSetAside() throws Exception {
        AuditLog log = new AuditLog(dir.resolve("audit.log"));
        long limit = 64 * 1024; // set aside several times while they write
        int threads = 8;
        int each = 250;
        // separate AuditLog objects, as separate processes would have
        appendAtOnce(threads, each, n -> new AuditLog(dir.resolve("audit.log"), limit).append(line("x".repeat(200), n), null));
        List<String> lines = log.last(threads * each);
        assertTrue(lines.size() < threads * each, "some lines went with the earlier set-aside files");
        assertTrue(lines.size() > limit / 300, "the last two files' worth is there: " + lines.size());
        Set<String> seen = new HashSet<>();
        for (String l : lines) {
            Map<String, String> fields = AuditLog.fields(l);
            assertEquals("x".repeat(200), fields.get("kind"), "a whole line: " + l);
            seen.add(fields.get("n"));
        }
        assertEquals(lines.size(), seen.size(), "no line twice");
    }

    @Test
    void oneLogSharedByManyThreadsLosesNoLineAcrossSetAsides() throws Exception {
        // As the daemon's connections share one log: each thread writes on the file kept open,
        // and a set-aside makes one of them open the next while the others are writing.
        long limit = 32 * 1024;
        AuditLog shared = new AuditLog(dir.resolve("audit.log"), limit);
        int threads = 8;
        int each = 300;
        appendAtOnce(threads, each, n -> shared.append(line("y".repeat(100), n), null));
        // What the two files hold now is whole lines, each once, the newest ones among them.
        List<String> lines = shared.last(threads * each);
        Set<String> seen = new HashSet<>();
        for (String l : lines) {
            assertEquals("y".repeat(100), AuditLog.fields(l).get("kind"), "a whole line: " + l);
            seen.add(AuditLog.fields(l).get("n"));
        }
        assertEquals(lines.size(), seen.size(), "no line twice");
        assertTrue(lines.size() > limit / 200, "the last two files' worth is there: " + lines.size());
        // The last append may have set the log aside, leaving no current file until the next one.
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("audit.log.1"))));
        if (Files.exists(dir.resolve("audit.log"))) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("audit.log"))));
        }
    }

    /** One append of line number {@code n}. */
    @FunctionalInterface
    private interface Append {
        void line(long n) throws Exception;
    }

    /**
     * {@code threads} threads released together, each appending {@code each} lines numbered apart
     * from every other thread's; fails with whatever any of them threw.
     */
    private static void appendAtOnce(int threads, int each, Append append) throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> writers = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long base = (long) t * each;
            Thread writer = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        append.line(base + i);
                    }
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            });
            writers.add(writer);
            writer.start();
        }
        start.countDown();
        for (Thread writer : writers) {
            writer.join();
        }
        assertEquals(List.of(), failures);
    }
}
