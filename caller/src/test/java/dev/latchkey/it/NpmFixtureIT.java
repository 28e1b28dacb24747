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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The npm fixtures ({@link NpmRegistry}, {@link RealPnpm}) against the real pnpm, without
 * latchkey: the token is an {@code _authToken} line of a private user .npmrc. The right token adds
 * the package, which node then loads; a wrong one gets the registry's 401 and adds nothing.
 */
class NpmFixtureIT {
    private static final String TOKEN = "npm-fixture-token";

    private static NpmRegistry registry;
    private static RealPnpm pnpm;

    @TempDir
    Path temp;
    private ClientSandbox sandbox;
    private Path project;

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
    void isolatePnpm() throws IOException {
        sandbox = ClientSandbox.create(temp.resolve("sandbox"));
        project = Files.createDirectories(temp.resolve("project"));
        Files.writeString(project.resolve("package.json"), "{\"name\":\"fixture-consumer\",\"version\":\"0.0.0\",\"private\":true}\n");
        registry.clearRequests();
    }

    @Test
    void theRightTokenAddsThePackage() {
        userNpmrc(TOKEN);
        pnpmAdd().assertSuccess();

        String loaded = ProcessRun.of(List.of("node", "-e", "console.log(require('" + NpmRegistry.PACKAGE + "'))"))
                .environment(sandbox.environment()).in(project).run().assertSuccess().stdout().trim();
        assertEquals(NpmRegistry.GREETING, loaded);
        List<Request> requests = registry.requests();
        assertTrue(requests.contains(new Request("GET", "/" + NpmRegistry.PACKAGE, null, Auth.ACCEPTED,
                NpmRegistry.TOKEN_USER, false, 200)), requests.toString());
        assertTrue(requests.contains(new Request("GET", NpmRegistry.tarballPath(), null, Auth.ACCEPTED,
                NpmRegistry.TOKEN_USER, false, 200)), requests.toString());
    }

    @Test
    void aWrongTokenGetsTheRegistrys401() {
        userNpmrc("not-" + TOKEN);
        ProcessRun.Result refused = pnpmAdd();

        assertNotEquals(0, refused.exitCode(), refused.toString());
        assertTrue((refused.stdout() + refused.stderr()).contains("401"), refused.toString());
        List<Request> requests = registry.requests();
        assertTrue(!requests.isEmpty() && requests.stream().allMatch(r -> r.auth() == Auth.REJECTED && r.status() == 401),
                requests.toString());
        assertTrue(Files.notExists(project.resolve("node_modules/" + NpmRegistry.PACKAGE)));
    }

    /** The user .npmrc (pnpm honours a tokenHelper there only, so the front door's tests use it too). */
    private void userNpmrc(String token) {
        sandbox.writeOwnerOnly(sandbox.home().resolve(".npmrc"), "registry=" + registry.url() + "\n"
                + "//" + registry.hostAndPort() + "/:_authToken=" + token + "\n"
                + "update-notifier=false\n");
    }

    private ProcessRun.Result pnpmAdd() {
        return ProcessRun.of(List.of(pnpm.executable().toString(), "add", NpmRegistry.PACKAGE,
                        "--store-dir", temp.resolve("store").toString()))
                .environment(sandbox.environment()).in(project).timeout(Duration.ofMinutes(3)).run();
    }
}
