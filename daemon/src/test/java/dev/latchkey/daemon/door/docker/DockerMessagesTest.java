package dev.latchkey.daemon.door.docker;

import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden tests of docker's credential-helper protocol on the bytes captured from skopeo 1.9.3 and
 * the docker CLI 28.2.2 against a real registry (the front-ends reference), and of what is refused.
 */
class DockerMessagesTest {
    private static final String SECRET = "s3cret-never-quoted";

    @Test
    void getAndEraseReadTheBareServerString() throws Exception {
        RegistryServer server = DockerMessages.readServer(input("127.0.0.1:40131"));

        assertEquals("127.0.0.1:40131", server.given());
        assertEquals("127.0.0.1:40131", server.key());
        assertEquals(server.key(), DockerMessages.readServer(input("127.0.0.1:40131\n")).key(), "one newline is allowed");
    }

    @Test
    void storeReadsTheJsonObjectSkopeoAndDockerSend() throws Exception {
        try (DockerMessages.Credentials stored = DockerMessages.readStore(
                input("{\"ServerURL\":\"127.0.0.1:40131\",\"Username\":\"alice\",\"Secret\":\"" + SECRET + "\"}\n"))) {
            assertEquals("127.0.0.1:40131", stored.server().key());
            assertEquals("alice", stored.username());
            assertEquals(Secret.fromString(SECRET), stored.secret());
            assertFalse(stored.isIdentityToken());
            assertFalse(stored.toString().contains(SECRET));
        }
    }

    @Test
    void aStoreWithAnIdentityTokenSaysSo() throws Exception {
        assertTrue(DockerMessages.readStore(input("{\"ServerURL\":\"https://index.docker.io/v1/\",\"Username\":\"<token>\","
                + "\"Secret\":\"refresh\",\"Extra\":{\"later\":[1]}}")).isIdentityToken());
    }

    @Test
    void getAnswersTheObjectAndANewline() throws Exception {
        assertEquals("{\"ServerURL\":\"127.0.0.1:40131\",\"Username\":\"alice\",\"Secret\":\"s3cret\"}\n",
                text(DockerMessages.credentials("127.0.0.1:40131", "alice", Secret.fromString("s3cret"))));
        assertEquals("{\"ServerURL\":\"r\",\"Username\":\"a\\\"b\",\"Secret\":\"t\\\\k\\n\"}\n",
                text(DockerMessages.credentials("r", "a\"b", Secret.fromString("t\\k\n"))), "escaped as JSON");
    }

    @Test
    void listAnswersServerToUsername() throws Exception {
        Map<String, String> stored = new LinkedHashMap<>();
        stored.put("127.0.0.1:40131", "alice");
        stored.put(RegistryServer.DOCKER_HUB, "bob");
        assertEquals("{\"127.0.0.1:40131\":\"alice\",\"https://index.docker.io/v1/\":\"bob\"}\n", text(DockerMessages.list(stored)));
        assertEquals("{}\n", text(DockerMessages.list(Map.of())));
    }

    @Test
    void notFoundIsTheExactSentence() {
        assertEquals("credentials not found in native keychain\n", text(DockerMessages.notFound()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"ServerURL\":\"r.example\",\"Username\":\"alice\"}",
            "{\"ServerURL\":\"r.example\",\"Username\":\"alice\",\"Secret\":\"\"}",
            "{\"ServerURL\":\"r.example\",\"Username\":\"\",\"Secret\":\"" + SECRET + "\"}",
            "{\"ServerURL\":\"r.example\",\"Username\":\"a\\nb\",\"Secret\":\"" + SECRET + "\"}",
            "{\"ServerURL\":\"r.example\",\"Username\":\"alice\",\"Secret\":1}",
            "{\"ServerURL\":\"r.example\",\"Username\":\"alice\",\"Secret\":\"" + SECRET + "\",\"Secret\":\"x\"}",
            "{\"ServerURL\":\"r.example\",\"Username\":\"alice\",\"Secret\":\"" + SECRET + "\"} {}",
            "[\"" + SECRET + "\"]",
            "{\"ServerURL\":\"u:" + SECRET + "@r.example\",\"Username\":\"alice\",\"Secret\":\"x\"}",
            "{\"ServerURL\":\"r.example\",\"Username\":\"alice\",\"Secret\":\"" + SECRET})
    void aStoreThatIsNotWholeAndSoundIsRefusedWithoutQuotingIt(String json) {
        DockerProtocolException e = assertThrows(DockerProtocolException.class, () -> DockerMessages.readStore(input(json)));
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        assertFalse(e.getMessage().contains("alice"), e.getMessage());
    }

    @Test
    void overlongInputIsRefused() {
        assertThrows(DockerProtocolException.class, () -> DockerMessages.readServer(input("a".repeat(5000))));
        assertThrows(DockerProtocolException.class, () -> DockerMessages.readStore(input("{\"x\":\"" + "a".repeat(70_000) + "\"}")));
        assertThrows(DockerProtocolException.class, () -> DockerMessages.readServer(new ByteArrayInputStream(new byte[] {(byte) 0xc0, (byte) 0xaf})));
    }

    private static ByteArrayInputStream input(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
