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
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code latchkey npm-token} as the real pnpm's {@code tokenHelper}, against an npm registry with
 * Bearer auth ({@link NpmRegistry}): the user's .npmrc names the one-line script the README gives,
 * which pnpm runs with no arguments; the token stored with {@code npm-token --store} adds the
 * package and appears in no file of pnpm's; a wrong token gets the registry's 401; a running daemon
 * answers pnpm.
 */
class NpmTokenIT {
    private static final String TOKEN = "npm_doors_token_7b2a";

    private static NpmRegistry registry;
    private static RealPnpm pnpm;

    @TempDir
    Path temp;
    private ClientSandbox sandbox;
    private InstalledLatchkey latchkey;
    private Path project;
    private Path npmrc;

    @BeforeAll
    static void startRegistry() throws IOException {
        pnpm = RealPnpm.require();
        registry = NpmRegistry.start(TOKEN);
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @BeforeEach
    void installForPnpm() throws IOException {
        sandbox = ClientSandbox.create(temp.resolve("sandbox"));
        latchkey = InstalledLatchkey.install(sandbox);
        project = Files.createDirectories(temp.resolve("project"));
        Files.writeString(project.resolve("package.json"), "{\"name\":\"doors-consumer\",\"version\":\"0.0.0\",\"private\":true}\n");
        // As the README has it: a script that runs latchkey npm-token for the registry, named in the user's .npmrc.
        Path helper = sandbox.writeScript("home/.local/bin/latchkey-npm-token-test",
                "#!/bin/sh\nexec latchkey npm-token " + registry.url() + "\n");
        npmrc = sandbox.writeOwnerOnly(sandbox.home().resolve(".npmrc"), "registry=" + registry.url() + "\n"
                + "//" + registry.hostAndPort() + "/:tokenHelper=" + helper + "\n"
                + "update-notifier=false\n");
        registry.clearRequests();
    }

    @AfterEach
    void stopTheDaemon() {
        latchkey.stopDaemon();
    }

    @Test
    void pnpmAddsThePackageWithTheTokenLatchkeyKeeps() throws IOException {
        String before = Files.readString(npmrc);
        latchkey.run(TOKEN + "\n", "npm-token", "--store", registry.url()).assertSuccess();

        pnpmAdd().assertSuccess();

        String loaded = ProcessRun.of(List.of("node", "-e", "console.log(require('" + NpmRegistry.PACKAGE + "'))"))
                .environment(sandbox.environment()).in(project).run().assertSuccess().stdout().trim();
        assertEquals(NpmRegistry.GREETING, loaded);
        List<Request> requests = registry.requests();
        assertTrue(requests.contains(new Request("GET", NpmRegistry.tarballPath(), null, Auth.ACCEPTED, NpmRegistry.TOKEN_USER, false, 200)),
                requests.toString());
        assertEquals(before, Files.readString(npmrc), "pnpm's config is left as it was");
        assertTrue(latchkey.audit("npm-get").stream().anyMatch(line -> "ok".equals(line.get("outcome"))), latchkey.audit().toString());
        assertEquals(List.of(), latchkey.filesHolding(TOKEN, sandbox.root(), project, temp.resolve("store")));
    }

    @Test
    void aWrongTokenGetsTheRegistrys401AndNoTokenStopsPnpmAtItsHelper() {
        ProcessRun.Result none = pnpmAdd();
        assertNotEquals(0, none.exitCode(), none.toString());
        assertTrue((none.stdout() + none.stderr()).contains("token helper"), "pnpm names the helper that failed: " + none);

        latchkey.run("not-" + TOKEN + "\n", "npm-token", "--store", registry.url()).assertSuccess();
        ProcessRun.Result refused = pnpmAdd();
        assertNotEquals(0, refused.exitCode(), refused.toString());
        List<Request> requests = registry.requests();
        assertTrue(!requests.isEmpty() && requests.stream().allMatch(r -> r.auth() == Auth.REJECTED && r.status() == 401),
                requests.toString());
        assertTrue(Files.notExists(project.resolve("node_modules/" + NpmRegistry.PACKAGE)));
    }

    @Test
    void aRunningDaemonAnswersPnpmsHelper() {
        latchkey.startDaemon();
        latchkey.run(TOKEN + "\n", "npm-token", "--store", registry.url()).assertSuccess();

        pnpmAdd().assertSuccess();

        List<Map<String, Object>> gets = latchkey.audit("npm-get");
        assertTrue(!gets.isEmpty(), latchkey.audit().toString());
        for (Map<String, Object> line : gets) {
            assertEquals("ok", line.get("outcome"));
            assertTrue(String.valueOf(line.get("exe")).endsWith("/latchkey-relay"), "came through the relay: " + line);
        }
        assertEquals(List.of(), latchkey.filesHolding(TOKEN, sandbox.root(), project), "nor in the daemon's log");
    }

    private ProcessRun.Result pnpmAdd() {
        return ProcessRun.of(List.of(pnpm.executable().toString(), "add", NpmRegistry.PACKAGE,
                        "--store-dir", temp.resolve("store").toString()))
                .environment(latchkey.environment()).in(project).timeout(Duration.ofMinutes(3)).run();
    }
}
