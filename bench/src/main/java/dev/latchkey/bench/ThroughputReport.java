package dev.latchkey.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.util.Statistics;

import java.util.Collection;
import java.util.Locale;

/**
 * The JMH part of scripts/bench: {@link DaemonThroughput} against the daemon and against a
 * protocol-only server, and the transport floor {@link TransportFloor}, one after the other in
 * one run, then a table of the three, throughput and latency, with the daemon's figures as ratios
 * to the floor's. JMH's own report comes first, and goes to
 * {@code bench/target/jmh-result.txt}.
 */
public final class ThroughputReport {
    private ThroughputReport() {
    }

    public static void main(String[] args) throws RunnerException {
        Options options = new OptionsBuilder()
                .include(DaemonThroughput.class.getSimpleName())
                .include(TransportFloor.class.getSimpleName())
                .resultFormat(org.openjdk.jmh.results.format.ResultFormatType.TEXT)
                .result(args.length > 0 ? args[0] : "jmh-result.txt")
                .build();
        Collection<RunResult> results = new Runner(options).run();
        Statistics daemonThroughput = find(results, "DaemonThroughput.getsPerSecond", "daemon");
        Statistics daemonLatency = find(results, "DaemonThroughput.getLatency", "daemon");
        Statistics protocolThroughput = find(results, "DaemonThroughput.getsPerSecond", "protocol-only");
        Statistics protocolLatency = find(results, "DaemonThroughput.getLatency", "protocol-only");
        Statistics floorThroughput = find(results, "TransportFloor.roundTripsPerSecond", null);
        Statistics floorLatency = find(results, "TransportFloor.roundTripLatency", null);

        System.out.println();
        System.out.println("16 threads, one connection each (microseconds for latency):");
        System.out.printf(Locale.ROOT, "%-38s %12s %8s %8s %8s %8s%n", "", "per second", "p50", "p99", "p99.9", "max");
        row("latchkey get (client library, daemon)", daemonThroughput, daemonLatency);
        row("client library, protocol-only server", protocolThroughput, protocolLatency);
        row("transport floor (echo, same lines)", floorThroughput, floorLatency);
        System.out.printf(Locale.ROOT, "%-38s %11.2fx %7.2fx %7.2fx %7.2fx%n", "latchkey vs floor",
                daemonThroughput.getMean() / floorThroughput.getMean(),
                daemonLatency.getPercentile(50) / floorLatency.getPercentile(50),
                daemonLatency.getPercentile(99) / floorLatency.getPercentile(99),
                daemonLatency.getPercentile(99.9) / floorLatency.getPercentile(99.9));
    }

    private static void row(String name, Statistics throughput, Statistics latency) {
        System.out.printf(Locale.ROOT, "%-38s %,12.0f %8.0f %8.0f %8.0f %8.0f%n", name, throughput.getMean(),
                latency.getPercentile(50), latency.getPercentile(99), latency.getPercentile(99.9), latency.getMax());
    }

    /** The result of {@code benchmark} run with {@code server} as its server parameter (null: it has none). */
    private static Statistics find(Collection<RunResult> results, String benchmark, String server) {
        for (RunResult result : results) {
            String param = result.getParams().getParam("server");
            if (result.getParams().getBenchmark().endsWith(benchmark) && (server == null || server.equals(param))) {
                return result.getPrimaryResult().getStatistics();
            }
        }
        throw new IllegalStateException("JMH gave no result for " + benchmark + (server == null ? "" : " with server=" + server));
    }
}
