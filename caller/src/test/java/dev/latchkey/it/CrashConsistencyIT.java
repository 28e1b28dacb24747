package dev.latchkey.it;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A writer killed with SIGKILL at random moments in the middle of writing a store's file, 200
 * times: after every kill the file is readable (read by the test itself, as plain text or, for the
 * encrypted store, decrypted with its key from the keyring; and by latchkey's own {@code list} and
 * {@code get}), and it holds every write the writer acknowledged before it died.
 *
 * <p>The writer is one {@code latchkey stdio} process fed a stream of stores and erases on a few
 * registries; each answer on its stdout is the acknowledgement of one write. It is killed after a
 * random number of acknowledgements plus a random part of the time one write takes (so the kill
 * lands inside a write however fast or loaded the machine is), and replaced by a fresh one. What
 * it wrote to its stdout before it died is still read: that is what a client was told. The one
 * write in progress at the kill may or may not have happened; nothing else may differ.
 */
class CrashConsistencyIT {
    private static final int KILLS = 200;
    private static final int REGISTRIES = 12;
    /** More writes per writer than it ever gets to: a kill always finds it busy. */
    private static final int WRITES_PER_WRITER = 60;
    private static final int MAX_ACKS_BEFORE_KILL = 8;
    /** What warms a writer up: it loads most of what a write needs, the store's key included. */
    private static final String LIST = "{\"v\":1,\"id\":-1,\"kind\":\"list\"}";

    @TempDir
    Path home;

