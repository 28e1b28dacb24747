package dev.latchkey.daemon.it;

import dev.latchkey.client.LatchkeyClient;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
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

    private DaemonSandbox sandbox;

    @BeforeEach
    void sandbox() throws Exception {
        sandbox = new DaemonSandbox().config("stores = [\"file\"]\n");
    }

    @AfterEach
    void cleanUp() throws Exception {
        sandbox.close();
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
        try (LatchkeyClient client = LatchkeyClient.overSocket(sandbox.socket).startDaemon(false)
                .connectTimeout(Duration.ofSeconds(1)).callTimeout(Duration.ofSeconds(1)).build()) {
            assertEquals(daemon.pid(), client.status().pid());
            DaemonSandbox.signal("STOP", daemon);
            try {
                CredentialException.Unavailable timedOut = assertThrows(CredentialException.Unavailable.class, client::status);
                assertTrue(timedOut.getMessage().contains("did not answer within 1 s"), timedOut.getMessage());
                try (LatchkeyClient late = LatchkeyClient.overSocket(sandbox.socket).startDaemon(false)
                        .connectTimeout(Duration.ofSeconds(1)).build()) {
                    CredentialException.Unavailable noHello = assertThrows(CredentialException.Unavailable.class, late::status);
                    assertTrue(noHello.getMessage().contains("did not say hello within 1 s"), noHello.getMessage());
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
