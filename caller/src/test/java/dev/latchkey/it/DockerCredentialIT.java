package dev.latchkey.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docker-credential-latchkey as the real docker CLI and skopeo run it, against a real registry
 * ({@link OciRegistry}) with htpasswd: logins go to latchkey and never into docker's config.json or
 * skopeo's auth.json; skopeo pushes and pulls a real image with the secret latchkey hands out;
 * logouts erase it; a wrong secret gets the registry's 401; a running daemon serves it all.
 */
class DockerCredentialIT {
    private static final String PASSWORD = "alice-oci-password-9f3c";

    @TempDir
    static Path registryDirectory;
    private static OciRegistry registry;

    @TempDir
    Path temp;
    private ClientSandbox sandbox;
    private InstalledLatchkey latchkey;

    @BeforeAll
    static void startRegistry() throws IOException {
        registry = OciRegistry.start(registryDirectory, Map.of("alice", PASSWORD));
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @BeforeEach
    void installForTheClients() {
        RequiredComponent.executable("skopeo", "to push and pull images (Debian package skopeo)");
        RequiredComponent.executable("docker", "the docker CLI, to log in (no engine needed)");
        sandbox = ClientSandbox.create(temp.resolve("sandbox"));
        latchkey = InstalledLatchkey.install(sandbox);
        sandbox.writeOwnerOnly(sandbox.home().resolve("policy.json"), "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}\n");
        sandbox.writeOwnerOnly(sandbox.home().resolve("registries.conf"), "");
        // skopeo 1.9 ignores credsStore: it runs a helper named per registry only. docker takes either; credsStore here.
        sandbox.writeOwnerOnly(sandbox.runtimeDirectory().resolve("containers/auth.json"),
                "{\"auths\":{},\"credHelpers\":{\"" + registry.hostAndPort() + "\":\"latchkey\"}}\n");
        sandbox.writeOwnerOnly(sandbox.home().resolve(".docker/config.json"), "{\"credsStore\":\"latchkey\"}\n");
    }

    @AfterEach
    void stopTheDaemon() {
        latchkey.stopDaemon();
    }

    @Test
    void dockerLoginKeepsThePasswordInLatchkeyAndSkopeoPushesAndPullsWithIt() throws Exception {
        docker(PASSWORD + "\n", "login", "-u", "alice", "--password-stdin", registry.hostAndPort()).assertSuccess();
        String config = Files.readString(sandbox.home().resolve(".docker/config.json"));
        assertTrue(config.contains("\"credsStore\": \"latchkey\"") || config.contains("\"credsStore\":\"latchkey\""), config);
        assertTrue(!config.contains(basicAuth("alice", PASSWORD)) && !config.contains(PASSWORD), config);
        assertTrue(latchkey.run("", "list").assertSuccess().stdout().contains("alice@" + registry.hostAndPort()));

        OciImageLayout image = OciImageLayout.write(temp.resolve("layout"), "v1", "pushed with latchkey's secret\n");
        String target = "docker://" + registry.hostAndPort() + "/doors/skopeo:v1";
        skopeo("copy", "--dest-tls-verify=false", image.reference(), target).assertSuccess();
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.requests()
                .contains(new OciRegistry.Request("PUT", "/v2/doors/skopeo/manifests/v1", 201)));
        String manifest = skopeo("inspect", "--tls-verify=false", "--raw", target).assertSuccess().stdout();
        assertEquals(image.manifestDigest(), "sha256:" + Digests.sha256Hex(manifest.getBytes(StandardCharsets.UTF_8)));
        String viaDocker = docker("", "manifest", "inspect", "--insecure", registry.hostAndPort() + "/doors/skopeo:v1")
                .assertSuccess().stdout();
        assertTrue(viaDocker.contains(image.layerDigest()), viaDocker);

        // Which client asked is in the audit log: the door's name, and the program that ran it.
        assertTrue(latchkey.audit("docker-store").stream().anyMatch(line -> String.valueOf(line.get("exe")).endsWith("/docker")),
                latchkey.audit().toString());
        assertTrue(latchkey.audit("docker-get").stream().anyMatch(line -> String.valueOf(line.get("exe")).endsWith("/skopeo")
                && "ok".equals(line.get("outcome"))), latchkey.audit().toString());

        docker("", "logout", registry.hostAndPort()).assertSuccess();
        ProcessRun.Result gone = latchkey.dockerCredential("get", registry.hostAndPort());
        assertEquals(1, gone.exitCode(), gone.toString());
        assertEquals("credentials not found in native keychain\n", gone.stdout());
        assertTrue(!latchkey.run("", "list").stdout().contains(registry.hostAndPort()));
        int before = registry.settledRequests().size();
        ProcessRun.Result anonymous = skopeo("inspect", "--tls-verify=false", "--raw", target);
        assertNotEquals(0, anonymous.exitCode(), "logged out, skopeo asks anonymously: " + anonymous);
        assertOnly401Since(before);

        assertEquals(List.of(), latchkey.filesHolding(PASSWORD, sandbox.root()), "the password is in latchkey's store only");
    }

