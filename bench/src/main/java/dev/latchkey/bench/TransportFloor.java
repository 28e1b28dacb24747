package dev.latchkey.bench;

import dev.latchkey.protocol.CacheControl;
import dev.latchkey.protocol.Dialect;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Request;
import dev.latchkey.protocol.RequestCodec;
import dev.latchkey.protocol.RequestId;
import dev.latchkey.protocol.RequestLine;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.ResponseCodec;
import dev.latchkey.protocol.Secret;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The floor under {@link DaemonThroughput}, run beside it with the same threads and iterations:
 * the same round trips on a Unix socket, each a line as long as the client's get request
 * answered by a line as long as the daemon's answer, between threads that do nothing else
 * ({@link FloorServer} {@code echo}, in a process of its own). What the daemon and the client library add to a
 * get is the difference between the two.
 */
@State(Scope.Benchmark)
@Fork(1)
@Threads(16)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 3)
public class TransportFloor {
    private Path dir;
    private Process server;
    private UnixDomainSocketAddress address;
    private byte[] request;

    /** One connection per benchmark thread, as in {@link DaemonThroughput}. */
    @State(Scope.Thread)
    public static class Connection {
        SocketChannel channel;
        ByteBuffer request;
        final ByteBuffer answer = ByteBuffer.allocate(8192);

        @Setup(Level.Trial)
        public void connect(TransportFloor floor) throws IOException {
            channel = SocketChannel.open(floor.address);
            request = ByteBuffer.wrap(floor.request);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            channel.close();
        }
    }

    @Setup(Level.Trial)
    public void startServer() throws IOException {
        // The same line lengths as the daemon benchmark's: its request, and the answer with its token.
        Registry registry = Registry.byUrl(BenchSandbox.INDEX_URL);
        request = RequestCodec.write(new RequestLine(RequestId.of(1_000_000), List.of(),
                new Request.Get(registry, Operation.READ, null, null, null)));
        int answerBytes = ResponseCodec.write(RequestId.of(1_000_000), new Response.Got(Secret.fromString(BenchSandbox.TOKEN),
                CacheControl.SESSION, null, true, "file"), Dialect.LATCHKEY).length;
        dir = Files.createTempDirectory(Path.of("/tmp"), "lkf");
        Path socket = dir.resolve("echo.sock");
        server = FloorServer.start("echo", socket.toString(), Integer.toString(answerBytes));
        address = UnixDomainSocketAddress.of(socket);
    }

    @TearDown(Level.Trial)
    public void stopServer() throws IOException, InterruptedException {
        server.destroyForcibly().waitFor();
        Files.deleteIfExists(dir.resolve("echo.sock"));
        Files.delete(dir);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int roundTripsPerSecond(Connection connection) throws IOException {
        return roundTrip(connection);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int roundTripLatency(Connection connection) throws IOException {
        return roundTrip(connection);
    }

    private static int roundTrip(Connection connection) throws IOException {
        connection.request.clear();
        while (connection.request.hasRemaining()) {
            connection.channel.write(connection.request);
        }
        ByteBuffer answer = connection.answer;
        answer.clear();
        do {
            if (connection.channel.read(answer) < 0) {
                throw new IOException("the echo server closed the connection");
            }
        } while (answer.position() == 0 || answer.get(answer.position() - 1) != '\n');
        return answer.position();
    }
}
