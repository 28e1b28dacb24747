package dev.latchkey.daemon.door.git;

import dev.latchkey.daemon.audit.AuditLog;
import dev.latchkey.daemon.door.ExitCodes;
import dev.latchkey.testing.InProcessDoor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code latchkey git-credential} at the protocol level, in this process, on the file store of a
 * private home: what git 2.39 sends and what later gits add (capabilities, challenges, state,
 * expiry), matched as git's own helpers match, and hostile descriptions, each answered with nothing
 * or refused on stderr; never one site's password for another, never a password on stderr.
 */
class GitCredentialDoorTest {
    private static final String ALICE_PW = "alice-pw-Zq3";
    private static final String BOB_PW = "bob-pw-Xk8";
    private static final String SITE = "protocol=https\nhost=git.example:8443\n";

    /** What a run did, as one value to compare. */
    private record Outcome(int exit, String stdout, String stderr) {
    }

    @TempDir
    Path home;
    private InProcessDoor latchkey;

    @BeforeEach
    void privateHome() {
        latchkey = new InProcessDoor(home);
    }

    private Outcome git(String stdin, String... args) {
        return git(stdin.getBytes(StandardCharsets.UTF_8), args);
    }

    private Outcome git(byte[] stdin, String... args) {
        List<String> argv = new ArrayList<>(List.of("git-credential"));
        argv.addAll(List.of(args));
        InProcessDoor.Run ran = latchkey.run(stdin, argv.toArray(String[]::new));
        Outcome run = new Outcome(ran.exit(), ran.stdout(), ran.stderr());
        for (String secret : List.of(ALICE_PW, BOB_PW)) {
            assertFalse(run.stderr().contains(secret), () -> "a password on stderr: " + run);
        }
        return run;
    }

    private void store(String description) {
        Outcome stored = git(description, "store");
        assertEquals(new Outcome(ExitCodes.OK, "", ""), stored);
    }

    private static Outcome answered(String stdout) {
        return new Outcome(ExitCodes.OK, stdout, "");
    }

    private static final Outcome NOTHING = new Outcome(ExitCodes.NOT_FOUND, "", "");

    @Test
    void getAnswersTheStoredUsernameAndPasswordAndNothingElse() {
        assertEquals(NOTHING, git(SITE, "get"), "nothing stored: nothing at all on stdout, so git prompts");
        store(SITE + "username=alice\npassword=" + ALICE_PW + "\n");

        assertEquals(answered("username=alice\npassword=" + ALICE_PW + "\n"), git(SITE, "get"));
        assertEquals(answered("username=alice\npassword=" + ALICE_PW + "\n"), git(SITE + "username=alice\n", "get"));
        assertEquals(NOTHING, git(SITE + "username=bob\n", "get"), "another user's password is not alice's");
    }

    @Test
    void aSiteIsItsSchemeHostAndPortAndWithUseHttpPathItsPath() {
        store(SITE + "username=alice\npassword=" + ALICE_PW + "\n");
        store("protocol=https\nhost=git.example:8443\npath=team/one.git\nusername=bob\npassword=" + BOB_PW + "\n");

        assertEquals(NOTHING, git("protocol=http\nhost=git.example:8443\n", "get"), "http is not https");
        assertEquals(NOTHING, git("protocol=https\nhost=git.example\n", "get"), "another port is another site");
        assertEquals(NOTHING, git("protocol=https\nhost=git.example:8443.evil.example\n", "get"));
        assertEquals(NOTHING, git("protocol=https\nhost=evil.example\npath=git.example:8443\n", "get"));
        assertEquals(answered("username=bob\npassword=" + BOB_PW + "\n"), git(SITE + "path=team/one.git\n", "get"),
                "with useHttpPath only the login of that path matches");
        assertEquals(NOTHING, git(SITE + "path=team/two.git\n", "get"), "nor a login for the whole site");
        assertEquals(answered("username=alice\npassword=" + ALICE_PW + "\n"), git(SITE + "username=alice\n", "get"));
    }