    @Test
    void skopeoLogsInAndOutThroughLatchkeyAndItsAuthFileHoldsNoSecret() {
        Path authFile = sandbox.runtimeDirectory().resolve("containers/auth.json");
        String before = readString(authFile);
        skopeoWithInput(PASSWORD + "\n", "login", "--tls-verify=false", "-u", "alice", "--password-stdin", registry.hostAndPort()).assertSuccess();
        assertEquals(before, readString(authFile), "skopeo wrote nothing of its own");
        ProcessRun.Result got = latchkey.dockerCredential("get", registry.hostAndPort());
        assertEquals("{\"ServerURL\":\"" + registry.hostAndPort() + "\",\"Username\":\"alice\",\"Secret\":\"" + PASSWORD + "\"}\n",
                got.assertSuccess().stdout());

        skopeo("logout", registry.hostAndPort()).assertSuccess();
        assertEquals(1, latchkey.dockerCredential("get", registry.hostAndPort()).exitCode());
        assertEquals(List.of(), latchkey.filesHolding(PASSWORD, sandbox.root()));
    }

    @Test
    void aWrongSecretFailsThePushWithTheRegistrys401() throws Exception {
        latchkey.dockerCredential("store", "{\"ServerURL\":\"" + registry.hostAndPort() + "\",\"Username\":\"alice\",\"Secret\":\"not-"
                + PASSWORD + "\"}\n").assertSuccess();
        OciImageLayout image = OciImageLayout.write(temp.resolve("layout"), "v1", "never pushed\n");
        int before = registry.settledRequests().size();

        ProcessRun.Result push = skopeo("copy", "--dest-tls-verify=false", image.reference(),
                "docker://" + registry.hostAndPort() + "/doors/refused:v1");

        assertNotEquals(0, push.exitCode(), push.toString());
        assertOnly401Since(before);
        assertTrue(latchkey.audit("docker-get").stream().anyMatch(line -> "ok".equals(line.get("outcome"))),
                "latchkey handed the wrong secret out, and the registry refused it: " + latchkey.audit());
    }

    @Test
    void aRunningDaemonServesTheLoginThePushAndTheLogout() throws IOException {
        latchkey.startDaemon();
        docker(PASSWORD + "\n", "login", "-u", "alice", "--password-stdin", registry.hostAndPort()).assertSuccess();
        OciImageLayout image = OciImageLayout.write(temp.resolve("layout"), "v1", "pushed through the daemon\n");
        Map<String, String> verbose = latchkey.environment();
        verbose.put("LATCHKEY_LOG", "1");
        ProcessRun.Result push = ProcessRun.of(skopeoCommand("copy", "--dest-tls-verify=false", image.reference(),
                "docker://" + registry.hostAndPort() + "/doors/daemon:v1")).environment(verbose).timeout(Duration.ofMinutes(2)).run();
        push.assertSuccess();
        assertTrue(push.stderr().contains("latchkey: verbose: docker get " + registry.hostAndPort() + ": answered by the daemon on "),
                push.stderr());

        for (Map<String, Object> line : latchkey.audit()) {
            if (String.valueOf(line.get("kind")).startsWith("docker-")) {
                assertTrue(String.valueOf(line.get("exe")).endsWith("/latchkey-relay"), "each request came through the relay: " + line);
            }
        }
        assertTrue(latchkey.audit("docker-store").stream().anyMatch(line -> String.valueOf(line.get("parent-exe")).endsWith("/docker")));
        assertTrue(latchkey.audit("docker-get").stream().anyMatch(line -> String.valueOf(line.get("parent-exe")).endsWith("/skopeo")));
        docker("", "logout", registry.hostAndPort()).assertSuccess();
        assertEquals(1, latchkey.dockerCredential("get", registry.hostAndPort()).exitCode());
        assertEquals(List.of(), latchkey.filesHolding(PASSWORD, sandbox.root()), "nor in the daemon's log");
    }

    private void assertOnly401Since(int before) throws InterruptedException {
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.requests().size() > before);
        List<OciRegistry.Request> all = registry.settledRequests();
        List<OciRegistry.Request> seen = all.subList(before, all.size());
        assertTrue(seen.stream().allMatch(r -> r.status() == 401), seen.toString());
    }

    private static String basicAuth(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private List<String> skopeoCommand(String... arguments) {
        List<String> command = new ArrayList<>(List.of("skopeo",
                "--policy", sandbox.home().resolve("policy.json").toString(),
                "--registries-conf", sandbox.home().resolve("registries.conf").toString()));
        command.addAll(List.of(arguments));
        return command;
    }

    private ProcessRun.Result skopeo(String... arguments) {
        return ProcessRun.of(skopeoCommand(arguments)).environment(latchkey.environment()).timeout(Duration.ofMinutes(2)).run();
    }

    private ProcessRun.Result skopeoWithInput(String stdin, String... arguments) {
        return ProcessRun.of(skopeoCommand(arguments)).environment(latchkey.environment()).stdin(stdin)
                .timeout(Duration.ofMinutes(2)).run();
    }

    private ProcessRun.Result docker(String stdin, String... arguments) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(arguments));
        return ProcessRun.of(command).environment(latchkey.environment()).stdin(stdin).timeout(Duration.ofMinutes(2)).run();
    }
}
