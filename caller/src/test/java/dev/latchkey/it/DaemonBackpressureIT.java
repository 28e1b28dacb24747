package dev.latchkey.it;

import dev.latchkey.client.LatchkeyClient;
import dev.latchkey.it.DaemonFigures.Memory;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.latchkey.it.DaemonFigures.afterFullGc;
import static dev.latchkey.it.DaemonFigures.ms;
import static dev.latchkey.it.DaemonFigures.p99;
import static dev.latchkey.it.DaemonFigures.rssKiB;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real daemon, with the launcher's flags (its heap capped by their -Xmx), while hundreds of
 * clients of the same user send {@code list} requests (3,000 tokens stored: each answer some
 * hundreds of KiB) and {@code status} requests as fast as the daemon takes them, and never read an
 * answer. Meanwhile a well-behaved client keeps asking for its token on a fresh connection and is
 * answered right every time, and a {@code list} still comes back whole. The daemon's heap in use
 * after a full GC, and its RSS, stay within bounds drawn from its -Xmx, and
 * {@code latchkey daemon stop} stops it during the abuse and after it. The latencies of the
 * well-behaved gets in each phase are printed for docs/performance.md, never asserted (a shared machine's
 * load would decide them).
 */
class DaemonBackpressureIT {
    private static final int TOKENS = 3000;
    private static final int LISTING = 100;
    private static final int ASKING_STATUS = 200;
    private static final Duration ABUSE = Duration.ofSeconds(8);
    private static final int SAMPLES = 200;
    private static final Registry REGISTRY = Registry.byUrl("https://backpressure.example/index/");
    private static final String TOKEN = "lk-token-of-the-well-behaved-client";
    private static final String LIST = "{\"v\":1,\"kind\":\"list\"}\n";
    private static final String STATUS = "{\"v\":1,\"kind\":\"status\"}\n";

    @RegisterExtension
    final DaemonSandbox sandbox = DaemonSandbox.perTest();

    @Test
    void wellBehavedClientsAreAnsweredWhileHundredsPipelineRequestsAndNeverReadTheAnswers() throws Exception {
        sandbox.config("stores = [\"memory\"]\n");
        List<String> flags = DaemonSandbox.launcherDaemonFlags();
        long heapMiB = maxHeapMiB(flags);
        long pid = sandbox.startDaemon(flags).pid();
        storeTokens();
        latencies(50); // warm both sides up
        Memory before = afterFullGc(sandbox, pid);
        long[] baseline = latencies(SAMPLES);

        long[] underAbuse;
        Memory during;
        long rssPeak;
        long taken;
        try (Pipeliners pipeliners = new Pipeliners(pid, LISTING, ASKING_STATUS)) {
            pipeliners.awaitDaemonReadingNoMore();
            underAbuse = latencies(SAMPLES);
            assertEquals(TOKENS + 1, listedOnARawConnection(), "a list of every token comes back whole");
            during = afterFullGc(sandbox, pid);
            pipeliners.lastUntil(ABUSE);
            rssPeak = pipeliners.rssPeak();
            taken = pipeliners.taken();
            assertEquals(0, pipeliners.closedByTheDaemon(), "their requests are held back, their connections kept");
        }
        long[] afterwards = latencies(SAMPLES);
        Memory after = afterFullGc(sandbox, pid);

        System.out.printf("DaemonBackpressureIT: p99 of a fresh connection's get %s before, %s while %d clients pipelined list "
                        + "and %d status without reading (%d KiB of requests taken in %d s, the daemon's socket buffers "
                        + "included), %s after; heap in use after a full GC %d KiB before, %d KiB under abuse, %d KiB after "
                        + "(-Xmx%dm); RSS %d MiB before, %d MiB at most under abuse, %d MiB after%n",
                ms(p99(baseline)), ms(p99(underAbuse)), LISTING, ASKING_STATUS, taken >> 10, ABUSE.toSeconds(), ms(p99(afterwards)),
                before.heapUsed(), during.heapUsed(), after.heapUsed(), heapMiB, before.rss() >> 10, rssPeak >> 10, after.rss() >> 10);
        // Generous: with nothing held back, a few dozen of those clients filled the heap and the loop died.
        assertTrue(during.heapUsed() < heapMiB * 1024 * 3 / 4, "the answers waiting are bounded: " + during.heapUsed()
                + " KiB of the heap in use under abuse, after a full GC");
        // The heap at its cap, and what the launcher's flags let the JVM take besides (metaspace, code, stacks).
        long rssBound = (heapMiB + 192) * 1024;
        for (long rss : List.of(rssPeak, after.rss())) {
            assertTrue(rss < rssBound, "the daemon's memory stays bounded: RSS " + rss + " KiB");
        }
        assertTrue(after.heapUsed() - before.heapUsed() < 16 * 1024, "nothing of the abuse is kept: "
                + before.heapUsed() + " -> " + after.heapUsed() + " KiB in use after a full GC");
        stop(pid);
    }

