package dev.latchkey.it;

import dev.latchkey.protocol.Response;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 8 processes doing 500 stores and erases each on the same few registries of one store's file,
 * at once: each in its own process, or all through the daemon. Every operation is timed from
 * the moment its request is sent to the moment its answer arrives; the final state must then be
 * one a serial replay of the acknowledged operations could leave. Per registry, that is a check
 * of linearizability: the final value is written by an operation that no other operation on
 * that registry strictly followed (started after it was acknowledged), or absent after such an
 * erase.
 */
class ConcurrentOperationsIT {
    private static final int PROCESSES = 8;
    private static final int OPERATIONS = 500;
    private static final int REGISTRIES = 5;

    @TempDir(factory = MemoryTempDir.class)
    Path home;

    /** One acknowledged operation and when it was in flight. */
    private record Timed(TokenOperation operation, long sent, long acknowledged) {
    }

    static Stream<Arguments> storesWithAndWithoutTheDaemon() {
        return Arrays.stream(FileBackedStore.values())
                .flatMap(store -> Stream.of(Arguments.of(store, false), Arguments.of(store, true)));
    }

    @ParameterizedTest(name = "{0}, through the daemon: {1}")
    @MethodSource("storesWithAndWithoutTheDaemon")
    void theFinalStateIsOneASerialReplayOfTheAcknowledgedOperationsLeaves(FileBackedStore store, boolean throughDaemon)
            throws Exception {
        List<String> registries = new ArrayList<>();
        for (int i = 0; i < REGISTRIES; i++) {
            registries.add("shared-" + i);
        }
        store.configure(home, registries);
        Map<String, String> storeEnvironment = store.environment();
        Map<String, String> env = new HashMap<>(storeEnvironment);
        if (!throughDaemon) {
            env.put("LATCHKEY_NO_DAEMON", "1");
        }
        long seed = new Random().nextLong();
        LatchkeyProcess daemon = throughDaemon ? startDaemon(storeEnvironment) : null;
        List<LatchkeyProcess> workers = new ArrayList<>();
        try {
            for (int i = 0; i < PROCESSES; i++) {
                workers.add(LatchkeyProcess.start(home, env, LatchkeyProcess.SHORT_LIVED, "stdio"));
            }
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<List<Timed>>> runs = new ArrayList<>();
            for (int i = 0; i < PROCESSES; i++) {
                LatchkeyProcess worker = workers.get(i);
                Random random = new Random(seed + i);
                String name = "w" + i;
                runs.add(CompletableFuture.supplyAsync(() -> operate(worker, name, random, registries, store, daemon, go)));
            }
            long start = System.nanoTime();
            go.countDown();
            List<Timed> history = new ArrayList<>();
            for (CompletableFuture<List<Timed>> run : runs) {
                history.addAll(run.get(10, TimeUnit.MINUTES));
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(PROCESSES * OPERATIONS, history.size());

            Map<String, String> held;
            try (LatchkeyProcess reader = LatchkeyProcess.start(home, env, "stdio")) {
                reader.readLine();
                held = TokenOperation.heldAccordingToLatchkey(reader, store.storeName, registries);
            }
            store.readPlain(home).ifPresent(plain -> assertEquals(held, plain, "the file, read without latchkey, says what latchkey says"));
            for (String registry : registries) {
                assertLinearizable(registry, history, held.get(registry), seed);
            }
            System.out.printf("ConcurrentOperationsIT %s, %s: %d processes x %d operations on %d registries in %d ms, "
                            + "final state linearizable (seed %d)%n", store, throughDaemon ? "through the daemon" : "in-process",
                    PROCESSES, OPERATIONS, REGISTRIES, millis, seed);
        } finally {
            workers.forEach(LatchkeyProcess::close);
            if (daemon != null) {
                daemon.close();
            }
            store.cleanUp(home);
        }
    }

    /**
     * The final value of {@code registry} (null: none) must be the effect of an operation on it
     * that no other one on it strictly followed: one whose acknowledgement came after every other
     * operation's request was sent. Without any operation on it, it must be absent.
     */
    private static void assertLinearizable(String registry, List<Timed> history, String finalToken, long seed) {
        List<Timed> onRegistry = history.stream().filter(t -> t.operation().registry().equals(registry)).toList();
        if (onRegistry.isEmpty()) {
            assertEquals(null, finalToken, registry + " was never written");
            return;
        }
        long lastSent = onRegistry.stream().mapToLong(Timed::sent).max().orElseThrow();
        List<TokenOperation> couldBeLast = new ArrayList<>();
        for (Timed t : onRegistry) {
            boolean strictlyFollowed = onRegistry.stream().anyMatch(other -> other != t && other.sent() > t.acknowledged());
            if (!strictlyFollowed) {
                couldBeLast.add(t.operation());
            }
        }
        assertTrue(couldBeLast.stream().anyMatch(op -> java.util.Objects.equals(op.token(), finalToken)),
                () -> registry + " holds " + (finalToken == null ? "no token" : finalToken) + ", which no operation that could "
                        + "come last in a serial order left; the candidates were " + couldBeLast + " (last request sent at "
                        + lastSent + ", seed " + seed + ")");
    }

    /** One process's 500 operations, each sent once the previous is answered, with the times they were in flight. */
    private static List<Timed> operate(LatchkeyProcess worker, String name, Random random, List<String> registries,
                                       FileBackedStore store, LatchkeyProcess daemon, CountDownLatch go) {
        worker.readLine(); // hello
        if (daemon != null) {
            // The process hands its requests to the daemon, which says so by its pid.
            worker.send("{\"v\":1,\"id\":-1,\"kind\":\"status\"}");
            Response status = TokenOperation.parse(worker.readLine()).response();
            assertEquals(daemon.pid(), assertInstanceOf(Response.StatusReport.class, status).pid(),
                    "served by the daemon");
        }
        try {
            go.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        List<Timed> done = new ArrayList<>();
        for (int i = 0; i < OPERATIONS; i++) {
            String registry = registries.get(random.nextInt(registries.size()));
            TokenOperation operation = new TokenOperation(registry, random.nextInt(5) == 0 ? null : name + "-token-" + i);
            long sent = System.nanoTime();
            worker.send(operation.requestLine(i, store.storeName));
            String answer = worker.readLine();
            long acknowledged = System.nanoTime();
            operation.checkAnswer(answer, i);
            done.add(new Timed(operation, sent, acknowledged));
        }
        return done;
    }

    private LatchkeyProcess startDaemon(Map<String, String> storeEnvironment) {
        LatchkeyProcess daemon = LatchkeyProcess.start(home, storeEnvironment, "daemon", "--foreground");
        await().atMost(Duration.ofSeconds(30)).until(() -> daemon.stderr().contains("serving on"));
        return daemon;
    }
}
