package dev.latchkey.daemon.door.git;

import dev.latchkey.daemon.door.ExitCodes;
import dev.latchkey.testing.InProcessDoor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code latchkey import git}: the credentials of git's store helper moved into latchkey, their
 * lines (and only theirs) taken out of the file, which is replaced atomically with its mode kept;
 * a file others could have written, a link, or one git holds locked, refused and left alone.
 */
class GitImportTest {
    private static final String ALICE_PW = "alice:pw/with%chars";
    private static final String BOB_PW = "bob-pw-3e9";

    @TempDir
    Path home;
    private InProcessDoor latchkey;

    @BeforeEach
    void privateHome() {
        latchkey = new InProcessDoor(home);
    }

    private Path credentials(String name, String text, String mode) throws Exception {
        Path file = home.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    private String get(String description) {
        return latchkey.run(description, "git-credential", "get").stdout();
    }

    @Test
    void theCredentialsMoveAndEveryOtherLineStaysByteForByte() throws Exception {
        String kept1 = "not a url at all\n";
        String kept2 = "https://carol@git.example\n"; // no password: git does not use it either
        String kept3 = "https://alice:shadowed@git.example\n"; // the same login again: git finds the first
        String kept4 = "https://dave:pw@bad host.example\n";
        String kept5 = "\n";
        String text = kept1 + "https://alice:alice%3Apw%2Fwith%25chars@git.example\n" + kept2 + kept3
                + "http://bob:" + BOB_PW + "@127.0.0.1:8443/team/repo.git\n" + kept4 + kept5 + "https://erin:erin-pw@last.example";
        Path file = credentials(".git-credentials", text, "rw-r-----");
        Object inode = Files.getAttribute(file, "unix:ino");

        InProcessDoor.Run imported = latchkey.run("", "import", "git", file.toString());

        assertEquals(ExitCodes.OK, imported.exit(), imported.toString());
        assertEquals(kept1 + kept2 + kept3 + kept4 + kept5, Files.readString(file), "only the imported lines are gone");
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), "its mode is kept");
        assertNotEquals(inode, Files.getAttribute(file, "unix:ino"), "replaced by a rename, not rewritten in place");
        assertFalse(Files.exists(home.resolve(".git-credentials.lock")), "git's lock is let go");

        assertEquals("username=alice\npassword=" + ALICE_PW + "\n", get("protocol=https\nhost=git.example\n"));
        assertEquals("username=bob\npassword=" + BOB_PW + "\n", get("protocol=http\nhost=127.0.0.1:8443\npath=team/repo.git\n"));
        assertEquals("username=erin\npassword=erin-pw\n", get("protocol=https\nhost=last.example\n"));

        String said = imported.stderr();
        assertTrue(said.contains("latchkey: moved the password for `https://alice@git.example` from " + file + " to the file store"),
                said);
        assertTrue(said.contains("latchkey: left line 4 of " + file + ": the same login as line 2, which git finds first"), said);
        assertTrue(said.contains("latchkey: left line 3 of " + file + ": no user name and password"), said);
        assertTrue(said.contains("latchkey: left line 1 of "), said);
        assertTrue(said.contains("latchkey: left line 6 of "), said);
        assertTrue(said.contains("git config --global credential.helper latchkey"), said);
        for (String secret : List.of(ALICE_PW, "alice%3Apw", BOB_PW, "shadowed", "erin-pw")) {
            assertFalse(said.contains(secret), said);
        }
    }

    @Test
    void withoutAFileItMovesBothFilesGitsStoreHelperReads() throws Exception {
        Path dotfile = credentials(".git-credentials", "https://alice:" + BOB_PW + "@one.example\n", "rw-------");
        latchkey.variables().put("XDG_CONFIG_HOME", home.resolve("xdg-config").toString());
        Path xdg = credentials("xdg-config/git/credentials", "https://alice:" + BOB_PW + "@two.example\n", "rw-------");

        assertEquals(ExitCodes.OK, latchkey.run("", "import", "git").exit());

        assertEquals("", Files.readString(dotfile));
        assertEquals("", Files.readString(xdg));
        assertEquals("username=alice\npassword=" + BOB_PW + "\n", get("protocol=https\nhost=one.example\n"));
        assertEquals("username=alice\npassword=" + BOB_PW + "\n", get("protocol=https\nhost=two.example\n"));

        InProcessDoor.Run again = latchkey.run("", "import", "git");
        assertEquals(ExitCodes.OK, again.exit());
        assertTrue(again.stderr().contains("no credentials to import in " + dotfile), again.stderr());
    }

    @Test
    void noFileIsNothingToImport() {
        InProcessDoor.Run none = latchkey.run("", "import", "git");
        assertEquals(ExitCodes.OK, none.exit());
        assertTrue(none.stderr().startsWith("latchkey: no credentials to import: git's store helper keeps none here ("
                + home.resolve(".git-credentials")), none.stderr());
        InProcessDoor.Run named = latchkey.run("", "import", "git", "missing-file");
        assertEquals(ExitCodes.USAGE, named.exit());
        assertTrue(named.stderr().contains("there is no " + home.resolve("missing-file")), named.stderr());
    }

    @Test
    void aFileOthersCanWriteALinkOrALockedFileIsRefusedAndLeftAlone() throws Exception {
        String text = "https://alice:" + BOB_PW + "@git.example\n";
        Path open = credentials("open-credentials", text, "rw-rw-r--");
        InProcessDoor.Run refused = latchkey.run("", "import", "git", open.toString());
        assertEquals(ExitCodes.USAGE, refused.exit());
        assertTrue(refused.stderr().contains("can be written by its group") && refused.stderr().contains("chmod go-w"),
                refused.stderr());
        assertEquals(text, Files.readString(open));

        Path target = credentials("target-credentials", text, "rw-------");
        Path link = Files.createSymbolicLink(home.resolve("linked-credentials"), target);
        InProcessDoor.Run linked = latchkey.run("", "import", "git", link.toString());
        assertEquals(ExitCodes.USAGE, linked.exit());
        assertTrue(linked.stderr().contains("is a symbolic link"), linked.stderr());

        Path lock = Files.writeString(home.resolve("target-credentials.lock"), "git's");
        InProcessDoor.Run locked = latchkey.run("", "import", "git", target.toString());
        assertEquals(ExitCodes.USAGE, locked.exit());
        assertTrue(locked.stderr().contains(lock + " exists"), locked.stderr());
        assertEquals("git's", Files.readString(lock), "another's lock is not ours to remove");
        assertEquals(text, Files.readString(target));

        assertEquals("", get("protocol=https\nhost=git.example\n"), "nothing was imported");
        assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), Files.readAllBytes(target));
    }
}
