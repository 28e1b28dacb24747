package dev.latchkey.daemon.transport;

import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.service.Services;
import dev.latchkey.protocol.Dialect;
import dev.latchkey.protocol.ErrorKind;
import dev.latchkey.protocol.Incoming;
import dev.latchkey.protocol.RequestCodec;
import dev.latchkey.protocol.RequestLine;
import dev.latchkey.protocol.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A daemon that vanishes once it has a request: it greets each client on a real socket, reads
 * one request line and hangs up, as a daemon killed mid-request does. Only an erase is left
 * unknown; anything else is served in the caller's own process, saying so.
 */
class DaemonLinkTest {
    private static final String REGISTRY = "\"registry\":{\"index-url\":\"sparse+https://packages.example.com/index/\"}";

    @TempDir
    Path home;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private ServerSocketChannel listener;
    private final AtomicInteger received = new AtomicInteger();

    @AfterEach
    void stop() throws IOException {
        if (listener != null) {
            listener.close();
        }
    }

    @Test
    void aGetWhoseDaemonVanishesIsServedHereAndSaysWhatHappened() throws Exception {
        try (ServiceRouter router = routerTo(vanishingDaemon())) {
            Response response = router.handle(line("{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\"}"));
            assertEquals(ErrorKind.NOT_FOUND, assertInstanceOf(Response.Failure.class, response).kind(), "answered here: no token");
        }
        assertEquals(2, received.get(), "the client library sent it twice, losing the daemon each time");
        String said = printed.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("latchkey: the latchkey daemon went away while answering this get request ("), said);
        assertTrue(said.contains("serving it in this process instead"), said);
        assertFalse(said.contains("erasing"), said);
    }

    @Test
    void anEraseWhoseDaemonVanishesIsReportedUnknownAndNotRepeated() throws Exception {
        try (ServiceRouter router = routerTo(vanishingDaemon())) {
            Response response = router.handle(line("{\"v\":1," + REGISTRY + ",\"kind\":\"erase\"}"));
            Response.Failure failure = assertInstanceOf(Response.Failure.class, response);
            assertEquals(ErrorKind.UNAVAILABLE, failure.kind());
            assertTrue(failure.message().startsWith("the latchkey daemon stopped while erasing"), failure.message());
        }
        assertEquals(1, received.get(), "an erase is sent once");
    }

    private ServiceRouter routerTo(Path socket) {
        Services services = new Services(new Environment(Map.of("XDG_DATA_HOME", home.resolve("data").toString(),
                "XDG_CONFIG_HOME", home.resolve("config").toString(), "XDG_STATE_HOME", home.resolve("state").toString(),
                "CARGO_HOME", home.resolve("cargo").toString()), home, home), null, "test");
        return new ServiceRouter(services, Dialect.LATCHKEY, new PrintStream(printed, true, StandardCharsets.UTF_8), socket);
    }

    /** Listens in a private directory, as the daemon does; each connection is greeted and dropped after one line. */
    private Path vanishingDaemon() throws IOException {
        Path directory = Files.createDirectory(home.resolve("run"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Path socket = directory.resolve("daemon.sock");
        listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(socket));
        Thread thread = new Thread(() -> {
            while (true) {
                try (SocketChannel client = listener.accept()) {
                    client.write(ByteBuffer.wrap("{\"v\":[1],\"server\":\"latchkey/test\"}\n".getBytes(StandardCharsets.UTF_8)));
                    ByteBuffer one = ByteBuffer.allocate(1);
                    while (client.read(one.clear()) > 0 && one.get(0) != '\n') {
                        // the request line, to its end
                    }
                    received.incrementAndGet();
                } catch (IOException e) {
                    return; // closed by the test
                }
            }
        }, "vanishing-daemon");
        thread.setDaemon(true);
        thread.start();
        return socket;
    }

    private static RequestLine line(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        Incoming incoming = RequestCodec.parse(bytes, bytes.length);
        return assertInstanceOf(RequestLine.class, incoming, json);
    }
}
