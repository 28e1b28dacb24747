package dev.latchkey.it;

import dev.latchkey.client.LatchkeyClient;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client library against the real daemon (and a real {@code latchkey stdio}), in separate processes. */
class ClientIT {
    private static final Registry COMPANY = new Registry("sparse+https://packages.example.com/index/", "company");

    @RegisterExtension
    final DaemonSandbox sandbox = DaemonSandbox.perTest();

    @BeforeEach
    void prepare() throws Exception {
        sandbox.config("stores = [\"file\"]\n");
    }

    @Test
    void tenCallersAtOnceStartExactlyOneDaemon() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(10);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Long>> pids = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                pids.add(threads.submit(() -> {
                    try (LatchkeyClient client = sandbox.startingClient()) {
                        go.await();
                        return client.status().pid();
                    }
                }));
            }
            go.countDown();
            List<Long> answered = new ArrayList<>();
            for (Future<Long> pid : pids) {
                answered.add(pid.get(90, TimeUnit.SECONDS));
            }

            List<ProcessHandle> daemons = sandbox.daemons();
            assertEquals(1, daemons.size(), "exactly one daemon survives: " + daemons);
            assertEquals(List.of(daemons.get(0).pid()), answered.stream().distinct().toList(), "every caller reached it");
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void reconnectsAfterTheDaemonRestartsAndStartsItAgainAfterItWasKilled() throws Exception {
        try (LatchkeyClient client = sandbox.startingClient()) {
            try (Secret token = Secret.copyOf("kept-in-the-file".toCharArray())) {
                client.store(COMPANY, token);
            }
            long first = client.status().pid();

            assertEquals(0, sandbox.run(null, "daemon", "stop").exit());
            ProcessHandle restarted = sandbox.startDaemon();
            assertEquals(restarted.pid(), client.status().pid(), "the next call reached the new daemon");
            assertNotEquals(first, restarted.pid());

            restarted.destroyForcibly();
            await().atMost(Duration.ofSeconds(10)).until(() -> !restarted.isAlive());
            try (Secret token = client.get(COMPANY).token()) {
                assertEquals("kept-in-the-file", token.reveal(), "a new daemon was started for this call");
            }
            assertEquals(1, sandbox.daemons().size());
        }
    }

    @Test
    void aClientArrivingWhileTheDaemonFinishesItsLastRequestGetsTheNextDaemon() throws Exception {
        // A command store that blocks until the test lets it go: the old daemon drains for as long as we like.
        Path started = sandbox.root.resolve("started");
        Path release = sandbox.root.resolve("release");
        sandbox.config("stores = [\"command\"]\n[store.command]\nget = [\"sh\", \"-c\", \"touch " + started
                + "; while [ ! -e " + release + " ]; do sleep 0.05; done; echo slow-token\"]\n");
        Process old = sandbox.start(sandbox.builder(sandbox.latchkey("daemon", "--foreground")));
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(sandbox.socket));
        ExecutorService threads = Executors.newFixedThreadPool(2); // the common pool may have one thread only
        try (LatchkeyClient first = sandbox.client(); LatchkeyClient next = sandbox.startingClient()) {
            CompletableFuture<Response.Got> inFlight = CompletableFuture.supplyAsync(() -> call(() -> first.get(COMPANY)), threads);
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(started));
            old.toHandle().destroy(); // SIGTERM: the socket goes at once, the daemon stays to answer
            await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(sandbox.socket));

            CompletableFuture<Long> arriving = CompletableFuture.supplyAsync(() -> call(() -> next.status().pid()), threads);
            await().atMost(Duration.ofSeconds(30)).until(() -> sandbox.log().contains("is stopping: waiting for it"));
            Files.createFile(release);

            try (Secret token = inFlight.get(20, TimeUnit.SECONDS).token()) {
                assertEquals("slow-token", token.reveal());
            }
            long pid = arriving.get(60, TimeUnit.SECONDS);
            assertNotEquals(old.pid(), pid);
            assertEquals(List.of(pid), sandbox.daemons().stream().map(ProcessHandle::pid).toList());
        } finally {
            threads.shutdownNow();
        }
    }

    private static <T> T call(Callable<T> call) {
        try {
            return call.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theDefaultSocketIsWhereTheDaemonListensWhenHomeIsTakenFromTheEnvironment() throws Exception {
        // No runtime or cache directory named: the socket is under ~/.cache, with ~ being $HOME for
        // the daemon and for the client alike, whatever the user database says (here: another directory).
        sandbox.env().remove("XDG_RUNTIME_DIR");
        sandbox.env().remove("XDG_CACHE_HOME");
        sandbox.env().put("HOME", sandbox.home.toString());
        assertEquals(0, sandbox.run(null, "daemon").exit());
        Path socket = sandbox.home.resolve(".cache/latchkey/daemon.sock");
        assertTrue(Files.exists(socket), "the daemon listens under $HOME");
        DaemonSandbox.Result status = sandbox.run(null, "--socket", socket.toString(), "daemon", "status");
        assertEquals(0, status.exit(), status.stderr());

        Path peerClasses = Path.of(DefaultSocketPeer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        DaemonSandbox.Result peer = sandbox.run(null, List.of(DaemonSandbox.JAVA, "-cp",
                DaemonSandbox.JAR + java.io.File.pathSeparator + peerClasses, DefaultSocketPeer.class.getName()));

        assertEquals(0, peer.exit(), peer.stderr());
        assertTrue(status.stdout().contains("pid " + peer.stdout().strip() + ","), "the client reached it: " + peer.stdout());
    }

    @Test
    void aListOfThousandsOfTokensIsReadWholeThoughItsLineIsLongerThanAnyRequestMayBe() throws Exception {
        sandbox.startDaemon();
        int tokens = 3000;
        try (LatchkeyClient client = sandbox.client()) {
            for (int i = 0; i < tokens; i++) {
                try (Secret token = Secret.copyOf(("token-" + i).toCharArray())) {
                    client.store(Registry.byUrl("sparse+https://registry-" + i + ".example/index/"), token, null, java.util.Set.of(),
                            "memory");
                }
            }
            assertEquals(tokens, client.list().size(), "the answer is a line of some 300 KiB, over the 64 KiB a request may take");
        }
    }

    @Test
    void oneClientSharedByThreadsGivesEachCallItsOwnAnswer() throws Exception {
        sandbox.startDaemon();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try (LatchkeyClient client = sandbox.client()) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                Registry registry = Registry.byUrl("https://thread.example/" + t + "/");
                String expected = "token-of-thread-" + t;
                Callable<Integer> calls = () -> {
                    try (Secret token = Secret.copyOf(expected.toCharArray())) {
                        client.store(registry, token);
                    }
                    for (int i = 0; i < 200; i++) {
                        try (Secret token = client.get(registry).token()) {
                            assertEquals(expected, token.reveal());
                        }
                    }
                    return 200;
                };
                results.add(threads.submit(calls));
            }
            for (Future<Integer> result : results) {
                assertEquals(200, result.get(60, TimeUnit.SECONDS));
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aCallToADaemonThatDoesNotAnswerTimesOutAndTheClientRecovers() throws Exception {
        ProcessHandle daemon = sandbox.startDaemon();
        // Deadlines of a few seconds: the calls that must be answered come just after a start and a CONT.
        try (LatchkeyClient client = LatchkeyClient.overSocket(sandbox.socket).startDaemon(false)
                .connectTimeout(Duration.ofSeconds(3)).callTimeout(Duration.ofSeconds(3)).build()) {
            assertEquals(daemon.pid(), client.status().pid());
            DaemonSandbox.signal("STOP", daemon);
            try {
                CredentialException.Unavailable timedOut = assertThrows(CredentialException.Unavailable.class, client::status);
                assertTrue(timedOut.getMessage().contains("did not answer within 3 s"), timedOut.getMessage());
                try (LatchkeyClient late = LatchkeyClient.overSocket(sandbox.socket).startDaemon(false)
                        .connectTimeout(Duration.ofSeconds(3)).build()) {
                    CredentialException.Unavailable noHello = assertThrows(CredentialException.Unavailable.class, late::status);
                    assertTrue(noHello.getMessage().contains("did not say hello within 3 s"), noHello.getMessage());
                }
            } finally {
                DaemonSandbox.signal("CONT", daemon);
            }
            assertEquals(daemon.pid(), client.status().pid(), "the late answer to the timed-out call is not taken for this one");
        }
    }

    @Test
    void theSameCallsGiveTheSameAnswersOverLatchkeyStdio() throws Exception {
        sandbox.startDaemon();
        List<String> stdio = List.of(sandbox.launcher().toString(), "--no-daemon", "stdio");
        try (LatchkeyClient overSocket = sandbox.client();
             LatchkeyClient overStdio = LatchkeyClient.overStdio(stdio).build()) {
            assertTrue(overStdio.status().pid() != overSocket.status().pid(), "two different servers");
            for (LatchkeyClient client : List.of(overSocket, overStdio)) {
                try (Secret token = Secret.copyOf("same-token".toCharArray())) {
                    assertEquals("file", client.store(COMPANY, token, 4102444800L, Set.of(Operation.PUBLISH), null));
                }
                Response.Got got = client.get(COMPANY, Operation.PUBLISH);
                assertEquals("same-token", got.token().reveal());
                assertEquals(4102444800L, got.expiration());
                assertThrows(CredentialException.NotFound.class, () -> client.get(COMPANY, Operation.READ),
                        "a token for publish only");
                List<Response.TokenInfo> listed = client.list();
                assertEquals(1, listed.size());
                assertEquals(List.of(Operation.PUBLISH), listed.get(0).operations());
                assertEquals(List.of("file"), client.erase(COMPANY));
                assertThrows(CredentialException.NotFound.class, () -> client.erase(COMPANY));
                assertThrows(CredentialException.BadRequest.class, () -> client.get(Registry.byName("nowhere")));
            }
        }
    }
}
