package dev.latchkey.it;

import dev.latchkey.it.GuardedHttpServer.Auth;
import dev.latchkey.it.GuardedHttpServer.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The git fixture ({@link GitHttpServer}) against the real git client, without latchkey: a
 * stand-in credential helper written here answers every {@code get} with fixed values. The right
 * password clones and pushes (a push large enough to come in chunked transfer encoding); each user
 * has their own; a wrong password gets the server's 401, after which git tells the helper to
 * {@code erase} it.
 */
class GitFixtureIT {
    private static final String ALICE_PASSWORD = "alice-fixture-password";
    private static final String BOB_PASSWORD = "bob-fixture-password";

    @TempDir
    static Path serverDirectory;
    private static GitHttpServer server;

    @TempDir
    Path temp;
    private ClientSandbox sandbox;

    @BeforeAll
    static void startServer() throws IOException {
        server = GitHttpServer.start(serverDirectory, Map.of("alice", ALICE_PASSWORD, "bob", BOB_PASSWORD));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void isolateGit() {
        sandbox = ClientSandbox.create(temp);
        server.clearRequests();
    }

    @Test
    void theRightPasswordClonesAndPushes() throws IOException {
        GitHttpServer.Repository repository = server.createRepository("clone-and-push.git");
        useHelperAnswering("alice", ALICE_PASSWORD);

        git("clone", "--quiet", repository.url(), "clone").assertSuccess();
        Path clone = temp.resolve("clone");
        assertEquals(repository.commit(), git("-C", clone.toString(), "rev-parse", "HEAD").assertSuccess().stdout().trim());
        assertEquals(List.of("get", "store"), helperOperations(), "git asks, then confirms what worked");
        assertTrue(helperLog().contains("username=alice\npassword=<masked>\n"), helperLog());
        List<Request> clones = server.requests();
        assertEquals(new Request("GET", "/clone-and-push.git/info/refs", "service=git-upload-pack", Auth.NONE, null, false, 401),
                clones.get(0), "git tries without credentials first: " + clones);
        assertTrue(clones.stream().skip(1).allMatch(r -> r.auth() == Auth.ACCEPTED && r.user().equals("alice")
                && r.status() == 200), clones.toString());

        // Incompressible content over git's smallest post buffer makes git send the pack chunked.
        byte[] noise = new byte[256 * 1024];
        new Random(42).nextBytes(noise);
        Files.write(clone.resolve("noise.bin"), noise);
        git("-C", clone.toString(), "add", "noise.bin").assertSuccess();
        git("-C", clone.toString(), "commit", "--quiet", "-m", "a large push").assertSuccess();
        server.clearRequests();
        git("-C", clone.toString(), "-c", "http.postBuffer=65536", "push", "--quiet", "origin", "main").assertSuccess();
        String pushed = git("-C", clone.toString(), "rev-parse", "HEAD").assertSuccess().stdout().trim();
        assertNotEquals(repository.commit(), pushed);
        assertEquals(pushed, server.head("clone-and-push.git", "main"), "the push reached the server's repository");
        assertTrue(server.requests().stream().anyMatch(r -> r.method().equals("POST")
                && r.path().equals("/clone-and-push.git/git-receive-pack") && r.chunked() && r.user().equals("alice")
                && r.status() == 200), "the pack came chunked and was taken: " + server.requests());
    }

    @Test
    void eachUserHasTheirOwnPassword() {
        GitHttpServer.Repository repository = server.createRepository("two-users.git");
        useHelperAnswering("bob", BOB_PASSWORD);
        git("clone", "--quiet", repository.url(), "as-bob").assertSuccess();
        assertTrue(server.requests().stream().anyMatch(r -> r.auth() == Auth.ACCEPTED && r.user().equals("bob")));

        server.clearRequests();
        useHelperAnswering("bob", ALICE_PASSWORD);
        git("clone", "--quiet", repository.url(), "bob-with-alices-password").assertExit(128);
        assertTrue(server.requests().stream().noneMatch(r -> r.auth() == Auth.ACCEPTED), server.requests().toString());
    }

    @Test
    void aWrongPasswordGetsTheServers401AndGitErasesIt() {
        GitHttpServer.Repository repository = server.createRepository("wrong-password.git");
        useHelperAnswering("alice", "not-" + ALICE_PASSWORD);

        ProcessRun.Result clone = git("clone", "--quiet", repository.url(), "refused").assertExit(128);
        assertTrue(clone.stderr().contains("Authentication failed"), clone.toString());
        assertEquals(List.of("get", "erase"), helperOperations(), "git reports the credential that failed");
        List<Request> requests = server.requests();
        assertEquals(List.of(Auth.NONE, Auth.REJECTED), requests.stream().map(Request::auth).toList(), requests.toString());
        assertTrue(requests.stream().allMatch(r -> r.status() == 401), requests.toString());
        assertTrue(Files.notExists(temp.resolve("refused/.git")));
    }

    /**
     * Configures a stand-in helper (absolute path, so git runs it as {@code PATH get|store|erase})
     * that answers {@code get} with {@code user} and {@code password} and logs what git sent, the
     * password masked.
     */
    private void useHelperAnswering(String user, String password) {
        Path log = temp.resolve("helper.log");
        Path helper = sandbox.writeScript("bin/answer-fixed", "#!/bin/sh\n"
                + "{ echo \">>> $1\"; sed 's/^password=.*/password=<masked>/'; } >> '" + log + "'\n"
                + "[ \"$1\" = get ] && printf 'username=%s\\npassword=%s\\n' '" + user + "' '" + password + "'\n"
                + "exit 0\n");
        sandbox.writeOwnerOnly(sandbox.home().resolve(".gitconfig"), "[user]\n\tname = fixture test\n\temail = test@latchkey.invalid\n"
                + "[credential]\n\thelper = \"" + helper + "\"\n");
    }

    private String helperLog() {
        try {
            return Files.readString(temp.resolve("helper.log"));
        } catch (IOException e) {
            return "";
        }
    }

    private List<String> helperOperations() {
        List<String> operations = new ArrayList<>();
        helperLog().lines().filter(l -> l.startsWith(">>> ")).forEach(l -> operations.add(l.substring(4)));
        return operations;
    }

    private ProcessRun.Result git(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(List.of(arguments));
        return ProcessRun.of(command).environment(sandbox.environment()).in(temp).timeout(Duration.ofSeconds(120)).run();
    }
}