    /**
     * The encrypted store with its key in the keyring, not from a passphrase: each of the 200 fresh
     * writers would derive a passphrase's key first (scrypt, half a second of CPU), which would
     * double this test's time, and the write that a kill interrupts is the same whichever key seals it.
     */
    @ParameterizedTest
    @EnumSource(value = FileBackedStore.class, names = "ENCRYPTED", mode = EnumSource.Mode.EXCLUDE)
    void everyAcknowledgedWriteSurvivesAKillAtAnyMoment(FileBackedStore store) throws Exception {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        List<String> registries = new ArrayList<>();
        for (int i = 0; i < REGISTRIES; i++) {
            registries.add("crash-" + i);
        }
        store.configure(home, registries);
        Map<String, String> storeEnvironment = store.environment();
        Map<String, String> state = new HashMap<>();
        Deque<LatchkeyProcess> spares = new ArrayDeque<>();
        int acknowledged = 0;
        int midWriteLeftovers = 0;
        int inFlightLanded = 0;
        long writeNanos = TimeUnit.MILLISECONDS.toNanos(2); // a first guess; measured from then on
        long started = System.nanoTime();
        List<String> writerOptions = writerOptions(storeEnvironment, store.storeName);
        try (LatchkeyProcess reader = startStdio(storeEnvironment, writerOptions)) {
            reader.readLine(); // hello
            reader.readLine(); // the warm-up
            for (int i = 0; i < 2; i++) {
                spares.add(startStdio(storeEnvironment, writerOptions));
            }
            int missed = 0; // kills that came after the writer had finished every write: no kill inside a write
            for (int kill = 0; kill < KILLS; ) {
                String where = "kill " + (kill + 1) + " of " + store + " (seed " + seed + ")";
                // Started one round ahead, so that starting a JVM is never what the kill interrupts.
                LatchkeyProcess writer = spares.poll();
                spares.add(startStdio(storeEnvironment, writerOptions));
                writer.readLine(); // hello
                writer.readLine(); // the warm-up

                List<TokenOperation> writes = new ArrayList<>();
                StringBuilder requests = new StringBuilder();
                for (int i = 0; i < WRITES_PER_WRITER; i++) {
                    String registry = registries.get(random.nextInt(REGISTRIES));
                    TokenOperation write = new TokenOperation(registry,
                            random.nextInt(8) == 0 ? null : "tok-" + kill + "-" + i + "-" + Long.toHexString(random.nextLong()));
                    writes.add(write);
                    requests.append(write.requestLine(i, store.storeName)).append('\n');
                }
                writer.write(requests.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));

                int acksBeforeKill = random.nextInt(MAX_ACKS_BEFORE_KILL);
                long first = 0;
                for (int i = 0; i <= acksBeforeKill; i++) {
                    writes.get(i).checkAnswer(writer.readLine(), i);
                    if (i == 0) {
                        first = System.nanoTime();
                    }
                }
                if (acksBeforeKill > 0) {
                    writeNanos = (System.nanoTime() - first) / acksBeforeKill;
                }
                LockSupport.parkNanos((long) (random.nextDouble() * 1.5 * writeNanos));
                writer.kill();

                List<String> lateAcks = writer.unreadLines(); // written before the kill, read after it
                int acked = acksBeforeKill + 1 + lateAcks.size();
                for (int i = acksBeforeKill + 1; i < acked; i++) {
                    writes.get(i).checkAnswer(lateAcks.get(i - acksBeforeKill - 1), i);
                }
                for (int i = 0; i < acked; i++) {
                    writes.get(i).applyTo(state);
                }
                acknowledged += acked;
                if (acked == WRITES_PER_WRITER) {
                    // This thread was kept off the CPU long enough for the writer to finish: try again.
                    assertTrue(++missed < KILLS, "the writer always finished before the kill; is this machine overloaded?");
                    assertEquals(state, TokenOperation.heldAccordingToLatchkey(reader, store.storeName, registries));
                    continue;
                }
                kill++;
                if (Files.exists(store.temporaryFile(home))) {
                    midWriteLeftovers++;
                }

                TokenOperation inFlight = writes.get(acked);
                Map<String, String> ifLanded = new HashMap<>(state);
                inFlight.applyTo(ifLanded);
                Map<String, String> held = TokenOperation.heldAccordingToLatchkey(reader, store.storeName, registries);
                if (!held.equals(state)) {
                    assertEquals(ifLanded, held, where + ": the file holds every acknowledged write, "
                            + "and at most the one write in progress besides");
                    inFlightLanded++;
                    state = ifLanded;
                }
                Map<String, String> current = state;
                store.readPlain(home).ifPresent(plain -> assertEquals(current, plain,
                        where + ": the file, read without latchkey, says what latchkey says"));
            }
            // The next writer finds what a killed one left and carries on: the leftover is gone, the mode kept.
            try (LatchkeyProcess writer = spares.poll()) {
                writer.readLine();
                writer.readLine();
                TokenOperation last = new TokenOperation(registries.get(0), "tok-after-the-last-kill");
                writer.send(last.requestLine(0, store.storeName));
                last.checkAnswer(writer.readLine(), 0);
                last.applyTo(state);
            }
            assertFalse(Files.exists(store.temporaryFile(home)), "the next write removes what a killed writer left");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file(home))));
            assertEquals(state, TokenOperation.heldAccordingToLatchkey(reader, store.storeName, registries));
            assertCommandLineReads(storeEnvironment, state);
        } finally {
            spares.forEach(LatchkeyProcess::close);
            store.cleanUp(home);
        }
        System.out.printf("CrashConsistencyIT %s: %d kills (SIGKILL) in %d s, %d acknowledged writes all kept; "
                        + "%d kills left a half-written temporary file, %d unacknowledged in-flight writes landed (seed %d)%n",
                store, KILLS, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), acknowledged,
                midWriteLeftovers, inFlightLanded, seed);
    }

    /** The command line reads the file the kills left, as a user would. */
    private void assertCommandLineReads(Map<String, String> storeEnvironment, Map<String, String> state) {
        String registry = state.keySet().iterator().next();
        try (LatchkeyProcess get = LatchkeyProcess.start(home, storeEnvironment, "get", registry)) {
            get.closeStdin();
            assertEquals(0, get.awaitExit(), get.stderr());
            assertEquals(state.get(registry) + "\n", get.stdout());
        }
        try (LatchkeyProcess list = LatchkeyProcess.start(home, storeEnvironment, "list")) {
            list.closeStdin();
            assertEquals(0, list.awaitExit(), list.stderr());
            for (String name : state.keySet()) {
                assertTrue(list.stdout().contains(name + " ") && list.stdout().contains(TokenOperation.indexUrl(name)), list.stdout());
            }
            for (String token : Set.copyOf(state.values())) {
                assertFalse(list.stdout().contains(token), "list never shows a token");
            }
        }
    }

    /**
     * A writer, started and warmed up with a {@code list} (which loads most of what a write needs)
     * while the one before it is still at work: the kills land in writes, not in a JVM starting.
     */
    private LatchkeyProcess startStdio(Map<String, String> storeEnvironment, List<String> jvmOptions) {
        LatchkeyProcess writer = LatchkeyProcess.start(home, withoutDaemon(storeEnvironment), jvmOptions, "stdio");
        writer.send(LIST);
        return writer;
    }

    /**
     * The writers' JVM options: {@link LatchkeyProcess#SHORT_LIVED}, and a class archive (the
     * JDK's AppCDS) that one run of the same kinds of request, on a registry of its own, leaves
     * behind: it takes about a third off the start of each writer, and the kills need hundreds of
     * them; how classes are loaded changes nothing the kills prove. JVM warnings go to stderr, so
     * that an archive the JVM turns down cannot put a line into the protocol on stdout.
     */
    private List<String> writerOptions(Map<String, String> storeEnvironment, String storeName) {
        Path archive = home.resolve("writer-classes.jsa");
        List<String> options = new ArrayList<>(LatchkeyProcess.SHORT_LIVED);
        options.addAll(List.of("-Xlog:disable", "-Xlog:all=warning:stderr"));
        List<String> training = new ArrayList<>(options);
        training.add("-XX:ArchiveClassesAtExit=" + archive);
        try (LatchkeyProcess run = LatchkeyProcess.start(home, withoutDaemon(storeEnvironment), training, "stdio")) {
            run.send(LIST, new TokenOperation("crash-training", "tok-training").requestLine(1, storeName),
                    new TokenOperation("crash-training", null).requestLine(2, storeName));
            run.closeStdin();
            assertEquals(0, run.awaitExit(), run.stderr());
        }
        if (Files.isRegularFile(archive)) {
            options.add("-XX:SharedArchiveFile=" + archive);
        } else {
            System.out.println("CrashConsistencyIT: this JVM made no class archive, the writers start without one");
        }
        return options;
    }

    /** Without a daemon: a kill must hit the process that writes the file. */
    private static Map<String, String> withoutDaemon(Map<String, String> storeEnvironment) {
        Map<String, String> env = new HashMap<>(storeEnvironment);
        env.put("LATCHKEY_NO_DAEMON", "1");
        return env;
    }
}
