package dev.latchkey.bench;

import dev.latchkey.client.LatchkeyClient;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Response;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

/**
 * The daemon through the client library: 16 threads, each with a client (a connection) of its
 * own, asking for a token the daemon reads from its file store, as fast as they can. One daemon,
 * started by scripts/latchkey with its own JVM flags, serves the whole run. Throughput gives gets
 * per second; sample time gives the latency distribution (p99 and beyond) of one get. The daemon
 * is warmed up for 30 s first: on two CPUs shared with 16 client threads its JIT compiler was still
 * raising its throughput 20 s in (measured: 15k, 24k, 28k, 33k, 39k, 42k gets/s in successive 3 s).
 *
 * <p>{@code server=protocol-only} runs the same calls against {@link FloorServer} {@code protocol},
 * which parses each request and answers it with the token, and does nothing else: what is left
 * when the daemon's own work (stores, metadata book, audit log) is taken away.
 */
@State(Scope.Benchmark)
@Fork(1)
@Threads(16)
@Warmup(iterations = 10, time = 3)
@Measurement(iterations = 5, time = 3)
public class DaemonThroughput {
    @Param({"daemon", "protocol-only"})
    public String server;

    private BenchSandbox sandbox;
    private Path protocolOnlyDir;
    private Process protocolOnly;
    private Path socket;
    private final Registry registry = Registry.byUrl(BenchSandbox.INDEX_URL);

    /** One connection per benchmark thread. */
    @State(Scope.Thread)
    public static class Connection {
        LatchkeyClient client;

        @Setup(Level.Trial)
        public void connect(DaemonThroughput benchmark) throws CredentialException {
            client = BenchSandbox.clientOf(benchmark.socket);
            benchmark.get(this); // connected before the first measured call
        }

        @TearDown(Level.Trial)
        public void close() {
            client.close();
        }
    }

    @Setup(Level.Trial)
    public void startServer() throws Exception {
        if (server.equals("daemon")) {
            sandbox = BenchSandbox.create();
            sandbox.startDaemon();
            socket = sandbox.socket;
        } else {
            // The client library talks only to a socket in a directory of the user's own, 0700.
            protocolOnlyDir = Files.createTempDirectory(Path.of("/tmp"), "lkp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            socket = protocolOnlyDir.resolve("protocol.sock");
            protocolOnly = FloorServer.start("protocol", socket.toString());
        }
    }

    @TearDown(Level.Trial)
    public void stopServer() throws Exception {
        if (sandbox != null) {
            sandbox.close();
        } else {
            protocolOnly.destroyForcibly().waitFor();
            Files.deleteIfExists(socket);
            Files.delete(protocolOnlyDir);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int getsPerSecond(Connection connection) throws CredentialException {
        return get(connection);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int getLatency(Connection connection) throws CredentialException {
        return get(connection);
    }

    int get(Connection connection) throws CredentialException {
        Response.Got got = connection.client.get(registry);
        int length = got.token().length();
        got.token().wipe();
        return length;
    }
}
