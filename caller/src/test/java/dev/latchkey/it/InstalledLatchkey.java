package dev.latchkey.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * latchkey as a user installs it for the clients of a {@link ClientSandbox}: {@code scripts/install.sh
 * --as-keyring} run in the sandbox's home puts {@code latchkey}, {@code docker-credential-latchkey} and
 * {@code keyring} in its {@code ~/.local/bin}, links to the checkout's launcher, which the clients
 * find first on their PATH. latchkey keeps its files in the sandbox's XDG directories (the file
 * store: no session bus, so no keychain), starts no daemon by itself, and one started with
 * {@link #startDaemon()} serves the clients through the launcher's relay until {@link #stopDaemon()}.
 */
final class InstalledLatchkey {
    private static final Path ROOT = Path.of(System.getProperty("latchkey.root", ".")).toAbsolutePath().normalize();

    private final ClientSandbox sandbox;
    private boolean daemonStarted;

    private InstalledLatchkey(ClientSandbox sandbox) {
        this.sandbox = sandbox;
    }

    /** Runs {@code scripts/install.sh --as-keyring} for {@code sandbox}. */
    static InstalledLatchkey install(ClientSandbox sandbox) {
        InstalledLatchkey latchkey = new InstalledLatchkey(sandbox);
        ProcessRun.of(List.of("bash", ROOT.resolve("scripts/install.sh").toString(), "--as-keyring"))
                .environment(latchkey.environment()).run().assertSuccess();
        for (String name : List.of("latchkey", "docker-credential-latchkey", "keyring")) {
            assertTrue(Files.isSymbolicLink(latchkey.bin().resolve(name)), name + " is installed");
        }
        return latchkey;
    }

    /** {@code ~/.local/bin}, where install.sh put the links. */
    Path bin() {
        return sandbox.home().resolve(".local/bin");
    }

    /** The clients' environment: the sandbox's, with the installed links first on PATH. */
    Map<String, String> environment() {
        Map<String, String> env = sandbox.environment();
        env.put("PATH", bin() + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
        // A program that finds no daemon starts one for the next request; these tests start their own.
        env.put("LATCHKEY_AUTOSTART", "0");
        return env;
    }

    /** {@code latchkey ARGS} as installed, with {@code stdin}. */
    ProcessRun.Result run(String stdin, String... args) {
        List<String> command = new ArrayList<>(List.of(bin().resolve("latchkey").toString()));
        command.addAll(List.of(args));
        return ProcessRun.of(command).environment(environment()).stdin(stdin).timeout(Duration.ofMinutes(2)).run();
    }

    /** {@code docker-credential-latchkey ACTION} as installed, with {@code stdin}: what docker runs. */
    ProcessRun.Result dockerCredential(String action, String stdin) {
        return ProcessRun.of(List.of(bin().resolve("docker-credential-latchkey").toString(), action))
                .environment(environment()).stdin(stdin).timeout(Duration.ofMinutes(2)).run();
    }

    /** Starts the daemon the clients' relays reach (it detaches). */
    void startDaemon() {
        RequiredComponent.require(Files.isExecutable(ROOT.resolve("caller/target/latchkey-relay")),
                "caller/target/latchkey-relay, the launcher's native relay (built with a C compiler)");
        run("", "daemon").assertSuccess();
        daemonStarted = true;
    }

    /** Stops the daemon, if one was started; kills it when it does not stop. */
    void stopDaemon() {
        if (!daemonStarted) {
            return;
        }
        daemonStarted = false;
        run("", "daemon", "stop");
        String runtime = sandbox.runtimeDirectory().toString();
        ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(args -> String.join(" ", args).contains(runtime)).orElse(false))
                .forEach(ProcessHandle::destroyForcibly);
    }

    /** The audit log's lines, each as its fields. */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> audit() {
        Path log = sandbox.root().resolve("xdg/state/latchkey/audit.log");
        List<Map<String, Object>> lines = new ArrayList<>();
        try {
            for (String line : Files.exists(log) ? Files.readAllLines(log) : List.<String>of()) {
                lines.add((Map<String, Object>) JsonValues.parse(line.getBytes(StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }

    /** The audit lines of {@code kind} ("docker-get"). */
    List<Map<String, Object>> audit(String kind) {
        return audit().stream().filter(line -> kind.equals(line.get("kind"))).toList();
    }

    /** latchkey's file store, the one file that may hold the secrets. */
    Path tokenFile() {
        return sandbox.root().resolve("xdg/data/latchkey/tokens.toml");
    }

    /**
     * The files under {@code roots} that hold {@code secret} as text, latchkey's file store left
     * out: a client's config, cache or log holding it would be a leak.
     */
    List<Path> filesHolding(String secret, Path... roots) {
        byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
        List<Path> holding = new ArrayList<>();
        for (Path root : roots) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    if (Files.isRegularFile(file) && !file.equals(tokenFile()) && contains(Files.readAllBytes(file), needle)) {
                        holding.add(file);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return holding;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
