package dev.latchkey.caller;

import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.service.Version;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * The launcher's training run for its class-data archive (scripts/latchkey): the reads every
 * client makes of a helper served in its own process, one after the other in this one JVM, so that
 * the archive holds the classes of each front door a request may take, not only cargo's. Run in a
 * home of the launcher's making, with no daemon: nothing of the user's is read or written.
 */
public final class ArchiveTraining {
    private static final String REGISTRY = "\"registry\":{\"index-url\":\"sparse+https://training.invalid/index/\",\"name\":\"training\"}";
    private static final String OTHER = "\"registry\":{\"index-url\":\"sparse+https://other.invalid/index/\",\"name\":\"other\"}";

    /** Each invocation a client makes, with what it writes on stdin. */
    private record Invocation(List<String> argv, String stdin) {
    }

    private ArchiveTraining() {
    }

    /** {@code args}: the config file the cargo requests name in their {@code args}. */
    public static void main(String[] args) {
        String config = args[0];
        List<Invocation> invocations = List.of(
                new Invocation(List.of("--cargo-plugin"), String.join("\n",
                        "{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\"}",
                        "{\"v\":1," + OTHER + ",\"kind\":\"get\",\"operation\":\"publish\",\"name\":\"c\",\"vers\":\"1.0.0\",\"cksum\":\"ab\"}",
                        "{\"v\":1," + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\",\"args\":[\"--config\",\"" + config + "\"]}",
                        "{\"v\":1," + OTHER + ",\"kind\":\"login\",\"token\":\"t\"}",
                        "{\"v\":1," + OTHER + ",\"kind\":\"logout\"}", "")),
                new Invocation(List.of("stdio"), "{\"v\":1,\"kind\":\"get\"," + REGISTRY + "}\n"),
                new Invocation(List.of("git-credential", "get"), "protocol=https\nhost=training.invalid\n"),
                new Invocation(List.of("docker-credential", "get"), "training.invalid"),
                new Invocation(List.of("keyring", "get", "https://training.invalid/simple/", "trainee"), ""),
                new Invocation(List.of("npm-token", "https://training.invalid/npm/"), ""));
        Environment env = Environment.ofProcess();
        InvocationRunner runner = new InvocationRunner(env, Version.current());
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        for (Invocation invocation : invocations) {
            runner.run(invocation.argv(), new ByteArrayInputStream(invocation.stdin().getBytes(StandardCharsets.UTF_8)),
                    new ByteArrayOutputStream(), quiet, Set.of());
        }
        System.exit(0);
    }
}
