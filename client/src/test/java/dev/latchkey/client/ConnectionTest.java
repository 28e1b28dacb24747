package dev.latchkey.client;

import dev.latchkey.protocol.Dialect;
import dev.latchkey.protocol.ErrorKind;
import dev.latchkey.protocol.Hello;
import dev.latchkey.protocol.Incoming;
import dev.latchkey.protocol.LineReader;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Request;
import dev.latchkey.protocol.RequestCodec;
import dev.latchkey.protocol.RequestLine;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.ResponseCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One connection shared by threads, against a server this test scripts on a real Unix socket:
 * answers reach the caller whose id they carry whoever reads them, and calls the server leaves
 * unanswered time out without taking the others with them.
 */
class ConnectionTest {
    private static final Duration LONG = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private ServerSocketChannel listener;
    private SocketChannel client;
    private SocketChannel served;
    private LineReader requests;
    private OutputStream answers;
    private Connection connection;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeEach
    void connect() throws IOException {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("s"));
        listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(address);
        client = SocketChannel.open(address);
        served = listener.accept();
        requests = new LineReader(ChannelStreams.input(served));
        answers = ChannelStreams.output(served);
        answers.write(Hello.line(Dialect.LATCHKEY, "test"));
        connection = Connection.open("the test server", ChannelStreams.input(client), ChannelStreams.output(client),
                this::closeClient, client, LONG);
    }

    @AfterEach
    void close() throws IOException {
        threads.shutdownNow();
        connection.close();
        served.close();
        listener.close();
    }

    private void closeClient() {
        try {
            client.close();
        } catch (IOException e) {
            // closed either way
        }
    }

    private static Request getFor(String tag) {
        return new Request.Get(Registry.byUrl("https://" + tag + ".example/"), Operation.READ, null, null, null);
    }

    /** The next request the server reads. */
    private RequestLine nextRequest() throws IOException {
        int length = requests.readLine();
        assertTrue(length >= 0, "the client sent a request");
        Incoming incoming = RequestCodec.parse(requests.buffer(), length);
        return (RequestLine) incoming;
    }

    /** Answers {@code line} with a not-found naming the registry it asked for, so each caller can tell its own answer. */
    private void answer(RequestLine line) throws IOException {
        answers.write(ResponseCodec.write(line.id(), Response.Failure.notFound("answer for " + line.request().registry().indexUrl()),
                Dialect.LATCHKEY));
    }

    private Future<String> call(String tag, Duration timeout) {
        return threads.submit(() -> {
            Response response = connection.call(getFor(tag), List.of(), timeout);
            return ((Response.Failure) response).message();
        });
    }

    @Test
    void answersComingBackInAnotherOrderEachReachTheirCaller() throws Exception {
        for (int round = 0; round < 50; round++) {
            List<Future<String>> calls = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                calls.add(call("r" + round + "t" + t, LONG));
            }
            List<RequestLine> received = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                received.add(nextRequest());
            }
            for (int t = 7; t >= 0; t--) {
                answer(received.get(t));
            }
            for (int t = 0; t < 8; t++) {
                assertEquals("answer for https://r" + round + "t" + t + ".example/", calls.get(t).get(LONG.toSeconds(), TimeUnit.SECONDS));
            }
        }
        assertTrue(connection.isOpen());
    }

    @Test
    void aCallTheServerNeverAnswersTimesOutAndEndsTheConnectionItIsStuckReading() throws Exception {
        Future<String> silent = call("silent", Duration.ofMillis(300));
        nextRequest(); // and never answered

        Exception failure = assertThrows(Exception.class, () -> silent.get(LONG.toSeconds(), TimeUnit.SECONDS));
        assertTrue(failure.getCause() instanceof InterruptedIOException, String.valueOf(failure.getCause()));
        assertEquals("the test server did not answer within 300 ms", failure.getCause().getMessage());
        assertFalse(connection.isOpen(), "a connection whose reader was stuck is ended; the client opens a new one");
        InputStream server = ChannelStreams.input(served);
        assertEquals(-1, server.read(new byte[16]), "the client closed its end");
    }

    @Test
    void callersLeftUnansweredAllTimeOutWhileTheAnsweredOnesGetTheirAnswers() throws Exception {
        List<Future<String>> silent = new ArrayList<>();
        // Long enough that all three are sent before the first deadline ends the connection.
        for (int t = 0; t < 3; t++) {
            silent.add(call("silent" + t, Duration.ofSeconds(2)));
        }
        for (int t = 0; t < 3; t++) {
            nextRequest();
        }
        for (Future<String> call : silent) {
            Exception failure = assertThrows(Exception.class, () -> call.get(LONG.toSeconds(), TimeUnit.SECONDS));
            assertTrue(failure.getCause() instanceof IOException, String.valueOf(failure.getCause()));
        }
        assertFalse(connection.isOpen());
    }

    @Test
    void aRefusalReachesEveryCallerAndTheConnectionIsClosed() throws Exception {
        Future<String> first = call("a", LONG);
        nextRequest();
        answers.write(ResponseCodec.write(null, Response.Failure.of(ErrorKind.UNAVAILABLE, "too many clients"), Dialect.LATCHKEY));

        Exception failure = assertThrows(Exception.class, () -> first.get(LONG.toSeconds(), TimeUnit.SECONDS));
        assertTrue(failure.getCause() instanceof Connection.Refused, String.valueOf(failure.getCause()));
        assertEquals("too many clients", failure.getCause().getMessage());
        assertFalse(connection.isOpen());
        Connection.Refused again = assertThrows(Connection.Refused.class, () -> connection.call(getFor("b"), List.of(), LONG));
        assertEquals(ErrorKind.UNAVAILABLE, again.failure().kind());
        assertEquals(-1, ChannelStreams.input(served).read(new byte[16]), "the client closed its end");
    }

    @Test
    void aServerThatGoesAwayAfterTheRequestLeavesItMaybeServed() throws Exception {
        Future<String> call = call("gone", LONG);
        nextRequest();
        served.close();

        Exception failure = assertThrows(Exception.class, () -> call.get(LONG.toSeconds(), TimeUnit.SECONDS));
        ConnectionLostException lost = (ConnectionLostException) failure.getCause();
        assertTrue(lost.requestSent(), "the request was written whole: it may have been served");
        assertFalse(connection.isOpen());
    }
}
