package dev.latchkey.it;

import dev.latchkey.it.GuardedHttpServer.Auth;
import dev.latchkey.it.GuardedHttpServer.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * latchkey as git's credential helper end to end: the real git against a real git server on
 * 127.0.0.1 ({@link GitHttpServer}: Basic auth in front of {@code git http-backend}), latchkey
 * configured as users configure it ({@link GitWithLatchkey}). Prompts are off unless a test answers
 * them with {@code GIT_ASKPASS}, so every clone that works took its password from latchkey. Also
 * cargo, fetching a private git dependency through git ({@code net.git-fetch-with-cli}).
 */
class GitEndToEndIT {
    private static final String ALICE_PW = "alice-e2e-9f3a71";
    private static final String BOB_PW = "bob-e2e-2c8d05";

    @TempDir
    static Path serverDirectory;
    private static GitHttpServer server;

    @TempDir
    Path temp;
    private GitWithLatchkey git;
    private String host;

    @BeforeAll
    static void startServer() throws IOException {
        server = GitHttpServer.start(serverDirectory, Map.of("alice", ALICE_PW, "bob", BOB_PW));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void gitWithLatchkey() {
        git = GitWithLatchkey.create(temp.resolve("sandbox"));
        host = server.hostAndPort();
        server.clearRequests();
    }

    @AfterEach
    void stopDaemon() {
        git.close();
    }

    /** {@code git credential approve}: what git does after a success, and a user can do by hand. */
    private void approve(String user, String password, String path) {
        git.gitReading("protocol=http\nhost=" + host + "\n" + (path == null ? "" : "path=" + path + "\n") + "username=" + user
                + "\npassword=" + password + "\n", git.sandbox().root(), "credential", "approve").assertSuccess();
    }

    private String fill(String user) {
        return git.fill("protocol=http\nhost=" + host + "\n" + (user == null ? "" : "username=" + user + "\n"));
    }

    private ProcessRun.Result cloneAs(String user, String repository, String into) {
        String url = server.url(repository);
        if (user != null) {
            url = url.replace("://", "://" + user + "@");
        }
        return git.git(temp, "clone", "--quiet", url, into);
    }

    /**
     * The server refused every request up to the first with a password from latchkey (git's first
     * try without credentials; with a user in the URL, curl's with that user and no password, which
     * the server may log before or after it), and took every one from it on, as {@code user}.
     */
    private static void assertAcceptedOnlyAs(String user, List<Request> requests) {
        assertTrue(requests.stream().anyMatch(r -> r.auth() == Auth.NONE && r.status() == 401),
                "git asks its helper after the server's 401: " + requests);
        int first = 0;
        while (first < requests.size() && requests.get(first).auth() != Auth.ACCEPTED) {
            assertEquals(401, requests.get(first).status(), requests.toString());
            first++;
        }
        assertTrue(first < requests.size() && first <= 2, "accepted after at most two refusals: " + requests);
        assertTrue(requests.stream().skip(first).allMatch(r -> r.auth() == Auth.ACCEPTED && r.user().equals(user)
                && r.status() == 200), requests.toString());
    }

    @Test
    void importedFromGitsFileThePasswordClonesAndPushes() throws IOException {
        GitHttpServer.Repository repository = server.createRepository("imported.git");
        Path file = git.sandbox().writeOwnerOnly(git.sandbox().home().resolve(".git-credentials"),
                "https://someone@elsewhere.example\nhttp://alice:" + ALICE_PW + "@" + host + "\n");

        ProcessRun.Result imported = git.latchkey("", "import", "git").assertSuccess();
        assertTrue(imported.stderr().contains("moved the password for `http://alice@" + host + "` from " + file + " to the file store"),
                imported.toString());
        assertEquals("https://someone@elsewhere.example\n", Files.readString(file), "the rest of the file is as it was");
        Path tokens = git.sandbox().root().resolve("xdg/data/latchkey/tokens.toml");
        Object inode = Files.getAttribute(tokens, "unix:ino");

        cloneAs(null, "imported.git", "clone").assertSuccess();
        Path clone = temp.resolve("clone");
        assertEquals(repository.commit(), git.git(clone, "rev-parse", "HEAD").assertSuccess().stdout().trim());
        assertAcceptedOnlyAs("alice", server.requests());

        Files.writeString(clone.resolve("pushed.txt"), "pushed with latchkey's password\n");
        git.git(clone, "add", "pushed.txt").assertSuccess();
        git.git(clone, "commit", "--quiet", "-m", "a push").assertSuccess();
        server.clearRequests();
        git.git(clone, "push", "--quiet", "origin", "main").assertSuccess();
        assertEquals(git.git(clone, "rev-parse", "HEAD").assertSuccess().stdout().trim(), server.head("imported.git", "main"));
        assertTrue(server.requests().stream().anyMatch(r -> r.path().endsWith("/git-receive-pack") && r.user().equals("alice")
                && r.status() == 200), server.requests().toString());

        // git stores after every success: the same password, so latchkey's file is left as it was
        assertEquals(inode, Files.getAttribute(tokens, "unix:ino"));
        List<Object> kinds = git.audit().stream().map(line -> line.get("kind")).toList();
        assertEquals(List.of("git-import-store", "git-get", "git-store", "git-get", "git-store"), kinds);
        assertTrue(TokenLeaks.assertNoFileHolds(git.sandbox().root(), tokens::equals, List.of(ALICE_PW)) > 3);
    }

    @Test
    void aWrongPasswordIsErasedAfterThe401AndTheNextCloneAsksAndKeepsTheRightOne() throws IOException {
        server.createRepository("wrong.git");
        approve("bob", "not-" + BOB_PW, null);

        ProcessRun.Result refused = cloneAs("bob", "wrong.git", "refused");
        assertEquals(128, refused.exitCode(), refused::toString);
        assertTrue(refused.stderr().contains("Authentication failed"), refused.stderr());
        assertTrue(server.requests().stream().noneMatch(r -> r.auth() == Auth.ACCEPTED || r.status() != 401),
                server.requests().toString());
        assertEquals("", fill("bob"), "git erased the password the server refused");

        Path asked = temp.resolve("askpass.log");
        Path askpass = git.sandbox().writeScript("bin/askpass", "#!/bin/sh\necho \"$1\" >> '" + asked + "'\n"
                + "case $1 in Password*) echo '" + BOB_PW + "' ;; *) echo bob ;; esac\n");
        git.env().put("GIT_ASKPASS", askpass.toString());
        server.clearRequests();
        cloneAs("bob", "wrong.git", "asked").assertSuccess();
        assertEquals(List.of("Password for 'http://bob@" + host + "': "), Files.readAllLines(asked));
        assertEquals("protocol=http\nhost=" + host + "\nusername=bob\npassword=" + BOB_PW + "\n", fill("bob"),
                "git stored what the user typed");

        git.env().remove("GIT_ASKPASS");
        server.clearRequests();
        cloneAs("bob", "wrong.git", "again").assertSuccess();
        assertAcceptedOnlyAs("bob", server.requests());
        assertEquals(1, Files.readAllLines(asked).size(), "not asked again");
    }

    @Test
    void twoUsersOnOneHostEachCloneWithTheirOwnPassword() {
        server.createRepository("shared.git");
        approve("alice", ALICE_PW, null);
        approve("bob", BOB_PW, null);

        cloneAs("bob", "shared.git", "as-bob").assertSuccess();
        assertAcceptedOnlyAs("bob", server.requests());
        server.clearRequests();
        cloneAs("alice", "shared.git", "as-alice").assertSuccess();
        assertAcceptedOnlyAs("alice", server.requests());
    }

    @Test
    void withUseHttpPathEachRepositoryHasItsOwnLogin() {
        server.createRepository("team-a.git");
        server.createRepository("team-b.git");
        server.createRepository("team-c.git");
        git.writeGitConfig("\tuseHttpPath = true\n");
        approve("alice", ALICE_PW, "team-a.git");
        approve("bob", BOB_PW, "team-b.git");

        cloneAs(null, "team-a.git", "a").assertSuccess();
        assertAcceptedOnlyAs("alice", server.requests());
        server.clearRequests();
        cloneAs(null, "team-b.git", "b").assertSuccess();
        assertAcceptedOnlyAs("bob", server.requests());
        server.clearRequests();
        assertEquals(128, cloneAs(null, "team-c.git", "c").exitCode(), "no login for that path, and no prompt");
        assertTrue(server.requests().stream().noneMatch(r -> r.auth() == Auth.ACCEPTED), server.requests().toString());
    }

    @Test
    void throughTheDaemonGitGetsTheSameAnswers() throws IOException {
        server.createRepository("daemon.git");
        git.startDaemon(git.sandbox().home());
        approve("alice", ALICE_PW, null);
        approve("bob", "not-" + BOB_PW, null);

        cloneAs("alice", "daemon.git", "as-alice").assertSuccess();
        assertAcceptedOnlyAs("alice", server.requests());
        assertEquals(128, cloneAs("bob", "daemon.git", "as-bob").exitCode());
        assertEquals("", fill("bob"), "erased after the 401, by the daemon");
        assertEquals("protocol=http\nhost=" + host + "\nusername=alice\npassword=" + ALICE_PW + "\n", fill("alice"));

        List<Map<String, Object>> audit = git.gitsRequests();
        assertTrue(audit.size() >= 8 && audit.stream().allMatch(GitWithLatchkey::servedByTheDaemon), audit::toString);
        assertTrue(audit.stream().anyMatch(line -> "git-erase".equals(line.get("kind")) && "ok".equals(line.get("outcome"))),
                audit::toString);
    }

    @Test
    void theFirstRequestWithoutADaemonStartsOneForTheNextAndHostileInputLeavesItServing() throws Exception {
        approve("alice", ALICE_PW, null);
        git.env().remove("LATCHKEY_AUTOSTART");
        assertEquals("protocol=http\nhost=" + host + "\nusername=alice\npassword=" + ALICE_PW + "\n", fill(null));
        long giveUp = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (git.latchkey("", "daemon", "status").exitCode() != 0 && System.nanoTime() < giveUp) {
            Thread.sleep(100);
        }
        assertEquals(0, git.latchkey("", "daemon", "status").exitCode(), "git's first request started a daemon");

        // git-credential-latchkey as git runs it, through the daemon: refused, said on stderr, nothing on stdout
        Path helper = git.sandbox().root().resolve("bin/git-credential-latchkey");
        for (String hostile : List.of("protocol=http\nhost=" + host + "\0evil.example\n", "protocol=http\nhost\n",
                "protocol=http\nhost=" + host + "\nwwwauth[]=" + "x".repeat(70_000) + "\n")) {
            ProcessRun.Result refused = ProcessRun.of(List.of(helper.toString(), "get")).environment(git.env()).stdin(hostile).run();
            assertEquals(2, refused.exitCode(), refused::toString);
            assertEquals("", refused.stdout());
            assertTrue(refused.stderr().startsWith("latchkey: git-credential get: "), refused.stderr());
        }
        assertEquals("protocol=http\nhost=" + host + "\nusername=alice\npassword=" + ALICE_PW + "\n", fill("alice"));
        List<Map<String, Object>> audit = git.gitsRequests();
        assertFalse(GitWithLatchkey.servedByTheDaemon(audit.get(1)), "the first get, which started it: " + audit);
        assertTrue(GitWithLatchkey.servedByTheDaemon(audit.get(audit.size() - 1)), "the last: " + audit);
    }

    @Test
    void cargoFetchesAPrivateGitDependencyWithThePasswordFromLatchkey() throws IOException {
        RealCargo cargo = RealCargo.require();
        server.createRepository("dep.git");
        approve("alice", ALICE_PW, null);
        // the dependency: a crate pushed to the server with latchkey's password
        cloneAs(null, "dep.git", "dep").assertSuccess();
        Path dep = temp.resolve("dep");
        Files.writeString(dep.resolve("Cargo.toml"), "[package]\nname = \"dep\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
        Files.createDirectories(dep.resolve("src"));
        Files.writeString(dep.resolve("src/lib.rs"), "pub fn answer() -> u32 { 42 }\n");
        git.git(dep, "add", ".").assertSuccess();
        git.git(dep, "commit", "--quiet", "-m", "a crate").assertSuccess();
        git.git(dep, "push", "--quiet", "origin", "main").assertSuccess();
        String commit = server.head("dep.git", "main");

        Path app = Files.createDirectories(temp.resolve("app/src"));
        Files.writeString(app.resolve("main.rs"), "fn main() { println!(\"{}\", dep::answer()); }\n");
        Path project = app.getParent();
        Files.writeString(project.resolve("Cargo.toml"), "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n"
                + "[dependencies]\ndep = { git = \"" + server.url("dep.git") + "\", branch = \"main\" }\n");
        Path noCratesIo = Files.createDirectories(temp.resolve("no-crates-io"));
        Files.createDirectories(project.resolve(".cargo"));
        Files.writeString(project.resolve(".cargo/config.toml"), "[net]\ngit-fetch-with-cli = true\n\n"
                + "[source.crates-io]\nreplace-with = \"no-crates-io\"\n\n[source.no-crates-io]\ndirectory = \"" + noCratesIo + "\"\n");
        Map<String, String> env = git.env();
        env.put("PATH", cargo.directory() + ":" + env.get("PATH"));
        env.put("CARGO_TERM_COLOR", "never");
        if (!env.containsKey("RUSTUP_HOME")) {
            // the sandbox's HOME has no toolchains: rustup's proxy finds them where the user keeps them
            env.put("RUSTUP_HOME", Path.of(System.getProperty("user.home"), ".rustup").toString());
        }
        server.clearRequests();

        ProcessRun.Result fetched = ProcessRun.of(List.of(cargo.executable().toString(), "fetch")).environment(env).in(project).run();

        assertEquals(0, fetched.exitCode(), fetched::toString);
        assertTrue(Files.readString(project.resolve("Cargo.lock")).contains("git+" + server.url("dep.git") + "?branch=main#" + commit),
                Files.readString(project.resolve("Cargo.lock")));
        assertTrue(server.requests().stream().anyMatch(r -> r.path().equals("/dep.git/git-upload-pack") && r.auth() == Auth.ACCEPTED
                && r.user().equals("alice")), server.requests().toString());
        Map<String, Object> last = git.audit().get(git.audit().size() - 1);
        assertEquals("git-store", last.get("kind"), "git, run by cargo, asked latchkey and confirmed: " + git.audit());
        assertFalse(fetched.stderr().contains(ALICE_PW));
        assertNotEquals(0, Files.size(project.resolve("Cargo.lock")));
    }
}
