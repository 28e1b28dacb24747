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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The daemon through the client library: 16 threads, each with a client (a connection) of its
 * own, asking for a token the daemon reads from its file store, as fast as they can. One daemon,
 * started by scripts/latchkey with its own JVM flags, serves the whole run. Throughput gives gets
 * per second; sample time gives the latency distribution (p99 and beyond) of one get.
 */
@State(Scope.Benchmark)
@Fork(1)
@Threads(16)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 3)
public class DaemonThroughput {
    private BenchSandbox sandbox;
    private final Registry registry = Registry.byUrl(BenchSandbox.INDEX_URL);

    /** One connection per benchmark thread. */
    @State(Scope.Thread)
    public static class Connection {
        LatchkeyClient client;

        @Setup(Level.Trial)
        public void connect(DaemonThroughput benchmark) throws CredentialException {
            client = benchmark.sandbox.client();
            client.status(); // connected before the first measured call
        }

        @TearDown(Level.Trial)
        public void close() {
            client.close();
        }
    }

    @Setup(Level.Trial)
    public void startDaemon() throws Exception {
        sandbox = BenchSandbox.create();
        sandbox.startDaemon();
    }

    @TearDown(Level.Trial)
    public void stopDaemon() throws Exception {
        sandbox.close();
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

    private int get(Connection connection) throws CredentialException {
        Response.Got got = connection.client.get(registry);
        int length = got.token().length();
        got.token().wipe();
        return length;
    }
}
