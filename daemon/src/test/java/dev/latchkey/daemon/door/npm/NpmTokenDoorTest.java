package dev.latchkey.daemon.door.npm;

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
 * {@code latchkey npm-token}, which pnpm's tokenHelper runs through a one-line script: a registry's
 * token stored once is printed as {@code Bearer TOKEN} for every form of its URL and for no other
 * registry; a token that cannot stand in a header, or is given on the command line, is refused.
 */
class NpmTokenDoorTest {
    private static final String TOKEN = "npm_abcdef0123456789";
    private static final String REGISTRY = "https://npm.example.com/team/";

    @TempDir
    Path home;
    private InProcessDoor latchkey;

    @BeforeEach
    void privateHome() {
        latchkey = new InProcessDoor(home);
    }

    private void store(String url, String token) {
        InProcessDoor.Run stored = latchkey.run(token + "\n", "npm-token", "--store", url);
        assertEquals(0, stored.exit(), stored.stderr());
        assertEquals("", stored.stdout());
        assertFalse(stored.stderr().contains(token), stored.stderr());
    }

    @Test
    void theTokenStoredOnceIsPrintedForEveryFormOfTheRegistrysUrl() {
        store(REGISTRY, TOKEN);
        for (String form : List.of(REGISTRY, "https://npm.example.com/team", "HTTPS://NPM.example.com:443/team/")) {
            InProcessDoor.Run printed = latchkey.run("", "npm-token", form);
            assertEquals(0, printed.exit(), form + ": " + printed.stderr());
            assertEquals("Bearer " + TOKEN + "\n", printed.stdout(), form);
        }
    }

    @Test
    void anotherRegistryHasNoToken() {
        store(REGISTRY, TOKEN);
        for (String other : List.of("https://npm.example.com/", "https://npm.example.com/team/sub/", "http://npm.example.com/team/",
                "https://npm.example.com:8443/team/", "https://npm.example.com.evil.example/team/", "https://npm.example.com/other/")) {
            InProcessDoor.Run printed = latchkey.run("", "npm-token", other);
            assertEquals(ExitCodes.NOT_FOUND, printed.exit(), other);
            assertEquals("", printed.stdout(), other);
            assertTrue(printed.stderr().contains("latchkey npm-token --store"), printed.stderr());
        }
    }

    @Test
    void eraseForgetsIt() {
        store(REGISTRY, TOKEN);
        assertEquals(0, latchkey.run("", "npm-token", "--erase", "https://npm.example.com/team").exit());
        assertEquals(ExitCodes.NOT_FOUND, latchkey.run("", "npm-token", REGISTRY).exit());
        assertEquals(ExitCodes.NOT_FOUND, latchkey.run("", "npm-token", "--erase", REGISTRY).exit());
    }

    @Test
    void aTokenThatCannotStandInAHeaderIsRefusedUnquotedAndNotStored() {
        byte[][] hostile = {
            "two words\n".getBytes(StandardCharsets.UTF_8),
            "first\nsecond\n".getBytes(StandardCharsets.UTF_8),
            {'t', 0, 'k'},
            {'t', (byte) 0xc0, (byte) 0x80},
            "t\u00f6ken".getBytes(StandardCharsets.UTF_8),
            ("t".repeat(70_000)).getBytes(StandardCharsets.UTF_8),
            {},
        };
        for (byte[] stdin : hostile) {
            InProcessDoor.Run stored = latchkey.run(stdin, "npm-token", "--store", REGISTRY);
            assertEquals(ExitCodes.USAGE, stored.exit(), stored.stderr());
            assertFalse(stored.stderr().contains("words") || stored.stderr().contains("second") || stored.stderr().contains("tttt"),
                    stored.stderr());
        }
        assertEquals(ExitCodes.NOT_FOUND, latchkey.run("", "npm-token", REGISTRY).exit());
    }

    @Test
    void aTokenOnTheCommandLineOrABadUrlIsRefused() {
        InProcessDoor.Run inArgv = latchkey.run("", "npm-token", "--store", REGISTRY, TOKEN);
        assertEquals(ExitCodes.USAGE, inArgv.exit());
        assertFalse(inArgv.stderr().contains(TOKEN), inArgv.stderr());
        for (String url : List.of("https://user:" + TOKEN + "@npm.example.com/", "npm.example.com/team/", "ftp://npm.example.com/",
                "https://npm.example.com/../x/", "https://npm.example.com/?a=b", "https://npm.example.com/" + "t".repeat(3000) + "/",
                "https://npm.example.com\u0000.evil.example/", "https://npm.ex\u00e4mple.com/")) {
            InProcessDoor.Run refused = latchkey.run("", "npm-token", url);
            assertEquals(ExitCodes.USAGE, refused.exit(), url);
            assertFalse(refused.stderr().contains(TOKEN), refused.stderr());
        }
        assertEquals(ExitCodes.USAGE, latchkey.run("", "npm-token", "--store", "--erase", REGISTRY).exit());
        assertEquals(ExitCodes.USAGE, latchkey.run("", "npm-token", "--expires-in", "1d", REGISTRY).exit());
    }

    @Test
    void theAuditLogNamesNpmAndTheRegistry() throws Exception {
        store(REGISTRY, TOKEN);
        latchkey.run("", "npm-token", REGISTRY);
        List<String> audit = latchkey.audit();
        assertTrue(audit.get(0).contains("\"kind\":\"npm-store\"") && audit.get(0).contains("\"registry\":\"https://npm.example.com/team\""),
                audit.toString());
        assertTrue(audit.get(1).contains("\"kind\":\"npm-get\"") && audit.get(1).contains("\"outcome\":\"ok\""), audit.toString());
        assertTrue(audit.stream().noneMatch(line -> line.contains(TOKEN)));
    }
}
