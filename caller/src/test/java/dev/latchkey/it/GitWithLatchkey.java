package dev.latchkey.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real git, with latchkey as its credential helper as users set it up: {@code
 * git-credential-latchkey} on PATH, a link to the launcher (which serves {@code latchkey
 * git-credential} by that name), and {@code credential.helper = latchkey} in the global config of
 * a {@link ClientSandbox}. latchkey's files are in the sandbox too (its XDG directories, a
 * CARGO_HOME of its own); no daemon is started unless asked ({@link #startDaemon}), and then one
 * that keeps its files there. The audit log tells who served each request.
 */
final class GitWithLatchkey implements AutoCloseable {
    private final ClientSandbox sandbox;
    private final Path launcher;
    private final Map<String, String> env;
    private Map<String, String> daemonEnv;

    private GitWithLatchkey(ClientSandbox sandbox) {
        this.sandbox = sandbox;
        this.launcher = CargoFixtures.launcher();
        RequiredComponent.executable("git", "to run git with latchkey as its credential helper");
        Path bin = sandbox.root().resolve("bin");
        try {
            Files.createDirectories(bin);
            Files.createSymbolicLink(bin.resolve("git-credential-latchkey"), launcher);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        env = sandbox.environment();
        env.put("PATH", bin + ":" + env.get("PATH"));
        env.put("CARGO_HOME", sandbox.root().resolve("cargo").toString());
        // a helper that finds no daemon starts one for the next request; a test wants no daemon it did not start
        env.put("LATCHKEY_AUTOSTART", "0");
        writeGitConfig("");
    }

    /** git in a new sandbox under {@code root}. */
    static GitWithLatchkey create(Path root) {
        return new GitWithLatchkey(ClientSandbox.create(root));
    }

    ClientSandbox sandbox() {
        return sandbox;
    }

    /** The environment every process here gets, to change before running one. */
    Map<String, String> env() {
        return env;
    }

    /** Replaces the global git config: a user to commit as, latchkey as the helper, then {@code more}. */
    void writeGitConfig(String more) {
        sandbox.writeOwnerOnly(sandbox.home().resolve(".gitconfig"), "[user]\n\tname = latchkey test\n\temail = test@latchkey.invalid\n"
                + "[init]\n\tdefaultBranch = main\n[credential]\n\thelper = latchkey\n" + more);
    }

    ProcessRun.Result git(Path directory, String... arguments) {
        return gitReading(null, directory, arguments);
    }

    /** git with {@code stdin} (null: none). */
    ProcessRun.Result gitReading(String stdin, Path directory, String... arguments) {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(arguments));
        ProcessRun run = ProcessRun.of(command).environment(env).in(directory).timeout(Duration.ofSeconds(60));
        return (stdin == null ? run : run.stdin(stdin)).run();
    }

    /** The launcher, {@code latchkey ARGS}, in this sandbox. */
    ProcessRun.Result latchkey(String stdin, String... arguments) {
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(arguments));
        return ProcessRun.of(command).environment(env).in(sandbox.root()).stdin(stdin).timeout(Duration.ofSeconds(60)).run();
    }

    /** What git's {@code credential fill} gets from latchkey for {@code description}: its {@code key=value} lines. */
    String fill(String description) {
        return gitReading(description, sandbox.root(), "credential", "fill").stdout();
    }

    /**
     * Starts latchkey's daemon with this sandbox's files, HOME being {@code home} (t0303's test-lib
     * points HOME elsewhere, and a daemon serves only callers whose HOME is its own).
     */
    void startDaemon(Path home) {
        try {
            Files.createDirectories(home); // the daemon starts in it
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        daemonEnv = new HashMap<>(env);
        daemonEnv.put("HOME", home.toString());
        ProcessRun.Result started = ProcessRun.of(List.of(launcher.toString(), "daemon")).environment(daemonEnv)
                .in(sandbox.root()).timeout(Duration.ofSeconds(60)).run();
        assertEquals(0, started.exitCode(), started::toString);
        assertTrue(Files.exists(socket()), "the daemon listens on " + socket());
    }

    Path socket() {
        return sandbox.runtimeDirectory().resolve("latchkey/daemon.sock");
    }

    /** The audit log's lines, as fields. */
    List<Map<String, Object>> audit() {
        Path log = sandbox.root().resolve("xdg/state/latchkey/audit.log");
        List<Map<String, Object>> lines = new ArrayList<>();
        try {
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log)) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> fields = (Map<String, Object>) JsonValues.parse(line.getBytes(StandardCharsets.UTF_8));
                    lines.add(fields);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }

    /** The audit lines of git's requests (starting the daemon asks for its status too). */
    List<Map<String, Object>> gitsRequests() {
        return audit().stream().filter(line -> String.valueOf(line.get("kind")).startsWith("git-")).toList();
    }

    /**
     * Whether the daemon served the request of audit line {@code line}. Served in its own process,
     * latchkey records its parent as the asker: the git that ran {@code git-credential-latchkey};
     * the daemon records the process that connected to it, the relay the launcher runs.
     */
    static boolean servedByTheDaemon(Map<String, Object> line) {
        return !String.valueOf(line.get("exe")).endsWith("/git");
    }

    /** Stops the daemon, if one was started (by a test, or by a first request); whatever of it is left is killed. */
    @Override
    public void close() {
        if (daemonEnv != null || Files.exists(socket())) {
            ProcessRun.of(List.of(launcher.toString(), "daemon", "stop")).environment(daemonEnv != null ? daemonEnv : env)
                    .in(sandbox.root()).timeout(Duration.ofSeconds(60)).run();
            String root = sandbox.root().toString();
            ProcessHandle.allProcesses()
                    .filter(p -> p.info().arguments().map(args -> String.join(" ", args).contains(root)).orElse(false))
                    .forEach(ProcessHandle::destroyForcibly);
            daemonEnv = null;
        }
    }
}
