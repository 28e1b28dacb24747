package dev.latchkey.daemon.server;

import dev.latchkey.daemon.door.latchkey.ProtocolSession;

import dev.latchkey.protocol.Dialect;
import dev.latchkey.protocol.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The loop's backpressure on real Unix sockets: clients that send many requests at once and do
 * not read the answers, each answer some KiB. The daemon's end of each socket is given the
 * kernel's smallest send buffer, so that what waits to be sent waits in the loop, where the limits
 * apply, and not in the kernel. How many requests the handler was given tells how far the loop
 * read and answered.
 */
class ConnectionLoopBackpressureTest {
    /** About the size of each answer: large, so that one read of requests would bring many times the limit of answers. */
    private static final int ANSWER = 16 * 1024;
    private static final String MESSAGE = "m".repeat(ANSWER);
    /** Requests each client sends at once: small, a few dozen in one read. */
    private static final int PIPELINED = 1000;
    /** What the kernel may still hold for a client, in answers, with the smallest send buffer. */
    private static final int IN_THE_KERNEL = 2;

    @TempDir
    Path dir;

    private ServerSocketChannel listener;
    private ConnectionLoop loop;

    /** A client's end of a connection, and how many of its requests the loop has answered. */
    private record Client(SocketChannel channel, BufferedReader answers, AtomicInteger answered) {
    }

    @AfterEach
    void stop() throws IOException {
        if (loop != null) {
            loop.closeAll();
        }
        if (listener != null) {
            listener.close();
        }
    }

    @Test
    void aClientThatDoesNotReadIsAnsweredNoFurtherThanTheLimitAndAnsweredAgainOnceItReads() throws Exception {
        start(new ConnectionLoop(line -> { }, (channel, buffered) -> { }, () -> { }));
        Client client = connect();

        send(client, PIPELINED);
        int answered = settled(client);

        int mostWaiting = ConnectionLoop.CONNECTION_OUTBOX_LIMIT / ANSWER + 1; // the one that passed the limit
        assertTrue(answered <= mostWaiting + IN_THE_KERNEL, "the loop stopped answering a client that does not read: "
                + answered + " of " + PIPELINED + " requests answered, " + mostWaiting + " answers at most waiting for it");
        readAll(client); // in order, every one: the loop went on as the client read
        assertEquals(PIPELINED, client.answered().get());
    }

    @Test
    void pastTheTotalLimitAConnectionWithAnswersWaitingGetsNoMoreWhileOneThatReadsIsAnswered() throws Exception {
        long total = 8L * ANSWER; // well under one connection's limit: what all connections may hold bounds the first alone
        start(new ConnectionLoop(line -> { }, (channel, buffered) -> { }, () -> { }, ConnectionLoop.CONNECTION_OUTBOX_LIMIT, total));
        Client heaviest = connect();
        Client next = connect();
        Client reading = connect();

        send(heaviest, PIPELINED);
        int heaviestAnswered = settled(heaviest);
        assertTrue(heaviestAnswered <= total / ANSWER + 1 + IN_THE_KERNEL, "the total limit stops the heaviest connection: "
                + heaviestAnswered + " answered");
        send(next, PIPELINED);
        int nextAnswered = settled(next);
        assertTrue(nextAnswered <= 1 + IN_THE_KERNEL, "past the total limit, a connection is answered only while nothing "
                + "waits for it: " + nextAnswered + " answered");
        for (int i = 0; i < 20; i++) {
            send(reading, 1);
            readAnswer(reading, i);
        }
        assertEquals(20, reading.answered().get(), "a client that reads its answers is answered all the same");

        readAll(heaviest);
        readAll(next);
        assertEquals(PIPELINED, heaviest.answered().get());
        assertEquals(PIPELINED, next.answered().get());
    }

    private void start(ConnectionLoop started) throws IOException {
        listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(dir.resolve("s.sock")));
        loop = started;
        loop.start();
    }

    /** A connection handed to the loop as the socket server hands it (without the hello), its handler answering each request at length. */
    private Client connect() throws IOException {
        SocketChannel client = SocketChannel.open(listener.getLocalAddress());
        SocketChannel served = listener.accept();
        served.setOption(StandardSocketOptions.SO_SNDBUF, 1); // raised by the kernel to its least
        served.configureBlocking(false);
        AtomicInteger answered = new AtomicInteger();
        loop.add(served, new ProtocolSession(Dialect.LATCHKEY, "test", (line, batch) -> {
            answered.incrementAndGet();
            return Response.Failure.notFound(MESSAGE);
        }));
        BufferedReader answers = new BufferedReader(new InputStreamReader(Channels.newInputStream(client), StandardCharsets.UTF_8));
        return new Client(client, answers, answered);
    }

    /** Sends {@code count} requests at once, numbered from what the client has had answered so far. */
    private static void send(Client client, int count) throws IOException {
        StringBuilder requests = new StringBuilder();
        int first = client.answered().get();
        for (int id = first; id < first + count; id++) {
            requests.append("{\"v\":1,\"id\":").append(id).append(",\"kind\":\"status\"}\n");
        }
        ByteBuffer bytes = ByteBuffer.wrap(requests.toString().getBytes(StandardCharsets.US_ASCII));
        while (bytes.hasRemaining()) {
            client.channel().write(bytes);
        }
    }

    /** How many requests of {@code client} the loop has answered once it has stopped answering more. */
    private static int settled(Client client) throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int seen = -1;
        while (System.nanoTime() - giveUp < 0) {
            int now = client.answered().get();
            if (now > 0 && now == seen) {
                return now;
            }
            seen = now;
            Thread.sleep(1000); // still for a second: a loop thread descheduled that long on a busy machine is rare
        }
        throw new AssertionError("the loop never stopped answering: " + client.answered().get());
    }

    private static void readAll(Client client) throws IOException {
        for (int id = 0; id < PIPELINED; id++) {
            readAnswer(client, id);
        }
    }

    private static void readAnswer(Client client, int id) throws IOException {
        String answer = client.answers().readLine();
        assertTrue(answer != null && answer.contains("\"id\":" + id + ",") && answer.contains(MESSAGE),
                "answer " + id + ": " + (answer == null ? "none, the connection ended" : answer.substring(0, Math.min(answer.length(), 80))));
    }
}
