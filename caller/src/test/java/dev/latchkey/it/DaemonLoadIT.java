package dev.latchkey.it;

import dev.latchkey.client.LatchkeyClient;
import dev.latchkey.protocol.LineReader;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Request;
import dev.latchkey.protocol.RequestCodec;
import dev.latchkey.protocol.RequestId;
import dev.latchkey.protocol.RequestLine;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.ResponseCodec;
import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 200 clients at once, 500 requests each, every answer checked: half of them raw sockets that
 * write all their requests before reading an answer (pipelining, answers in order), half the
 * client library making one call after another.
 */
class DaemonLoadIT {
    private static final int CLIENTS = 200;
    private static final int REQUESTS = 500;

    @RegisterExtension
    final DaemonSandbox sandbox = DaemonSandbox.perTest();

    @Test
    void twoHundredClientsFiveHundredRequestsEachEveryAnswerRight() throws Exception {
        sandbox.config("stores = [\"memory\"]\n");
        ProcessHandle daemon = sandbox.startDaemon();
        ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> clients = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                int client = i;
                Callable<Integer> work = client % 2 == 0 ? () -> pipelined(client, go) : () -> oneByOne(client, go);
                clients.add(threads.submit(work));
            }
            long start = System.nanoTime();
            go.countDown();
            int answers = 0;
            for (Future<Integer> client : clients) {
                answers += client.get(120, TimeUnit.SECONDS);
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertEquals(CLIENTS * (REQUESTS + 1), answers);
            String status = Files.readString(Path.of("/proc", Long.toString(daemon.pid()), "status"));
            System.out.printf("DaemonLoadIT: %d clients x %d requests: %d answers, all correct, in %d ms (%d requests/s); daemon %s, %s%n",
                    CLIENTS, REQUESTS, answers, millis, answers * 1000L / Math.max(1, millis),
                    field(status, "VmRSS"), field(status, "VmHWM"));
            assertTrue(daemon.isAlive());
        } finally {
            threads.shutdownNow();
        }
    }

    /** Stores its own token, then writes all its gets at once and checks the answers come back in order. */
    private int pipelined(int client, CountDownLatch go) throws Exception {
        Registry registry = Registry.byUrl("https://load.example/" + client + "/");
        String token = "token-" + client;
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(sandbox.socket))) {
            LineReader answers = new LineReader(Channels.newInputStream(channel));
            assertTrue(answers.readLine() > 0, "hello");
            ByteArrayOutputStream requests = new ByteArrayOutputStream();
            try (Secret secret = Secret.copyOf(token.toCharArray())) {
                requests.writeBytes(RequestCodec.write(new RequestLine(RequestId.of("store"), List.of(),
                        new Request.Store("store", registry, secret, null, Set.of(), null, null))));
            }
            for (int i = 0; i < REQUESTS; i++) {
                requests.writeBytes(RequestCodec.write(new RequestLine(RequestId.of(i), List.of(), Request.Get.read(registry))));
            }
            go.await();
            // Written by a thread of its own while this one reads, so that neither side's buffer fills up and stalls.
            Thread writer = new Thread(() -> {
                try {
                    ByteBuffer all = ByteBuffer.wrap(requests.toByteArray());
                    while (all.hasRemaining()) {
                        channel.write(all);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            assertInstanceOf(Response.Stored.class, next(answers, RequestId.of("store")));
            for (int i = 0; i < REQUESTS; i++) {
                Response.Got got = assertInstanceOf(Response.Got.class, next(answers, RequestId.of(i)));
                assertEquals(token, got.token().reveal());
            }
            writer.join();
        }
        return REQUESTS + 1;
    }

    private static Response next(LineReader answers, RequestId expectedId) throws Exception {
        int length = answers.readLine();
        ResponseCodec.ResponseLine line = ResponseCodec.parse(answers.buffer(), length);
        assertEquals(expectedId, line.id(), "answers come in the order of the requests");
        return line.response();
    }

    /** Stores its own token, then asks for it again and again through the client library. */
    private int oneByOne(int client, CountDownLatch go) throws Exception {
        Registry registry = Registry.byUrl("https://load.example/" + client + "/");
        String token = "token-" + client;
        try (LatchkeyClient latchkey = sandbox.client()) {
            go.await();
            try (Secret secret = Secret.copyOf(token.toCharArray())) {
                assertEquals("memory", latchkey.store(registry, secret));
            }
            for (int i = 0; i < REQUESTS; i++) {
                try (Secret got = latchkey.get(registry).token()) {
                    assertEquals(token, got.reveal());
                }
            }
        }
        return REQUESTS + 1;
    }

    private static String field(String procStatus, String name) {
        return procStatus.lines().filter(l -> l.startsWith(name + ":")).findFirst().orElse(name + ": ?").replaceAll("\\s+", " ");
    }
}
