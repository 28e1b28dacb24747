package dev.latchkey.daemon.door.cli;

import dev.latchkey.daemon.audit.AuditLog;
import dev.latchkey.daemon.door.ExitCodes;
import dev.latchkey.testing.InProcessDoor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line on logins (git's): list and audit show each by its URL and user, never its
 * password; {@code erase --login} and {@code rotate --login} take exactly the login list shows; a
 * login past {@code rotate-after} is warned about when git is handed it, and marked in list.
 */
class LoginCommandsTest {
    private static final String ALICE = "https://alice@git.example:8443";
    private static final String ALICE_PW = "alice-pw-51c";
    private static final String BOB_PW = "bob-pw-e07";

    @TempDir
    Path home;
    private InProcessDoor latchkey;

    @BeforeEach
    void twoLoginsOnOneSite() {
        latchkey = new InProcessDoor(home);
        assertEquals(ExitCodes.OK, latchkey.run("protocol=https\nhost=git.example:8443\nusername=alice\npassword=" + ALICE_PW + "\n",
                "git-credential", "store").exit());
        assertEquals(ExitCodes.OK, latchkey.run("protocol=https\nhost=git.example:8443\nusername=bob\npassword=" + BOB_PW + "\n",
                "git-credential", "store").exit());
    }

    private String get(String user) {
        return latchkey.run("protocol=https\nhost=git.example:8443\nusername=" + user + "\n", "git-credential", "get").stdout();
    }

    private static void noSecretIn(InProcessDoor.Run run) {
        for (String secret : List.of(ALICE_PW, BOB_PW, "new-alice-pw")) {
            assertFalse(run.stdout().contains(secret) || run.stderr().contains(secret), run::toString);
        }
    }

    @Test
    void listAndAuditShowEachLoginByItsUrlAndUser() {
        InProcessDoor.Run audit = latchkey.run("", "audit", "-n", "2");
        noSecretIn(audit);
        assertTrue(audit.stdout().lines().skip(1).allMatch(r -> r.contains(" git-store ") && r.contains("@git.example:8443")),
                audit.stdout());

        InProcessDoor.Run list = latchkey.run("", "list");
        noSecretIn(list);
        List<String> rows = list.stdout().lines().toList();
        assertTrue(rows.get(0).startsWith("REGISTRY OR LOGIN "), rows.get(0));
        assertTrue(rows.stream().anyMatch(r -> r.startsWith(ALICE + " ") && r.contains(" file ") && r.contains(" - ")), list.stdout());
        assertTrue(rows.stream().anyMatch(r -> r.startsWith("https://bob@git.example:8443 ")), list.stdout());
        InProcessDoor.Run json = latchkey.run("", "list", "--json");
        assertTrue(json.stdout().contains("\"login\":\"" + ALICE + "\""), json.stdout());
        noSecretIn(json);
    }

    @Test
    void eraseLoginTakesExactlyThatLogin() throws Exception {
        InProcessDoor.Run none = latchkey.run("", "erase", "--login", "https://git.example:8443");
        assertEquals(ExitCodes.NOT_FOUND, none.exit(), "no part of the URL is taken as any: " + none);
        assertTrue(none.stderr().contains("`latchkey list` shows the logins"), none.stderr());

        InProcessDoor.Run erased = latchkey.run("", "erase", "--login", ALICE + "/");
        assertEquals(List.of(ExitCodes.OK, "", "latchkey: erased the login `" + ALICE + "` from the file store\n"),
                List.of(erased.exit(), erased.stdout(), erased.stderr()));
        assertEquals("", get("alice"));
        assertEquals("username=bob\npassword=" + BOB_PW + "\n", get("bob"), "bob's stays");

        InProcessDoor.Run all = latchkey.run("", "erase", "--login", "https://bob@git.example:8443", "--all-stores");
        assertEquals(ExitCodes.OK, all.exit(), all.toString());
        assertEquals("", get("bob"));
        List<String> kinds = Files.readAllLines(home.resolve("state/latchkey/audit.log")).stream()
                .map(l -> AuditLog.fields(l).get("kind")).toList();
        assertEquals(3, kinds.stream().filter("cli-erase"::equals).count(), "the one that found nothing too: " + kinds);
    }

    @Test
    void rotateLoginReplacesThePasswordFromStdin() {
        InProcessDoor.Run rotated = latchkey.run("new-alice-pw\n", "rotate", "--login", ALICE, "--expires-in", "30d");
        assertEquals(ExitCodes.OK, rotated.exit(), rotated.toString());
        assertTrue(rotated.stderr().startsWith("latchkey: rotated the password for `" + ALICE + "` in the file store"),
                rotated.stderr());
        noSecretIn(rotated);
        String answer = get("alice");
        assertTrue(answer.startsWith("username=alice\npassword=new-alice-pw\npassword_expiry_utc="), answer);
        assertEquals("username=bob\npassword=" + BOB_PW + "\n", get("bob"));

        InProcessDoor.Run nobody = latchkey.run("pw\n", "rotate", "--login", "https://carol@git.example:8443");
        assertEquals(ExitCodes.NOT_FOUND, nobody.exit());

        InProcessDoor.Run inline = latchkey.run("", "rotate", "--login", "https://alice:" + ALICE_PW + "@git.example:8443");
        assertEquals(ExitCodes.USAGE, inline.exit());
        assertTrue(inline.stderr().contains("without its password"), inline.stderr());
        noSecretIn(inline);
        assertEquals(ExitCodes.USAGE, latchkey.run("pw\n", "rotate", "--login", ALICE, "--operations", "read").exit());
    }

    @Test
    void aLoginPastRotateAfterIsWarnedAboutAndMarked() throws Exception {
        Files.createDirectories(home.resolve("config/latchkey"));
        Files.writeString(home.resolve("config/latchkey/config.toml"), "rotate-after = \"90d\"\n");
        // a login latchkey was given long ago: its file says when
        Path tokens = home.resolve("data/latchkey/tokens.toml");
        Files.writeString(tokens, "[[login]]\nprotocol = \"https\"\nhost = \"old.example\"\nusername = \"carol\"\n"
                + "password = \"carol-pw\"\ncreated = 1000\nupdated = 1000\n");
        Files.setPosixFilePermissions(tokens, PosixFilePermissions.fromString("rw-------"));

        InProcessDoor.Run got = latchkey.run("protocol=https\nhost=old.example\n", "git-credential", "get");
        assertEquals("username=carol\npassword=carol-pw\n", got.stdout());
        assertTrue(got.stderr().startsWith("latchkey: warning: the login for `https://carol@old.example` is ")
                && got.stderr().endsWith("past rotate-after (90d): get a new password or token from the site and run "
                + "`latchkey rotate --login https://carol@old.example`\n"), got.stderr());

        InProcessDoor.Run list = latchkey.run("", "list");
        assertTrue(list.stdout().lines().anyMatch(r -> r.startsWith("https://carol@old.example ") && r.contains(" ROTATE")),
                list.stdout());
        assertTrue(list.stderr().contains("`latchkey rotate --login URL`"), list.stderr());
    }
}