    @Test
    void severalUsersOnOneHostAndEraseRemovesOnlyTheOneThatFailed() {
        store(SITE + "username=alice\npassword=" + ALICE_PW + "\n");
        store(SITE + "username=bob\npassword=" + BOB_PW + "\n");
        assertEquals(answered("username=bob\npassword=" + BOB_PW + "\n"), git(SITE + "username=bob\n", "get"));

        assertEquals(NOTHING, git(SITE + "username=alice\npassword=not-" + ALICE_PW + "\n", "erase"),
                "a password that differs from the one kept is not the one that failed");
        assertEquals(answered("username=alice\npassword=" + ALICE_PW + "\n"), git(SITE + "username=alice\n", "get"));

        // what git 2.55 sends after a 401: the challenges too
        assertEquals(new Outcome(ExitCodes.OK, "", ""), git("capability[]=authtype\ncapability[]=state\n" + SITE
                + "username=alice\npassword=" + ALICE_PW + "\nwwwauth[]=Basic realm=\"x\"\nstate[]=x.y=z\n", "erase"));
        assertEquals(NOTHING, git(SITE + "username=alice\n", "get"));
        assertEquals(answered("username=bob\npassword=" + BOB_PW + "\n"), git(SITE, "get"), "bob's stays");

        assertEquals(new Outcome(ExitCodes.OK, "", ""), git(SITE, "erase"), "no user given: every user of the site");
        assertEquals(NOTHING, git(SITE, "get"));
    }

    @Test
    void aLoginWithoutAUserNameIsNeverGits() {
        // pnpm's token for a registry on the same host: a login without a user name, which git never keeps
        assertEquals(ExitCodes.OK, latchkey.run("npm-token-Qv2\n", "npm-token", "--store", "https://git.example:8443/npm/").exit());
        assertEquals(NOTHING, git(SITE, "get"));
        assertEquals(NOTHING, git(SITE, "erase"), "nor erased by git's report of a failure");
        assertEquals("Bearer npm-token-Qv2\n", latchkey.run("", "npm-token", "https://git.example:8443/npm/").stdout());
        store(SITE + "username=alice\npassword=" + ALICE_PW + "\n");
        assertEquals(answered("username=alice\npassword=" + ALICE_PW + "\n"), git(SITE, "get"));
    }

    @Test
    void anEmptyUsernameAndPasswordAreKeptAsGiven() {
        store(SITE + "username=\npassword=\n");
        assertEquals(answered("username=\npassword=\n"), git(SITE, "get"));
    }

    @Test
    void storeTheSamePasswordAgainWritesNothing() throws Exception {
        store(SITE + "username=alice\npassword=" + ALICE_PW + "\n");
        Path tokens = home.resolve("data/latchkey/tokens.toml");
        Object inode = Files.getAttribute(tokens, "unix:ino");
        String before = Files.readString(tokens);

        store(SITE + "username=alice\npassword=" + ALICE_PW + "\n");

        assertEquals(inode, Files.getAttribute(tokens, "unix:ino"), "git stores after every success: no rewrite");
        assertEquals(before, Files.readString(tokens));
        List<String> audit = Files.readAllLines(home.resolve("state/latchkey/audit.log"));
        assertEquals(List.of("git-store", "git-store"), audit.stream().map(l -> AuditLog.fields(l).get("kind")).toList());
        assertEquals("https://alice@git.example:8443", AuditLog.fields(audit.get(1)).get("registry"));
        assertFalse(String.join("\n", audit).contains(ALICE_PW));

        store(SITE + "username=alice\npassword=" + BOB_PW + "\n");
        assertNotEquals(inode, Files.getAttribute(tokens, "unix:ino"), "a new password is written");
        assertEquals(answered("username=alice\npassword=" + BOB_PW + "\n"), git(SITE, "get"));
    }

