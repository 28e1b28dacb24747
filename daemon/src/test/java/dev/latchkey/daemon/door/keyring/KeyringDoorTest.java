package dev.latchkey.daemon.door.keyring;

import dev.latchkey.daemon.door.ExitCodes;
import dev.latchkey.testing.InProcessDoor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code latchkey keyring}, as pip's {@code --keyring-provider subprocess} runs {@code keyring}:
 * what pip stores by netloc is found by both forms pip asks with, and only for its host and user;
 * nothing found is status 1 and no output; input a hostile caller sends is refused unquoted.
 */
class KeyringDoorTest {
    private static final String PASSWORD = "alice-index-password";
    private static final String URL = "http://127.0.0.1:8080/simple/";
    private static final String NETLOC = "127.0.0.1:8080";

    @TempDir
    Path home;
    private InProcessDoor latchkey;

    @BeforeEach
    void privateHome() {
        latchkey = new InProcessDoor(home);
    }

    private InProcessDoor.Run keyring(String stdin, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "keyring";
        System.arraycopy(args, 0, all, 1, args.length);
        return latchkey.run(stdin, all);
    }

    private void set(String service, String user, String password) {
        InProcessDoor.Run set = keyring(password + "\n", "set", service, user);
        assertEquals(0, set.exit(), set.stderr());
        assertEquals("", set.stdout());
    }

    @Test
    void whatPipSavesByNetlocIsFoundByTheIndexUrlAndByTheNetloc() {
        set(NETLOC, "alice", PASSWORD);
        for (String service : List.of(URL, "http://127.0.0.1:8080/simple", NETLOC, "HTTP://127.0.0.1:8080/other/index/")) {
            InProcessDoor.Run got = keyring("", "get", service, "alice");
            assertEquals(0, got.exit(), service + ": " + got.stderr());
            assertEquals(PASSWORD + "\n", got.stdout(), service);
        }
    }

    @Test
    void aPasswordSetForAnIndexUrlIsThatIndexsAndWinsOverTheNetlocs() {
        set(NETLOC, "alice", PASSWORD);
        set(URL, "alice", "for-this-index-only");
        assertEquals("for-this-index-only\n", keyring("", "get", URL, "alice").stdout());
        assertEquals("for-this-index-only\n", keyring("", "get", "http://127.0.0.1:8080/simple", "alice").stdout(),
                "the slashes around the path make no other index");
        assertEquals(PASSWORD + "\n", keyring("", "get", NETLOC, "alice").stdout(), "keyring's own rule: the netloc is its own service");
        assertEquals(PASSWORD + "\n", keyring("", "get", "https://127.0.0.1:8080/simple/", "alice").stdout(),
                "https is another site: only the netloc's applies");
    }

    @Test
    void nothingFoundIsStatusOneAndNoOutputAndEachUserHasTheirOwn() {
        set(NETLOC, "alice", PASSWORD);
        set(NETLOC, "bob", "bob-password");
        assertEquals("bob-password\n", keyring("", "get", URL, "bob").stdout());
        for (String[] other : List.of(new String[] {URL, "carol"}, new String[] {"127.0.0.1:8081", "alice"},
                new String[] {"http://127.0.0.1:8081/simple/", "alice"}, new String[] {"127.0.0.1", "alice"},
                new String[] {"localhost:8080", "alice"})) {
            InProcessDoor.Run got = keyring("", "get", other[0], other[1]);
            assertEquals(ExitCodes.NOT_FOUND, got.exit(), String.join(" ", other));
            assertEquals("", got.stdout() + got.stderr(), String.join(" ", other));
        }
    }

    @Test
    void credsModeAnswersTheUserAndPasswordAsKeyringsCliAndUvReadThem() {
        set(NETLOC, "alice", PASSWORD);
        InProcessDoor.Run json = keyring("", "--mode", "creds", "--output", "json", "get", URL);
        assertEquals(0, json.exit(), json.stderr());
        assertEquals("{\"username\": \"alice\", \"password\": \"" + PASSWORD + "\"}\n", json.stdout());
        assertEquals("alice\n" + PASSWORD + "\n", keyring("", "--mode=creds", "get", NETLOC, "alice").stdout());
        assertEquals("{\"password\": \"" + PASSWORD + "\"}\n", keyring("", "--output=json", "get", NETLOC, "alice").stdout());
        assertEquals(ExitCodes.NOT_FOUND, keyring("", "--mode", "creds", "get", "http://127.0.0.1:9/simple/").exit());
    }

