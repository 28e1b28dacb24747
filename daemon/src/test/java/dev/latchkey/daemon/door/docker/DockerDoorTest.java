package dev.latchkey.daemon.door.docker;

import dev.latchkey.daemon.door.ExitCodes;
import dev.latchkey.testing.InProcessDoor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code latchkey docker-credential}, as docker and skopeo run {@code docker-credential-latchkey}:
 * the bytes each action reads and prints, one login per registry whatever form names it, and input
 * a hostile or broken client sends, none of which is answered with another registry's secret.
 */
class DockerDoorTest {
    private static final String SECRET = "alice-registry-secret";
    private static final String NOT_FOUND = "credentials not found in native keychain\n";

    @TempDir
    Path home;
    private InProcessDoor latchkey;

    @BeforeEach
    void privateHome() {
        latchkey = new InProcessDoor(home);
    }

    private InProcessDoor.Run docker(String stdin, String action) {
        return latchkey.run(stdin, "docker-credential", action);
    }

    private void store(String server, String user, String secret) {
        InProcessDoor.Run stored = docker("{\"ServerURL\":\"" + server + "\",\"Username\":\"" + user + "\",\"Secret\":\"" + secret + "\"}\n",
                "store");
        assertEquals(0, stored.exit(), stored.stderr() + stored.stdout());
        assertEquals("", stored.stdout(), "store prints nothing");
    }

    private static String credentials(String server, String user, String secret) {
        return "{\"ServerURL\":\"" + server + "\",\"Username\":\"" + user + "\",\"Secret\":\"" + secret + "\"}\n";
    }

    @Test
    void getAnswersWhatStoreKeptForEveryFormOfTheRegistrysName() {
        store("127.0.0.1:5000", "alice", SECRET);
        for (String form : List.of("127.0.0.1:5000", "http://127.0.0.1:5000", "https://127.0.0.1:5000/", "https://127.0.0.1:5000/v2/",
                "127.0.0.1:5000\n")) {
            InProcessDoor.Run got = docker(form, "get");
            assertEquals(0, got.exit(), form + ": " + got.stderr());
            assertEquals(credentials(form.strip(), "alice", SECRET), got.stdout(), "ServerURL is the server as asked for");
        }
    }

    @Test
    void nothingStoredIsTheExactSentenceAndStatusOne() {
        InProcessDoor.Run get = docker("127.0.0.1:5000", "get");
        assertEquals(ExitCodes.NOT_FOUND, get.exit());
        assertEquals(NOT_FOUND, get.stdout());
        InProcessDoor.Run erase = docker("127.0.0.1:5000", "erase");
        assertEquals(ExitCodes.NOT_FOUND, erase.exit());
        assertEquals(NOT_FOUND, erase.stdout());
    }

    @Test
    void eraseForgetsTheRegistrysLoginWhateverFormNamesIt() {
        store("127.0.0.1:5000", "alice", SECRET);
        store("127.0.0.1:5001", "alice", "other-" + SECRET);
        InProcessDoor.Run erased = docker("https://127.0.0.1:5000", "erase");
        assertEquals(0, erased.exit(), erased.stdout());
        assertEquals("", erased.stdout());
        assertEquals(NOT_FOUND, docker("127.0.0.1:5000", "get").stdout());
        assertEquals(credentials("127.0.0.1:5001", "alice", "other-" + SECRET), docker("127.0.0.1:5001", "get").stdout(),
                "another port is another registry, left alone");
    }

    @Test
    void aLoginAsAnotherUserReplacesTheFirstAsDockerKeepsOnePerRegistry() {
        store("127.0.0.1:5000", "alice", SECRET);
        store("http://127.0.0.1:5000", "bob", "bob-secret");
        assertEquals(credentials("127.0.0.1:5000", "bob", "bob-secret"), docker("127.0.0.1:5000", "get").stdout());
        assertEquals("{\"127.0.0.1:5000\":\"bob\"}\n", docker("", "list").stdout());
    }

    @Test
    void dockerHubIsOneRegistryUnderDockersOwnKeyAndIdentityTokensKeepTheirUserName() {
        store("https://index.docker.io/v1/", "<token>", "hub-identity-token");
        for (String form : List.of("https://index.docker.io/v1/", "docker.io", "index.docker.io", "registry-1.docker.io")) {
            assertEquals(credentials(form, "<token>", "hub-identity-token"), docker(form, "get").stdout(), form);
        }
        store("ghcr.io", "alice", SECRET);
        assertEquals("{\"https://index.docker.io/v1/\":\"<token>\",\"ghcr.io\":\"alice\"}\n", docker("", "list").stdout());
    }

    @Test
    void versionNamesTheHelper() {
        InProcessDoor.Run version = docker("", "version");
        assertEquals(0, version.exit());
        assertEquals("docker-credential-latchkey (latchkey) test\n", version.stdout());
    }

    @Test
    void anUnknownOrMissingActionIsAUsageErrorToldOnStdout() {
        InProcessDoor.Run unknown = docker("", "fetch");
        assertEquals(ExitCodes.USAGE, unknown.exit());
        assertTrue(unknown.stdout().startsWith("latchkey: docker-credential-latchkey knows no action `fetch`"), unknown.stdout());
        InProcessDoor.Run none = latchkey.run("", "docker-credential");
        assertEquals(ExitCodes.USAGE, none.exit());
        assertTrue(none.stdout().contains("store, get, erase, list or version"), none.stdout());
    }

