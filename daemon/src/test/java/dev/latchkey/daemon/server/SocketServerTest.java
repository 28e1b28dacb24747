package dev.latchkey.daemon.server;

import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.service.Services;
import java.util.Map;

import dev.latchkey.protocol.LineReader;
import dev.latchkey.protocol.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The socket server on a real Unix socket, with a handler that answers {@code not-found} (a
 * request with the id {@code slow} first waits to be let go): what a client sending an over-long
 * line gets, that a slow request holds up only its own connection, that pipelined requests are
 * answered in order however slowly their client reads, and how a stop drains the connections.
 */
class SocketServerTest {
    private static final String GET = "{\"v\":1,\"registry\":{\"index-url\":\"https://packages.example/index/\"},\"kind\":\"get\"}\n";
    private static final String SLOW_GET = get("\"slow\"");

    @TempDir
    Path dir;

    private Path socket;
    private SocketServer server;
    private CompletableFuture<Void> serving;
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch entered = new CountDownLatch(0);
    private volatile CountDownLatch release = new CountDownLatch(0);

    @BeforeEach
    void start() throws Exception {
        socket = dir.resolve("s.sock");
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(socket));
        server = new SocketServer(listener, listener::close,
                FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(System.getProperty("user.name")),
                "test", caller -> (line, batch) -> {
                    if (line.id() != null && "slow".equals(line.id().text())) {
                        entered.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return Response.Failure.notFound("no token here");
                }, new RelayedInvocations(new Services(new Environment(Map.of("HOME", dir.toString()), dir, dir), null, "test"), "test",
                        socket, new IdleTimer(Duration.ZERO), logged::add), logged::add);
        serving = CompletableFuture.runAsync(() -> {
            try {
                server.serve();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @AfterEach
    void stop() throws Exception {
        server.stop(Duration.ofSeconds(5));
        serving.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aLineOverTheLimitIsAnsweredBadRequestBeforeItEndsAndTheConnectionStaysUsable() throws Exception {
        try (SocketChannel channel = connect()) {
            readLine(channel); // the hello
            byte[] overLimit = new byte[LineReader.MAX_LINE + 1000];
            Arrays.fill(overLimit, (byte) 'a');
            channel.write(ByteBuffer.wrap(overLimit));
            String answer = readLine(channel); // no newline sent yet: answered at the limit, not at the line's end
            assertTrue(answer.contains("bad-request") && answer.contains("longer than " + LineReader.MAX_LINE), answer);
            byte[] rest = new byte[200 * 1024]; // read past at the connection's own pace
            Arrays.fill(rest, (byte) 'b');
            channel.write(ByteBuffer.wrap(rest));
            channel.write(ByteBuffer.wrap(("\n" + GET).getBytes(StandardCharsets.US_ASCII)));
            assertTrue(readLine(channel).contains("not-found"), "the next request on the same connection is served");
        }
    }

    @Test
    void aLineOfExactlyTheLimitIsStillServedOnTheSameConnection() throws Exception {
        try (SocketChannel channel = connect()) {
            readLine(channel);
            byte[] longest = new byte[LineReader.MAX_LINE + 1];
            Arrays.fill(longest, (byte) ' ');
            longest[LineReader.MAX_LINE] = '\n'; // a blank line of the longest length: no request, no answer
            channel.write(ByteBuffer.wrap(longest));
            channel.write(ByteBuffer.wrap(GET.getBytes(StandardCharsets.US_ASCII)));
            assertTrue(readLine(channel).contains("not-found"));
        }
    }

    @Test
    void aSlowRequestHoldsUpOnlyItsOwnConnectionWhoseNextRequestsWaitBehindIt() throws Exception {
        try (SocketChannel slow = connect(); SocketChannel other = connect()) {
            slowRequestOn(slow, other, get("\"after\""));
            for (int i = 0; i < 3; i++) {
                send(other, GET);
                assertTrue(readLine(other).contains("not-found"), "another connection is served meanwhile");
            }
            try (SocketChannel later = connect()) {
                readLine(later);
                send(later, GET);
                assertTrue(readLine(later).contains("not-found"), "and so is a new one");
            }
            release.countDown();
            assertTrue(readLine(slow).contains("\"slow\""), "the slow request is answered");
            assertTrue(readLine(slow).contains("\"after\""), "then the one sent behind it");
            send(slow, GET);
            assertTrue(readLine(slow).contains("not-found"), "and the connection goes on");
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderThoughTheClientReadsNothingUntilItHasSentThemAll() throws Exception {
        int count = 5000; // more answers than the socket's buffers hold: the server waits for room
        StringBuilder requests = new StringBuilder();
        for (int i = 0; i < count; i++) {
            requests.append(get(Integer.toString(i)));
        }
        try (SocketChannel channel = connect()) {
            readLine(channel);
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    send(channel, requests.toString());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            for (int i = 0; i < count; i++) {
                String answer = readLine(channel);
                assertTrue(answer.contains("\"id\":" + i + ",") && answer.contains("not-found"), "answer " + i + ": " + answer);
            }
            sending.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aLastRequestWithoutNewlineIsAnsweredWhenTheClientEndsItsSide() throws Exception {
        try (SocketChannel channel = connect()) {
            readLine(channel);
            send(channel, GET.strip());
            channel.shutdownOutput();
            assertTrue(readLine(channel).contains("not-found"));
            assertTrue(endedAfterReading(channel), "then the server closes the connection");
        }
    }

    @Test
    void stopWaitsForTheRequestBeingServedAndItsAnswerIsWritten() throws Exception {
        try (SocketChannel busy = connect(); SocketChannel idle = connect()) {
            slowRequestOn(busy, idle, "");
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> server.stop(Duration.ofSeconds(60)));
            assertTrue(endedAfterReading(idle), "an idle connection is closed by the stop");
            assertFalse(stopping.isDone(), "the stop waits for the request being served");
            assertFalse(serving.isDone(), "and so does serve()");
            release.countDown();
            assertTrue(readLine(busy).contains("not-found"), "the request being served gets its answer");
            stopping.get(30, TimeUnit.SECONDS);
            serving.get(30, TimeUnit.SECONDS);
            assertTrue(endedAfterReading(busy), "then its connection is closed");
        }
        assertTrue(logged.stream().noneMatch(line -> line.contains("still busy")), logged.toString());
    }

    @Test
    void aStopGivesUpOnARequestStillBusyAfterItsGraceAndClosesEveryConnection() throws Exception {
        try (SocketChannel busy = connect(); SocketChannel idle = connect()) {
            slowRequestOn(busy, idle, "");
            server.stop(Duration.ofMillis(300));
            serving.get(30, TimeUnit.SECONDS);
            assertTrue(endedAfterReading(busy), "the busy connection is closed once the grace is over");
            assertTrue(endedAfterReading(idle));
            assertTrue(logged.stream().anyMatch(line -> line.contains("1 connection(s) still busy")), logged.toString());
        } finally {
            release.countDown(); // the handler returns to a closed connection, which nothing answers
        }
    }

    /** Reads both connections' hellos, sends a slow request on {@code slow}, then {@code after}, and waits until the handler has the slow one. */
    private void slowRequestOn(SocketChannel slow, SocketChannel other, String after) throws Exception {
        entered = new CountDownLatch(1);
        release = new CountDownLatch(1);
        readLine(slow);
        readLine(other);
        send(slow, SLOW_GET + after);
        assertTrue(entered.await(30, TimeUnit.SECONDS), "the slow request reached the handler");
    }

    /** A get with {@code id} (a JSON value). */
    private static String get(String id) {
        return GET.replace("{\"v\":1,", "{\"v\":1,\"id\":" + id + ",");
    }

    private static void send(SocketChannel channel, String text) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    private SocketChannel connect() throws IOException {
        return SocketChannel.open(UnixDomainSocketAddress.of(socket));
    }

    /** One line, without its newline; the connection must not end before it. */
    private static String readLine(SocketChannel channel) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            if (channel.read(one) < 0) {
                throw new IOException("the connection ended before a whole line: " + line);
            }
            if (one.get(0) == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
            line.write(one.get(0));
        }
    }

    /** Whether the server ends the connection with nothing more said: end of stream, or reset (unread bytes were left there). */
    private static boolean endedAfterReading(SocketChannel channel) {
        try {
            return channel.read(ByteBuffer.allocate(1)) < 0;
        } catch (IOException e) {
            return true;
        }
    }
}