    @Test
    void delErasesThatLoginOnly() {
        set(NETLOC, "alice", PASSWORD);
        set(NETLOC, "bob", "bob-password");
        assertEquals(0, keyring("", "del", NETLOC, "alice").exit());
        assertEquals(ExitCodes.NOT_FOUND, keyring("", "get", URL, "alice").exit());
        assertEquals("bob-password\n", keyring("", "get", NETLOC, "bob").stdout());
        InProcessDoor.Run again = keyring("", "del", NETLOC, "alice");
        assertEquals(ExitCodes.NOT_FOUND, again.exit());
        assertTrue(again.stderr().contains("no password for `alice` in `127.0.0.1:8080`"), again.stderr());
    }

    @Test
    void aServiceThatNamesAnotherHostOrCarriesCredentialsIsRefused() {
        set(NETLOC, "alice", PASSWORD);
        for (String hostile : List.of("http://evil.example@127.0.0.1:8080/simple/", "http://127.0.0.1:8080@evil.example/simple/",
                "127.0.0.1:8080/simple/", "http://127.0.0.1:8080/simple/?x=1", "127.0.0.1:8080\nevil.example",
                "file:///etc/passwd", "127.0.0.1:8080:1", "", "http://127.0.0.1:8080/" + "s".repeat(3000) + "/",
                "127.0.0.1:8080\u0000evil.example", "127.0.0.1:8080/\u00e9")) {
            InProcessDoor.Run got = keyring("", "get", hostile, "alice");
            assertEquals(ExitCodes.USAGE, got.exit(), hostile + ": " + got.stderr());
            assertEquals("", got.stdout(), hostile);
            assertTrue(got.stderr().startsWith("latchkey: keyring: "), got.stderr());
            assertFalse(got.stderr().contains(PASSWORD), hostile);
        }
        InProcessDoor.Run backend = keyring("", "-b", "keyring.backends.fail.Keyring", "get", NETLOC, "alice");
        assertEquals(ExitCodes.USAGE, backend.exit());
        assertEquals("", backend.stdout());
    }

    @Test
    void aPasswordThatIsNotOneLineOfUtf8IsRefusedUnquotedAndNothingIsStored() {
        byte[][] hostile = {
            ("two\nlines\n").getBytes(StandardCharsets.UTF_8),
            {'p', 0, 'w', '\n'},
            {'p', (byte) 0xff, 'w'},
            ("x".repeat(70_000)).getBytes(StandardCharsets.UTF_8),
            {'\n'},
        };
        for (byte[] stdin : hostile) {
            InProcessDoor.Run set = latchkey.run(stdin, "keyring", "set", NETLOC, "alice");
            assertEquals(ExitCodes.USAGE, set.exit(), set.stderr());
            assertFalse(set.stderr().contains("lines") || set.stderr().contains("xxxx"), set.stderr());
        }
        assertEquals(ExitCodes.NOT_FOUND, keyring("", "get", NETLOC, "alice").exit());
    }

    @Test
    void theAuditLogNamesPipAndTheServiceNeverThePassword() throws Exception {
        set(NETLOC, "alice", PASSWORD);
        keyring("", "get", URL, "alice");
        List<String> audit = latchkey.audit();
        assertEquals(2, audit.size(), "one line per request, though the URL was looked up, then its netloc: " + audit);
        assertTrue(audit.get(0).contains("\"kind\":\"pip-store\"") && audit.get(0).contains("\"registry\":\"alice@127.0.0.1:8080\""),
                audit.get(0));
        assertTrue(audit.get(1).contains("\"kind\":\"pip-get\"") && audit.get(1).contains("\"registry\":\"http://alice@127.0.0.1:8080/simple\"")
                && audit.get(1).contains("\"outcome\":\"ok\""), audit.get(1));
        assertTrue(audit.stream().noneMatch(line -> line.contains(PASSWORD)));
    }
}