    @Test
    void passwordExpiryUtcIsKeptAndHandedBackAndAnExpiredPasswordIsNot() {
        long later = Instant.now().getEpochSecond() + 3600;
        store(SITE + "username=alice\npassword=" + ALICE_PW + "\npassword_expiry_utc=" + later + "\n");
        String withExpiry = "username=alice\npassword=" + ALICE_PW + "\npassword_expiry_utc=" + later + "\n";
        assertEquals(answered(withExpiry), git(SITE, "get"));

        // git 2.39 passes no expiry on when it stores after a success: latchkey's stays
        store(SITE + "username=alice\npassword=" + ALICE_PW + "\n");
        assertEquals(answered(withExpiry), git(SITE, "get"));

        long earlier = Instant.now().getEpochSecond() - 60;
        store(SITE + "username=bob\npassword=" + BOB_PW + "\npassword_expiry_utc=" + earlier + "\n");
        Outcome expired = git(SITE + "username=bob\n", "get");
        assertEquals(ExitCodes.NOT_FOUND, expired.exit());
        assertEquals("", expired.stdout(), "an expired password is never handed out");
        assertEquals("latchkey: the password for `https://bob@git.example:8443` expired at " + Instant.ofEpochSecond(earlier)
                + "; git asks for a new one and stores it\n", expired.stderr());

        // typed again and taken by the server: git stores it without an expiry, and it works again
        store(SITE + "username=bob\npassword=" + BOB_PW + "\n");
        assertEquals(answered("username=bob\npassword=" + BOB_PW + "\n"), git(SITE + "username=bob\n", "get"));
    }

    @Test
    void theAttributesOfNewerGitsAreAcceptedAndThoseItDoesNotKnowIgnored() {
        store("capability[]=authtype\n" + SITE + "username=alice\npassword=" + ALICE_PW + "\noauth_refresh_token=refresh\n"
                + "ephemeral=0\nfuture_key=whatever\n");
        String answer = "username=alice\npassword=" + ALICE_PW + "\n";
        assertEquals(answered(answer), git("capability[]=authtype\ncapability[]=state\n" + SITE
                + "wwwauth[]=Basic realm=\"latchkey-spike\"\nwwwauth[]=Bearer realm=\"spike\", scope=\"repo:read\"\n"
                + "state[]=helper.step=1\nsomething_new=1\n", "get"), "answered with a username and password, never an authtype");

        // a pre-encoded credential (git 2.46's authtype) carries no password latchkey could keep
        assertEquals(new Outcome(ExitCodes.OK, "", ""), git("capability[]=authtype\nauthtype=Bearer\ncredential=tok\n"
                + "protocol=https\nhost=other.example\n", "store"));
        assertEquals(NOTHING, git("protocol=https\nhost=other.example\n", "get"));
    }

    @Test
    void urlClearsWhatCameBeforeIt() {
        store(SITE + "username=alice\npassword=" + ALICE_PW + "\n");
        assertEquals(NOTHING, git(SITE + "url=https://attacker.example/\n", "get"));
        assertEquals(answered("username=alice\npassword=" + ALICE_PW + "\n"),
                git("protocol=http\nhost=attacker.example\nurl=https://alice@git.example:8443/\n", "get"));
    }

    @Test
    void aHostHiddenInALongChallengeIsPartOfTheChallenge() {
        store("protocol=https\nhost=victim.example\nusername=alice\npassword=" + ALICE_PW + "\n");
        for (int filler : new int[] {1000, 1014, 1015, 1023, 1024, 4089, 8180, 65_000}) {
            String challenge = "wwwauth[]=" + "a".repeat(filler) + "host=victim.example\n";
            Outcome run = git("protocol=https\nhost=attacker.example\n" + challenge + "password=x\n", "get");
            assertEquals(NOTHING, run, "a reader that split the long line would have read host=victim.example: " + filler);
        }
    }

