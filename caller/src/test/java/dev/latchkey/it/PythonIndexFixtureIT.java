package dev.latchkey.it;

import dev.latchkey.it.GuardedHttpServer.Auth;
import dev.latchkey.it.GuardedHttpServer.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Python index fixture ({@link PythonIndex}, {@link PythonWheel}) against the real pip,
 * without latchkey: the password is in the index URL. The right one installs the wheel, whose
 * module then imports; a wrong one gets the index's 401 and installs nothing.
 */
class PythonIndexFixtureIT {
    private static final String PASSWORD = "alice-index-password";
    private static final PythonWheel WHEEL = PythonWheel.pure("latchkey-fixture-pkg", "0.1", "hello from the authenticated index");

    private static PythonIndex index;
    private static RealPip pip;

    @TempDir
    Path temp;
    private ClientSandbox sandbox;

    @BeforeAll
    static void startIndex() throws IOException {
        // The keyring front door's tests drive pip's --keyring-provider subprocess, new in pip 23.1:
        // this proves the index with the pip they will use.
        pip = RealPip.require("23.1");
        index = PythonIndex.start(Map.of("alice", PASSWORD), List.of(WHEEL));
    }

    @AfterAll
    static void stopIndex() {
        if (index != null) {
            index.close();
        }
    }

    @BeforeEach
    void isolatePip() {
        sandbox = ClientSandbox.create(temp.resolve("sandbox"));
        index.clearRequests();
    }

    @Test
    void theRightPasswordInstallsTheWheel() {
        Path site = temp.resolve("site");
        install(index.indexUrl("alice:" + PASSWORD), site).assertSuccess();

        Map<String, String> env = sandbox.environment();
        env.put("PYTHONPATH", site.toString());
        String greeting = ProcessRun.of(List.of(pip.python().toString(), "-c",
                        "import " + WHEEL.module() + " as m; print(m.GREETING)"))
                .environment(env).run().assertSuccess().stdout().trim();
        assertEquals("hello from the authenticated index", greeting);
        List<Request> requests = index.requests();
        assertTrue(requests.contains(new Request("GET", "/simple/latchkey-fixture-pkg/", null, Auth.ACCEPTED, "alice", false, 200)),
                requests.toString());
        assertTrue(requests.contains(new Request("GET", "/files/" + WHEEL.fileName(), null, Auth.ACCEPTED, "alice", false, 200)),
                requests.toString());
    }

    @Test
    void aWrongPasswordGetsTheIndexs401() {
        Path site = temp.resolve("site");
        ProcessRun.Result refused = install(index.indexUrl("alice:not-" + PASSWORD), site);

        // pip says only that it found no version: the index's log shows why.
        assertNotEquals(0, refused.exitCode(), refused.toString());
        List<Request> requests = index.requests();
        assertTrue(!requests.isEmpty() && requests.stream().allMatch(r -> r.auth() == Auth.REJECTED && r.status() == 401),
                requests.toString());
        assertTrue(Files.notExists(site.resolve(WHEEL.module())));
    }

    private ProcessRun.Result install(String indexUrl, Path target) {
        return ProcessRun.of(pip.command("install", "--no-cache-dir", "--disable-pip-version-check", "--no-input",
                        "--keyring-provider", "disabled", "--target", target.toString(), "--index-url", indexUrl,
                        WHEEL.project()))
                .environment(sandbox.environment()).timeout(Duration.ofMinutes(2)).run();
    }
}
