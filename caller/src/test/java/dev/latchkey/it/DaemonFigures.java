package dev.latchkey.it;

import dev.latchkey.client.LatchkeyClient;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Secret;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the tests that abuse a running daemon read of it from outside: the latency of a
 * well-behaved client's gets, the daemon's heap in use after a full GC (through {@code jcmd}), its
 * RSS, threads and open descriptors (from /proc).
 */
final class DaemonFigures {
    private DaemonFigures() {
    }

    /** After a full GC: the daemon's RSS and the part of its heap still in use, in KiB. */
    record Memory(long rss, long heapUsed) {
    }

    /**
     * {@code count} times: connect, say hello, get the token of {@code registry} (which must be
     * {@code token}), hang up; each one's time in nanoseconds.
     */
    static long[] latencies(DaemonSandbox sandbox, Registry registry, String token, int count) throws Exception {
        long[] nanos = new long[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            try (LatchkeyClient client = sandbox.client(); Secret got = client.get(registry).token()) {
                assertEquals(token, got.reveal());
            }
            nanos[i] = System.nanoTime() - start;
        }
        return nanos;
    }

    static Memory afterFullGc(DaemonSandbox sandbox, long pid) throws Exception {
        jcmd(sandbox, pid, "GC.run");
        String heap = jcmd(sandbox, pid, "GC.heap_info");
        // One line per generation (the serial collector's young and old), one for G1's single heap.
        Matcher used = Pattern.compile("total \\d+K, used (\\d+)K").matcher(heap);
        long inUse = 0;
        boolean found = false;
        while (used.find()) {
            inUse += Long.parseLong(used.group(1));
            found = true;
        }
        assertTrue(found, heap);
        return new Memory(rssKiB(pid), inUse);
    }

    private static String jcmd(DaemonSandbox sandbox, long pid, String command) throws Exception {
        DaemonSandbox.Result ran = sandbox.run(null, List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), command));
        assertEquals(0, ran.exit(), ran.stdout() + ran.stderr());
        return ran.stdout();
    }

    static long fds(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        }
    }

    static long threads(long pid) throws IOException {
        return statusField(pid, "Threads:");
    }

    static long rssKiB(long pid) throws IOException {
        return statusField(pid, "VmRSS:");
    }

    /** A number from /proc/PID/status. */
    private static long statusField(long pid, String field) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(line -> line.startsWith(field))
                .mapToLong(line -> Long.parseLong(line.replaceAll("\\D", "")))
                .findFirst().orElseThrow();
    }

    static long p99(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.ceil(sorted.length * 0.99) - 1];
    }

    static String ms(long nanos) {
        return String.format("%.1f ms", nanos / 1e6);
    }
}