    @Test
    void aServerStringThatNamesAnotherHostOrAUserIsRefusedNeverAnsweredWithASecret() {
        store("127.0.0.1:5000", "alice", SECRET);
        for (String hostile : List.of("evil.example@127.0.0.1:5000", "127.0.0.1:5000@evil.example", "127.0.0.1:5000/../evil.example",
                "127.0.0.1:5000/v2/../../evil.example", "127.0.0.1:5000?host=evil.example", "127.0.0.1:5000#x",
                "127.0.0.1:5000\nevil.example", "127.0.0.1:5000 evil.example", "ftp://127.0.0.1:5000", "127.0.0.1:5000:5000",
                "[::1", "")) {
            InProcessDoor.Run got = docker(hostile, "get");
            assertEquals(ExitCodes.USAGE, got.exit(), hostile + ": " + got.stdout());
            assertTrue(got.stdout().startsWith("latchkey: "), hostile + ": told on stdout, where docker quotes it: " + got.stdout());
            assertFalse(got.stdout().contains(SECRET) || got.stderr().contains(SECRET), hostile);
        }
        for (String other : List.of("127.0.0.1:5001", "127.0.0.1", "127.0.0.10:5000", "127.0.0.1.evil.example:5000", "localhost:5000")) {
            assertEquals(NOT_FOUND, docker(other, "get").stdout(), other + " is another registry");
        }
    }

    @Test
    void hostileBytesAreRefusedWithoutQuotingThem() {
        byte[] overlong = ("127.0.0.1:5000" + "0".repeat(5000)).getBytes(StandardCharsets.UTF_8);
        assertBadInput(latchkey.run(overlong, "docker-credential", "get"), "longer than");
        assertBadInput(latchkey.run(new byte[] {'a', 0, 'b'}, "docker-credential", "get"), "control character");
        assertBadInput(latchkey.run(new byte[] {'h', (byte) 0xc3, '(', 'x'}, "docker-credential", "erase"), "UTF-8");
        assertBadInput(docker("{\"ServerURL\":\"127.0.0.1:5000\",\"Username\":\"alice\",\"Secret\":\"" + SECRET, "store"),
                "not valid JSON");
        assertBadInput(docker("{\"ServerURL\":\"127.0.0.1:5000\",\"Username\":\"alice\",\"Secret\":\"" + SECRET
                + "\",\"Secret\":\"second\"}", "store"), "not valid JSON");
        assertBadInput(docker("[\"" + SECRET + "\"]", "store"), "not a JSON object");
        assertBadInput(docker("{\"ServerURL\":\"127.0.0.1:5000\",\"Username\":\"al\\u0000ice\",\"Secret\":\"" + SECRET + "\"}", "store"),
                "control character");
        assertBadInput(docker("{\"ServerURL\":\"evil.example@127.0.0.1:5000\",\"Username\":\"alice\",\"Secret\":\"" + SECRET + "\"}",
                "store"), "user name or password");
        assertBadInput(latchkey.run(("{\"ServerURL\":\"127.0.0.1:5000\",\"Username\":\"alice\",\"Secret\":\"" + "s".repeat(70_000) + "\"}")
                .getBytes(StandardCharsets.UTF_8), "docker-credential", "store"), "longer than");
        assertEquals(NOT_FOUND, docker("127.0.0.1:5000", "get").stdout(), "nothing refused was stored");
    }

    private static void assertBadInput(InProcessDoor.Run run, String saying) {
        assertEquals(ExitCodes.USAGE, run.exit(), run.stdout() + run.stderr());
        assertTrue(run.stdout().startsWith("latchkey: ") && run.stdout().contains(saying), run.stdout());
        assertNotEquals(NOT_FOUND, run.stdout());
        assertFalse(run.stdout().contains(SECRET) || run.stderr().contains(SECRET), run.stdout() + run.stderr());
    }

    @Test
    void aRegistrysLoginIsNeverAnotherClientsLoginWithASchemeOrPathOnTheSameHost() throws Exception {
        // What a git login and a pnpm token on the same host look like in the store: with a scheme, with a path.
        InProcessDoor.Run npm = latchkey.run("npm-token-secret\n", "npm-token", "--store", "https://127.0.0.1:5000/");
        assertEquals(0, npm.exit(), npm.stderr());
        assertEquals(NOT_FOUND, docker("127.0.0.1:5000", "get").stdout());
        assertEquals("{}\n", docker("", "list").stdout());
        assertEquals(NOT_FOUND, docker("127.0.0.1:5000", "erase").stdout());
        assertEquals("Bearer npm-token-secret\n", latchkey.run("", "npm-token", "https://127.0.0.1:5000/").stdout());
    }

    @Test
    void theAuditLogNamesDockerAndTheRegistryNeverTheSecretAndTheStoreHoldsItOnly() throws Exception {
        store("127.0.0.1:5000", "alice", SECRET);
        docker("127.0.0.1:5000", "get");
        docker("127.0.0.1:5001", "get");
        List<String> audit = latchkey.audit();
        assertTrue(audit.get(0).contains("\"kind\":\"docker-store\"") && audit.get(0).contains("\"registry\":\"alice@127.0.0.1:5000\""),
                audit.toString());
        assertTrue(audit.stream().anyMatch(line -> line.contains("\"kind\":\"docker-get\"") && line.contains("\"outcome\":\"ok\"")),
                audit.toString());
        assertTrue(audit.stream().anyMatch(line -> line.contains("\"kind\":\"docker-get\"") && line.contains("\"outcome\":\"not-found\"")),
                audit.toString());
        assertTrue(audit.stream().noneMatch(line -> line.contains(SECRET)), audit.toString());
        assertTrue(Files.readString(latchkey.tokenFile()).contains(SECRET));
    }
}