    @Test
    void malformedDescriptionsAreRefusedOnStderrWithNothingOnStdout() {
        store("protocol=https\nhost=victim.example\nusername=alice\npassword=" + ALICE_PW + "\n");
        Map<String, byte[]> hostile = new HashMap<>();
        hostile.put("a line without '='", "protocol=https\nhost=victim.example\nusername\n".getBytes(StandardCharsets.UTF_8));
        hostile.put("a NUL byte", "protocol=https\nhost=victim.example\0attacker.example\n".getBytes(StandardCharsets.UTF_8));
        hostile.put("a line over 64 KiB", ("protocol=https\nhost=victim.example\nwwwauth[]=" + "b".repeat(70_000) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        hostile.put("more than 1 MiB of lines", ("protocol=https\nhost=victim.example\n" + "wwwauth[]=0123456789abcdef\n".repeat(50_000))
                .getBytes(StandardCharsets.UTF_8));
        hostile.put("a value that is not UTF-8", new byte[] {'h', 'o', 's', 't', '=', (byte) 0xc0, (byte) 0xaf, '\n'});
        hostile.put("a host with a slash", "protocol=https\nhost=attacker.example/victim.example\n".getBytes(StandardCharsets.UTF_8));
        hostile.put("a host with a user in it", "protocol=https\nhost=alice@victim.example\n".getBytes(StandardCharsets.UTF_8));
        hostile.put("a user with a control character", "protocol=https\nhost=victim.example\nusername=al\u001bice\n"
                .getBytes(StandardCharsets.UTF_8));
        hostile.put("a scheme that is no scheme", "protocol=ht tps\nhost=victim.example\n".getBytes(StandardCharsets.UTF_8));
        hostile.put("a url without scheme", "url=victim.example\n".getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> input : hostile.entrySet()) {
            for (String operation : List.of("get", "store", "erase")) {
                Outcome run = git(input.getValue(), operation);
                assertEquals(ExitCodes.USAGE, run.exit(), input.getKey() + ", " + operation + ": " + run);
                assertEquals("", run.stdout(), input.getKey());
                assertTrue(run.stderr().startsWith("latchkey: git-credential " + operation + ": "), run.stderr());
            }
        }
        assertEquals(answered("username=alice\npassword=" + ALICE_PW + "\n"), git("protocol=https\nhost=victim.example\n", "get"),
                "the login is still there, unchanged");
    }

    @Test
    void withoutProtocolOrHostNothingIsFoundKeptOrErased() {
        store(SITE + "username=alice\npassword=" + ALICE_PW + "\n");
        assertEquals(NOTHING, git("host=git.example:8443\n", "get"));
        assertEquals(NOTHING, git("protocol=https\n", "get"), "no host: not any host");
        assertEquals(NOTHING, git("protocol=https\nhost=\nusername=alice\n", "get"));
        assertEquals(new Outcome(ExitCodes.OK, "", ""), git("protocol=https\nusername=bob\npassword=" + BOB_PW + "\n", "store"));
        assertEquals(NOTHING, git("protocol=https\n", "erase"));
        assertEquals(answered("username=alice\npassword=" + ALICE_PW + "\n"), git(SITE, "get"));
        assertEquals(NOTHING, git(SITE + "username=bob\n", "get"));
    }

    @Test
    void aStoreThatCannotBeReadIsSaidAndNeverTakenForNoCredential() throws Exception {
        store(SITE + "username=alice\npassword=" + ALICE_PW + "\n");
        Path tokens = home.resolve("data/latchkey/tokens.toml");
        Files.writeString(tokens, "[[login]\nbroken", StandardCharsets.UTF_8);

        Outcome run = git(SITE, "get");
        assertEquals(ExitCodes.STORE_UNUSABLE, run.exit(), run.toString());
        assertEquals("", run.stdout());
        assertTrue(run.stderr().startsWith("latchkey: ") && run.stderr().contains(tokens.toString()), run.stderr());

        Outcome named = git(SITE, "--store", "libsecret", "get");
        assertEquals(ExitCodes.STORE_UNUSABLE, named.exit(), "no session bus here: " + named);
        assertTrue(named.stderr().contains("libsecret"), named.stderr());
    }

    @Test
    void otherOperationsAreIgnoredAndAMissingOneIsAUsageError() {
        assertEquals(new Outcome(ExitCodes.OK, "", ""), git(SITE, "capability"));
        Outcome none = git(SITE);
        assertEquals(ExitCodes.USAGE, none.exit());
        assertTrue(none.stderr().contains("get, store or erase"), none.stderr());
    }

    @Test
    void verboseSaysWhoServedAndWhatCameOfItWithoutThePassword() {
        latchkey.variables().put("LATCHKEY_LOG", "1");
        Outcome stored = git(SITE + "username=alice\npassword=" + ALICE_PW + "\n", "store");
        assertTrue(stored.stderr().startsWith("latchkey: verbose: git store https://alice@git.example:8443: served in this process"),
                stored.stderr());
        assertTrue(stored.stderr().endsWith(": kept in the file store\n"), stored.stderr());
        Outcome got = git(SITE, "get");
        assertEquals("username=alice\npassword=" + ALICE_PW + "\n", got.stdout(), "verbose lines go to stderr only");
        assertTrue(got.stderr().endsWith(": a login from the file store\n"), got.stderr());
    }
}
