package dev.latchkey.daemon.transport;

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The socket server on a real Unix socket, with a handler that answers {@code not-found} (or
 * waits to be let go): what a client sending an over-long line gets, and how a stop drains the
 * connections that the pooled threads serve.
 */
class SocketServerTest {
    private static final String GET = "{\"v\":1,\"registry\":{\"index-url\":\"https://packages.example/index/\"},\"kind\":\"get\"}\n";

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
                "test", caller -> line -> {
                    entered.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return Response.Failure.notFound("no token here");
                }, logged::add);
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
    void aLineOverTheLimitIsAnsweredBadRequestAndItsConnectionClosedUnreadPastIt() throws Exception {
        try (SocketChannel channel = connect()) {
            readLine(channel); // the hello
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'a');
            long sent = 0;
            long meant = 64L * 1024 * 1024;
            try {
                while (sent < meant) {
                    sent += channel.write(ByteBuffer.wrap(chunk));
                }
            } catch (IOException e) {
                // the daemon hung up on the line: what this test expects
            }
            assertTrue(sent < meant, "the daemon stopped reading the line soon after the limit: " + sent + " bytes taken");
            String answer = readLine(channel);
            assertTrue(answer.contains("bad-request") && answer.contains("longer than " + LineReader.MAX_LINE), answer);
            assertTrue(endedAfterReading(channel), "the connection is closed after the answer");
        }
        try (SocketChannel other = connect()) {
            readLine(other);
            other.write(ByteBuffer.wrap(GET.getBytes(StandardCharsets.US_ASCII)));
            assertTrue(readLine(other).contains("not-found"), "other clients are still served");
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
    void stopWaitsForTheRequestBeingServedOnAPooledThreadAndItsAnswerIsWritten() throws Exception {
        for (int i = 0; i < 3; i++) { // threads for the pool, then idle in it
            try (SocketChannel channel = connect()) {
                readLine(channel);
                channel.write(ByteBuffer.wrap(GET.getBytes(StandardCharsets.US_ASCII)));
                assertTrue(readLine(channel).contains("not-found"));
            }
        }
        entered = new CountDownLatch(1);
        release = new CountDownLatch(1);
        try (SocketChannel busy = connect(); SocketChannel idle = connect()) {
            readLine(busy);
            readLine(idle);
            busy.write(ByteBuffer.wrap(GET.getBytes(StandardCharsets.US_ASCII)));
            assertTrue(entered.await(30, TimeUnit.SECONDS), "the request reached the handler");
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
