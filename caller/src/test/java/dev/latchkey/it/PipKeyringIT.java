package dev.latchkey.it;

import dev.latchkey.it.GuardedHttpServer.Auth;
import dev.latchkey.it.GuardedHttpServer.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * latchkey as the {@code keyring} command the real pip runs with {@code --keyring-provider
 * subprocess}, against a PEP 503 index with Basic auth ({@link PythonIndex}): pip installs a wheel
 * with the password latchkey hands out, by the index URL though it was stored by netloc; pip's
 * own prompt saves what was typed into latchkey; a running daemon answers pip.
 */
class PipKeyringIT {
    private static final String PASSWORD = "alice-pip-password-4e1d";
    private static final PythonWheel WHEEL = PythonWheel.pure("latchkey-doors-pkg", "0.1", "hello from behind the keyring door");

    private static PythonIndex index;
    private static RealPip pip;

    @TempDir
    Path temp;
    private ClientSandbox sandbox;
    private InstalledLatchkey latchkey;

    @BeforeAll
    static void startIndex() throws IOException {
        pip = RealPip.require("23.1"); // --keyring-provider subprocess is new in pip 23.1
        index = PythonIndex.start(Map.of("alice", PASSWORD), List.of(WHEEL));
    }

    @AfterAll
    static void stopIndex() {
        if (index != null) {
            index.close();
        }
    }

    @BeforeEach
    void installForPip() {
        sandbox = ClientSandbox.create(temp.resolve("sandbox"));
        latchkey = InstalledLatchkey.install(sandbox);
        index.clearRequests();
    }

    @AfterEach
    void stopTheDaemon() {
        latchkey.stopDaemon();
    }

    @Test
    void pipInstallsWithThePasswordLatchkeyKeepsForTheIndexsHost() {
        keyring(PASSWORD + "\n", "set", index.netloc(), "alice").assertSuccess();

        Path site = temp.resolve("site");
        install(latchkey.environment(), index.indexUrl("alice"), site, "--no-input").assertSuccess();

        assertImports(site);
        List<Request> requests = index.requests();
        assertTrue(requests.contains(new Request("GET", "/files/" + WHEEL.fileName(), null, Auth.ACCEPTED, "alice", false, 200)),
                requests.toString());
        List<Map<String, Object>> gets = latchkey.audit("pip-get");
        assertEquals(1, gets.size(), "pip asked by the index URL, found it there, and asked no more: " + gets);
        assertEquals("http://alice@" + index.netloc() + "/simple", gets.get(0).get("registry"));
        assertEquals("ok", gets.get(0).get("outcome"));
        assertTrue(String.valueOf(gets.get(0).get("exe")).contains("python"), gets.toString());
        assertEquals(List.of(), latchkey.filesHolding(PASSWORD, sandbox.root(), site));
    }

    @Test
    void whatIsTypedAtPipsPromptIsSavedInLatchkeyAndServesTheNextInstall() {
        RequiredComponent.executable("setsid", "to run pip without a controlling terminal, so that it reads its answers from stdin");
        Path site = temp.resolve("site");
        List<String> command = new ArrayList<>(List.of("setsid", "-w"));
        command.addAll(installCommand(index.indexUrl(), site));
        ProcessRun.Result prompted = ProcessRun.of(command).environment(latchkey.environment())
                .stdin("alice\n" + PASSWORD + "\ny\n").timeout(Duration.ofMinutes(2)).run().assertSuccess();
        assertTrue(prompted.stdout().contains("Save credentials to keyring"), prompted.toString());
        assertImports(site);

        assertEquals(PASSWORD + "\n", keyring("", "get", index.netloc(), "alice").assertSuccess().stdout());
        assertTrue(latchkey.run("", "list").assertSuccess().stdout().contains("alice@" + index.netloc()));
        assertTrue(latchkey.audit("pip-store").stream().anyMatch(line -> String.valueOf(line.get("exe")).contains("python")),
                latchkey.audit().toString());

        index.clearRequests();
        Path again = temp.resolve("again");
        install(latchkey.environment(), index.indexUrl("alice"), again, "--no-input").assertSuccess();
        assertImports(again);
        assertEquals(List.of(), latchkey.filesHolding(PASSWORD, sandbox.root(), site, again));
    }

    @Test
    void aRunningDaemonAnswersPip() {
        latchkey.startDaemon();
        keyring(PASSWORD + "\n", "set", index.netloc(), "alice").assertSuccess();
        Map<String, String> verbose = latchkey.environment();
        verbose.put("LATCHKEY_LOG", "1");
        Path site = temp.resolve("site");

        ProcessRun.Result installed = install(verbose, index.indexUrl("alice"), site, "--no-input").assertSuccess();

        assertImports(site);
        assertTrue(installed.stderr().contains("latchkey: verbose: pip get " + index.indexUrl() + ": answered by the daemon on "),
                installed.toString());
        for (Map<String, Object> line : latchkey.audit()) {
            if (String.valueOf(line.get("kind")).startsWith("pip-")) {
                assertTrue(String.valueOf(line.get("exe")).endsWith("/latchkey-relay"), "came through the relay: " + line);
            }
        }
        assertEquals(List.of(), latchkey.filesHolding(PASSWORD, sandbox.root(), site), "nor in the daemon's log");
    }

    private ProcessRun.Result keyring(String stdin, String... arguments) {
        List<String> command = new ArrayList<>(List.of(latchkey.bin().resolve("keyring").toString()));
        command.addAll(List.of(arguments));
        return ProcessRun.of(command).environment(latchkey.environment()).stdin(stdin).run();
    }

    private List<String> installCommand(String indexUrl, Path target, String... options) {
        List<String> command = new ArrayList<>(pip.command("install", "--no-cache-dir", "--disable-pip-version-check",
                "--keyring-provider", "subprocess", "--target", target.toString(), "--index-url", indexUrl));
        command.addAll(List.of(options));
        command.add(WHEEL.project());
        return command;
    }

    private ProcessRun.Result install(Map<String, String> env, String indexUrl, Path target, String... options) {
        return ProcessRun.of(installCommand(indexUrl, target, options)).environment(env).timeout(Duration.ofMinutes(2)).run();
    }

    private void assertImports(Path site) {
        Map<String, String> env = sandbox.environment();
        env.put("PYTHONPATH", site.toString());
        String greeting = ProcessRun.of(List.of(pip.python().toString(), "-c", "import " + WHEEL.module() + " as m; print(m.GREETING)"))
                .environment(env).run().assertSuccess().stdout().trim();
        assertEquals("hello from behind the keyring door", greeting);
        assertTrue(Files.isDirectory(site.resolve(WHEEL.module())));
    }
}
