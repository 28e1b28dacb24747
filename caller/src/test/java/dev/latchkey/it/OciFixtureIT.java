package dev.latchkey.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * The OCI fixtures ({@link OciRegistry}, {@link OciImageLayout}) against the real skopeo and docker
 * CLI, without latchkey: the credentials are an {@code auths} entry of skopeo's auth.json and of
 * docker's config.json. The right password pushes the image, which then reads back with the
 * digests it was written with; a wrong one gets the registry's 401.
 */
class OciFixtureIT {
    private static final String PASSWORD = "alice-registry-password";

    @TempDir
    static Path registryDirectory;
    private static OciRegistry registry;

    @TempDir
    Path temp;
    private ClientSandbox sandbox;

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
    void isolateClients() {
        RequiredComponent.executable("skopeo", "to push images (Debian package skopeo)");
        sandbox = ClientSandbox.create(temp.resolve("sandbox"));
        // skopeo's signature policy and registry list, ours rather than the machine's.
        sandbox.writeOwnerOnly(sandbox.home().resolve("policy.json"), "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}\n");
        sandbox.writeOwnerOnly(sandbox.home().resolve("registries.conf"), "");
    }

    @Test
    void skopeoPushesWithTheRightPasswordAndReadsTheImageBack() throws IOException {
        OciImageLayout image = OciImageLayout.write(temp.resolve("layout"), "v1", "hello from latchkey's fixture\n");
        skopeoAuth("alice", PASSWORD);
        String target = "docker://" + registry.hostAndPort() + "/fixture/skopeo:v1";

        skopeo("copy", "--dest-tls-verify=false", image.reference(), target).assertSuccess();
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.requests()
                .contains(new OciRegistry.Request("PUT", "/v2/fixture/skopeo/manifests/v1", 201)));

        String manifest = skopeo("inspect", "--tls-verify=false", "--raw", target).assertSuccess().stdout();
        assertEquals(image.manifestDigest(), "sha256:" + Digests.sha256Hex(manifest.getBytes(StandardCharsets.UTF_8)),
                "the registry holds the very manifest written");
        assertTrue(manifest.contains(image.layerDigest()), manifest);
    }

    @Test
    void aWrongPasswordGetsTheRegistrys401() throws Exception {
        OciImageLayout image = OciImageLayout.write(temp.resolve("layout"), "v1", "never pushed\n");
        skopeoAuth("alice", "not-" + PASSWORD);
        int before = registry.settledRequests().size();

        ProcessRun.Result push = skopeo("copy", "--dest-tls-verify=false", image.reference(),
                "docker://" + registry.hostAndPort() + "/fixture/refused:v1");

        assertNotEquals(0, push.exitCode(), push.toString());
        assertTrue(push.stderr().contains("unauthorized") || push.stderr().contains("authentication required"), push.toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.requests().size() > before);
        List<OciRegistry.Request> all = registry.settledRequests();
        List<OciRegistry.Request> seen = all.subList(before, all.size());
        assertTrue(seen.stream().allMatch(r -> r.status() == 401), seen.toString());
    }

    @Test
    void theDockerCliReadsTheImageWithTheRightPasswordOnly() throws Exception {
        RequiredComponent.executable("docker", "to read images with the docker CLI (no engine needed)");
        OciImageLayout image = OciImageLayout.write(temp.resolve("layout"), "v1", "read by the docker CLI\n");
        skopeoAuth("alice", PASSWORD);
        String reference = registry.hostAndPort() + "/fixture/docker:v1";
        skopeo("copy", "--dest-tls-verify=false", image.reference(), "docker://" + reference).assertSuccess();

        dockerAuth("alice", PASSWORD);
        String manifest = docker("manifest", "inspect", "--insecure", reference).assertSuccess().stdout();
        assertTrue(manifest.contains(image.layerDigest()), manifest);

        dockerAuth("alice", "not-" + PASSWORD);
        int before = registry.settledRequests().size();
        ProcessRun.Result refused = docker("manifest", "inspect", "--insecure", reference);
        // The CLI goes on anonymously after the 401 and then reports the manifest as missing.
        assertNotEquals(0, refused.exitCode(), refused.toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.requests().size() > before);
        List<OciRegistry.Request> all = registry.settledRequests();
        List<OciRegistry.Request> seen = all.subList(before, all.size());
        assertTrue(seen.stream().allMatch(r -> r.status() == 401), seen.toString());
        assertTrue(seen.stream().anyMatch(r -> r.path().equals("/v2/fixture/docker/manifests/v1")), seen.toString());
    }

    /** skopeo's primary auth file, {@code $XDG_RUNTIME_DIR/containers/auth.json}, with an {@code auths} entry. */
    private void skopeoAuth(String user, String password) {
        sandbox.writeOwnerOnly(sandbox.runtimeDirectory().resolve("containers/auth.json"), authsEntry(user, password));
    }

    /** The docker CLI's {@code ~/.docker/config.json}, with an {@code auths} entry. */
    private void dockerAuth(String user, String password) {
        sandbox.writeOwnerOnly(sandbox.home().resolve(".docker/config.json"), authsEntry(user, password));
    }

    private String authsEntry(String user, String password) {
        String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return JsonValues.write(Map.of("auths", Map.of(registry.hostAndPort(), Map.of("auth", auth)))) + "\n";
    }

    private ProcessRun.Result skopeo(String... arguments) {
        List<String> command = new ArrayList<>(List.of("skopeo",
                "--policy", sandbox.home().resolve("policy.json").toString(),
                "--registries-conf", sandbox.home().resolve("registries.conf").toString()));
        command.addAll(List.of(arguments));
        return ProcessRun.of(command).environment(sandbox.environment()).timeout(Duration.ofSeconds(120)).run();
    }

    private ProcessRun.Result docker(String... arguments) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(arguments));
        return ProcessRun.of(command).environment(sandbox.environment()).timeout(Duration.ofSeconds(120)).run();
    }
}
