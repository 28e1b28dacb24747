package dev.latchkey.daemon.door.docker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every form docker has used for one registry comes to one key; hostile server strings are refused. */
class RegistryServerTest {
    @ParameterizedTest
    // The forms docker logout tries with credsStore (captured), and older clients' keys.
    @ValueSource(strings = {"127.0.0.1:40131", "127.0.0.1:40131/", "http://127.0.0.1:40131", "https://127.0.0.1:40131",
            "https://127.0.0.1:40131/", "https://127.0.0.1:40131/v1/", "HTTPS://127.0.0.1:40131/v2/", "127.0.0.1:40131/v2"})
    void everyFormOfARegistryIsOneKey(String form) throws Exception {
        assertEquals("127.0.0.1:40131", RegistryServer.parse(form).key());
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://index.docker.io/v1/", "docker.io", "index.docker.io", "registry-1.docker.io",
            "https://registry-1.docker.io", "Docker.IO/", "http://index.docker.io/v1"})
    void everyFormOfDockerHubIsDockersOwnKey(String form) throws Exception {
        RegistryServer hub = RegistryServer.parse(form);
        assertTrue(hub.dockerHub());
        assertEquals("https://index.docker.io/v1/", hub.key());
    }

    @Test
    void hostsAreCaseInsensitiveAndPortsAreKept() throws Exception {
        assertEquals("registry.example.com", RegistryServer.parse("Registry.Example.COM").key());
        assertEquals("registry.example.com:443", RegistryServer.parse("https://registry.example.com:443").key());
        assertEquals("[::1]:5000", RegistryServer.parse("[::1]:5000").key());
        assertFalse(RegistryServer.parse("docker.io:443").dockerHub(), "docker names Hub without a port");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "reg\0istry.example", "registry.example\u0007", "registry example", " registry.example",
            "registry.example\n\n", "r\u00e9gistry.example", "alice:pw@registry.example", "https://alice@registry.example",
            "ftp://registry.example", "file:///etc/passwd", "registry.example/owner/repo", "registry.example/v1/x",
            "https://index.docker.io/v2/", "docker.io/library", "registry.example?x=1", "registry.example#f",
            "registry.example:0", "registry.example:65536", "registry.example:http", "a..b", ".registry.example",
            "[::1", "[zz]:5000", "::1", "registry\\example", "https://"})
    void aHostileOrWrongServerStringIsRefused(String form) {
        DockerProtocolException e = assertThrows(DockerProtocolException.class, () -> RegistryServer.parse(form));
        assertTrue(e.getMessage().startsWith("the server address "), e.getMessage());
        assertFalse(form.length() > 3 && e.getMessage().contains(form), "the input is not quoted: " + e.getMessage());
    }

    @Test
    void aUserInfoIsNamedAsSuch() {
        DockerProtocolException e = assertThrows(DockerProtocolException.class,
                () -> RegistryServer.parse("https://alice:hunter2@registry.example"));
        assertTrue(e.getMessage().contains("user name or password"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"));
    }
}