    @Test
    void stopStopsTheDaemonWhileHundredsPipelineRequestsAndNeverReadTheAnswers() throws Exception {
        sandbox.config("stores = [\"memory\"]\n");
        long pid = sandbox.startDaemon(DaemonSandbox.launcherDaemonFlags()).pid();
        storeTokens();
        try (Pipeliners pipeliners = new Pipeliners(pid, LISTING, ASKING_STATUS)) {
            pipeliners.awaitDaemonReadingNoMore();
            stop(pid);
        }
    }

    /**
     * A daemon whose heap is too small for what it holds for such clients (the total limit, and one
     * answer of every connection past it) runs out of memory: it exits at once, saying why, and a
     * client finds no daemon rather than one that holds the socket and answers no one.
     */
    @Test
    void aDaemonThatRunsOutOfMemoryExitsAndSaysWhy() throws Exception {
        sandbox.config("stores = [\"memory\"]\n");
        List<String> flags = new ArrayList<>(DaemonSandbox.launcherDaemonFlags().stream().filter(flag -> !flag.startsWith("-Xm")).toList());
        flags.add("-Xmx32m"); // room for the tokens, not for a list answer on each of hundreds of connections
        ProcessBuilder foreground = sandbox.builder(sandbox.latchkey(flags, "daemon", "--foreground"));
        Process daemon = sandbox.start(foreground);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(sandbox.socket));
        storeTokens();

        try (Pipeliners pipeliners = new Pipeliners(daemon.pid(), 2 * LISTING + ASKING_STATUS, 0)) {
            assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "the daemon exits once it is out of memory");
        }

        String log = Files.readString(foreground.redirectError().file().toPath());
        assertEquals(4, daemon.exitValue(), log);
        assertTrue(log.contains("died of java.lang.OutOfMemoryError: exiting now"), log);
        DaemonSandbox.Result status = sandbox.run(null, "daemon", "status");
        assertEquals(1, status.exit(), "`daemon status` finds no daemon, and says so at once: " + status.stderr());
    }

    /** Stores {@link #TOKENS} tokens for registries of their own, and the well-behaved client's. */
    private void storeTokens() throws Exception {
        try (LatchkeyClient client = sandbox.client()) {
            for (int i = 0; i < TOKENS; i++) {
                try (Secret token = Secret.copyOf(("lk-token-" + i).toCharArray())) {
                    client.store(Registry.byUrl("https://registry-" + i + ".backpressure.example/index/"), token);
                }
            }
            try (Secret token = Secret.copyOf(TOKEN.toCharArray())) {
                client.store(REGISTRY, token);
            }
        }
    }

    /** {@code latchkey daemon stop}: says it stopped the daemon, which is gone. */
    private void stop(long pid) throws Exception {
        DaemonSandbox.Result stop = sandbox.run(null, "daemon", "stop");
        assertEquals(0, stop.exit(), stop.stderr());
        assertTrue(stop.stderr().contains("stopped the daemon (pid " + pid + ")"), stop.stderr());
        assertTrue(DaemonSandbox.exited(pid), "the daemon has exited");
    }

    /**
     * How many entries the answer to a {@code list} holds, asked on a raw connection and read to its
     * newline. (The client library takes no line over the protocol's 64 KiB, and a list of
     * thousands of tokens is larger.)
     */
    private int listedOnARawConnection() throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(sandbox.socket))) {
            BufferedReader lines = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
            lines.readLine(); // the hello
            channel.write(ByteBuffer.wrap(LIST.getBytes(StandardCharsets.US_ASCII)));
            String answer = lines.readLine();
            assertTrue(answer != null && answer.startsWith("{\"Ok\":{\"kind\":\"list\"") && answer.endsWith("]}}"),
                    "a whole list answer: " + (answer == null ? "none" : answer.substring(0, Math.min(200, answer.length()))));
            return answer.split("\"index-url\":", -1).length - 1;
        }
    }

    private long[] latencies(int count) throws Exception {
        return DaemonFigures.latencies(sandbox, REGISTRY, TOKEN, count);
    }

    /** The -Xmx among {@code flags}, in MiB. */
    private static long maxHeapMiB(List<String> flags) {
        for (String flag : flags) {
            Matcher xmx = Pattern.compile("-Xmx(\\d+)([mMgG])").matcher(flag);
            if (xmx.matches()) {
                return Long.parseLong(xmx.group(1)) * (xmx.group(2).equalsIgnoreCase("g") ? 1024 : 1);
            }
        }
        throw new AssertionError("no -Xmx in the launcher's daemon flags: " + flags);
    }

    /**
     * Clients that each send one kind of request, over and over, as fast as the daemon takes them,
     * and never read: neither the hello nor any answer. They send on a thread of their own (and
     * note the daemon's RSS as they go) until closed.
     */
    private final class Pipeliners implements AutoCloseable {
        private final long pid;
        private final List<SocketChannel> channels = new ArrayList<>();
        private final List<ByteBuffer> pending = new ArrayList<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong taken = new AtomicLong();
        private final AtomicLong rssPeak = new AtomicLong();
        private volatile int closedByTheDaemon;
        /** Passes over every connection in a row in which the daemon took nothing. */
        private volatile int refusedPasses;
        private final long startedAt = System.nanoTime();
        private final CompletableFuture<Void> sending;

        Pipeliners(long pid, int listing, int askingStatus) throws IOException {
            this.pid = pid;
            for (int i = 0; i < listing + askingStatus; i++) {
                SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(sandbox.socket));
                channel.configureBlocking(false);
                channels.add(channel);
                pending.add(ByteBuffer.wrap((i < listing ? LIST : STATUS).repeat(400).getBytes(StandardCharsets.US_ASCII)));
            }
            sending = CompletableFuture.runAsync(this::send);
        }

        private void send() {
            while (!stop.get()) {
                long before = taken.get();
                for (int i = 0; i < channels.size(); i++) {
                    ByteBuffer requests = pending.get(i);
                    if (requests == null) {
                        continue;
                    }
                    try {
                        taken.addAndGet(channels.get(i).write(requests));
                    } catch (IOException e) {
                        pending.set(i, null); // closed by the daemon, as a stopping one does
                        closedByTheDaemon++;
                        continue;
                    }
                    if (!requests.hasRemaining()) {
                        requests.rewind(); // whole lines only: the daemon answers what they ask
                    }
                }
                refusedPasses = taken.get() == before ? refusedPasses + 1 : 0;
                try {
                    rssPeak.accumulateAndGet(rssKiB(pid), Math::max);
                } catch (IOException | RuntimeException e) {
                    return; // the daemon has exited: no /proc/PID/status, or one without memory
                }
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // a pass, not a CPU flood
            }
        }

        /** Until the daemon, its socket buffers full, takes no more of what they send. */
        void awaitDaemonReadingNoMore() {
            await().atMost(Duration.ofSeconds(60)).until(() -> refusedPasses >= 5 || sending.isDone());
        }

        /** Keeps sending until {@code abuse} has passed since they connected. */
        void lastUntil(Duration abuse) {
            long left = abuse.toNanos() - (System.nanoTime() - startedAt);
            if (left > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(left);
            }
        }

        long taken() {
            return taken.get();
        }

        int closedByTheDaemon() {
            return closedByTheDaemon;
        }

        long rssPeak() {
            return rssPeak.get();
        }

        @Override
        public void close() throws Exception {
            stop.set(true);
            try {
                sending.get(30, TimeUnit.SECONDS);
            } finally {
                for (SocketChannel channel : channels) {
                    channel.close();
                }
            }
        }
    }
}
