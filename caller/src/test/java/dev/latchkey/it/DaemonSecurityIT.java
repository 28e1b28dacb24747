package dev.latchkey.it;

import com.sun.security.auth.module.UnixSystem;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The boundary of docs/security.md: the daemon will not run in a socket directory others could reach or
 * replace, nor on a socket path someone else put something at, and it serves no peer but its own
 * user; a client sends nothing to a socket that another user serves or could reach.
 */
class DaemonSecurityIT {
    private static final int NOBODY = 65534;

    @RegisterExtension
    final DaemonSandbox sandbox = DaemonSandbox.perTest();
    private Path directory;

    @BeforeEach
    void prepare() throws Exception {
        directory = sandbox.socket.getParent();
    }

    @Test
    void refusesASocketDirectoryThatOthersCanEnter() throws Exception {
        Files.createDirectory(directory);
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));

        for (String mode : List.of("daemon", "--foreground")) {
            DaemonSandbox.Result refused = mode.equals("daemon") ? sandbox.run(null, "daemon") : sandbox.run(null, "daemon", mode);
            assertEquals(4, refused.exit(), mode);
            assertTrue(refused.stderr().contains("the socket directory " + directory + " is accessible to other users"), refused.stderr());
            assertTrue(refused.stderr().contains("`chmod 700 " + directory + "`"), "names the fix: " + refused.stderr());
        }
        assertNothingServes();
    }

    @Test
    void aSocketInASharedDirectorySuchAsTmpIsRefusedWithTheFixThatWorks() throws Exception {
        Path shared = Files.createDirectory(sandbox.root.resolve("tmp"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        String socket = shared.resolve("latchkey.sock").toString();

        DaemonSandbox.Result refused = sandbox.run(null, "daemon", "--foreground", "--socket", socket);

        assertEquals(4, refused.exit());
        assertTrue(refused.stderr().contains("the socket directory " + shared + " is accessible to other users"), refused.stderr());
        assertTrue(refused.stderr().contains("put the socket in a directory of its own: --socket DIR/daemon.sock"), refused.stderr());
        assertFalse(refused.stderr().contains("chmod"), "no advice to close a directory that others use: " + refused.stderr());
        DaemonSandbox.Result ownDirectory = sandbox.run(null, "daemon", "--socket", shared.resolve("mine/daemon.sock").toString());
        assertEquals(0, ownDirectory.exit(), "the fix it names works: " + ownDirectory.stderr());
    }

    @Test
    void refusesASocketDirectoryOwnedByAnotherUser() throws Exception {
        requireRoot("to give a directory to another user");
        Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setOwner(directory, nobody());

        DaemonSandbox.Result refused = sandbox.run(null, "daemon", "--foreground");

        assertEquals(4, refused.exit());
        assertTrue(refused.stderr().contains("the socket directory " + directory + " belongs to nobody (uid 65534), not to you"),
                refused.stderr());
        assertNothingServes();
    }

    @Test
    void refusesASocketDirectoryThatIsASymlink() throws Exception {
        Path elsewhere = Files.createDirectory(sandbox.root.resolve("elsewhere"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.createSymbolicLink(directory, elsewhere);

        DaemonSandbox.Result refused = sandbox.run(null, "daemon");

        assertEquals(4, refused.exit());
        assertTrue(refused.stderr().contains("the socket directory " + directory + " is a symlink"), refused.stderr());
        try (var left = Files.list(elsewhere)) {
            assertEquals(0, left.count(), "nothing was created through the link");
        }
        assertNothingServes();
    }

    @Test
    void refusesAPeerRunningAsAnotherUser() throws Exception {
        requireRoot("to run a client as another user");
        Path setpriv = RequiredComponent.executable("setpriv", "to run a client as another user");
        sandbox.startDaemon();
        Path peerClasses = rawClasses();
        List<String> asNobody = new ArrayList<>(List.of(setpriv.toString(), "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
        asNobody.addAll(rawPeer(peerClasses));

        // The directory (0700) alone keeps another user from reaching the socket.
        DaemonSandbox.Result blocked = runIn(peerClasses, asNobody);
        assertTrue(blocked.stdout().contains("cannot connect: Permission denied"), blocked.stdout() + blocked.stderr());

        // Opened up by mistake, the socket still serves only its own user: the daemon checks the peer's uid.
        for (Path path : List.of(sandbox.runtime, directory)) {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx--x--x"));
        }
        Files.setPosixFilePermissions(sandbox.socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        DaemonSandbox.Result refused = runIn(peerClasses, asNobody);
        assertTrue(refused.stdout().startsWith("{\"v\":[1],"), refused.stdout() + refused.stderr());
        assertTrue(refused.stdout().contains("{\"Err\":{\"kind\":\"denied\",\"message\":\"this latchkey daemon serves only its own user"),
                refused.stdout());
        assertFalse(refused.stdout().contains("\"status\""), "nobody learns the daemon's status");
        assertTrue(sandbox.log().contains("refused a connection from user nobody"), sandbox.log());

        DaemonSandbox.Result own = runIn(peerClasses, rawPeer(peerClasses));
        assertTrue(own.stdout().contains("{\"id\":1,\"Ok\":{\"kind\":\"status\""), "the daemon's own user is served: " + own.stdout());
    }

    @Test
    void refusesASocketPathThatSomeoneElsePutAFileAt() throws Exception {
        requireRoot("to give a file to another user");
        Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.writeString(sandbox.socket, "not a socket");
        Files.setOwner(sandbox.socket, nobody());

        DaemonSandbox.Result refused = sandbox.run(null, "daemon", "--foreground");

        assertEquals(4, refused.exit());
        assertTrue(refused.stderr().contains("the socket path " + sandbox.socket + " is a regular file, not a socket latchkey left; "
                + "latchkey will not remove it: move it away"), refused.stderr());
        assertEquals("not a socket", Files.readString(sandbox.socket), "left alone");
        assertEquals(List.of(), sandbox.daemons());
    }

    /**
     * Another user's server on our socket path (put there while the directory was open, or by
     * root): the daemon will not start there, and a client hands it no token: it checks who
     * serves the socket before it sends anything, and serves the request itself instead.
     */
    @Test
    void neitherDaemonNorClientUseASocketServedByAnotherUser() throws Exception {
        requireRoot("to run a server as another user");
        Path setpriv = RequiredComponent.executable("setpriv", "to run a server as another user");
        Path classes = rawClasses();
        Files.createDirectory(directory);
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(sandbox.runtime, PosixFilePermissions.fromString("rwx--x--x"));
        List<String> command = new ArrayList<>(List.of(setpriv.toString(), "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                DaemonSandbox.JAVA, "-XX:-UsePerfData", "-cp", classes.toString(), RawListener.class.getName(), sandbox.socket.toString()));
        ProcessBuilder builder = sandbox.builder(command).directory(classes.toFile());
        Path impostorSaid = builder.redirectOutput().file().toPath();
        sandbox.start(builder);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(impostorSaid).contains("listening"));
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(sandbox.runtime, PosixFilePermissions.fromString("rwx------"));

        DaemonSandbox.Result daemon = sandbox.run(null, "daemon", "--foreground");
        assertEquals(4, daemon.exit());
        assertTrue(daemon.stderr().contains("the socket " + sandbox.socket + " belongs to nobody (uid " + NOBODY
                + "), not to you (uid 0): another user made it, and latchkey will neither use nor remove it"), daemon.stderr());

        String token = "lk-token-the-impostor-must-never-see";
        DaemonSandbox.Result stored = sandbox.run(token + "\n", "store", "https://impostor.example/index/", "--store", "file");
        assertEquals(0, stored.exit(), stored.stderr());
        assertTrue(stored.stderr().contains("the socket " + sandbox.socket + " is served by user nobody, not by you; "
                + "latchkey sends tokens only to your own daemon"), stored.stderr());
        assertTrue(Files.readString(sandbox.tokenFile()).contains(token), "served in the client's own process instead");
        String impostorGot = Files.readString(impostorSaid);
        assertFalse(impostorGot.contains(token), "the impostor got no token: " + impostorGot);
        assertFalse(impostorGot.contains("\"kind\""), "nor any request: " + impostorGot);
    }

    @Test
    void aClientWillNotUseADaemonWhoseDirectoryWasOpenedUp() throws Exception {
        sandbox.startDaemon();
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));

        DaemonSandbox.Result listed = sandbox.run(null, "list");

        assertEquals(0, listed.exit(), listed.stderr());
        assertTrue(listed.stderr().contains("the socket directory " + directory + " is accessible to other users (mode rwxr-xr-x); "
                + "make it private: `chmod 700 " + directory + "`"), listed.stderr());
    }

    private static java.nio.file.attribute.UserPrincipal nobody() throws IOException {
        return FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(Integer.toString(NOBODY));
    }

    private void assertNothingServes() {
        assertFalse(Files.exists(sandbox.socket, LinkOption.NOFOLLOW_LINKS), "no socket was made");
        assertEquals(List.of(), sandbox.daemons());
    }

    private DaemonSandbox.Result runIn(Path directory, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = sandbox.builder(command).directory(directory.toFile());
        Process process = sandbox.start(builder);
        Assertions.assertTrue(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the raw peer finishes");
        return new DaemonSandbox.Result(process.exitValue(), Files.readString(builder.redirectOutput().file().toPath()),
                Files.readString(builder.redirectError().file().toPath()));
    }

    private List<String> rawPeer(Path classes) {
        return List.of(DaemonSandbox.JAVA, "-XX:-UsePerfData", "-cp", classes.toString(), RawPeer.class.getName(),
                sandbox.socket.toString());
    }

    /** {@link RawPeer}'s and {@link RawListener}'s class files, where another user can read them: the sandbox is opened for passing through. */
    private Path rawClasses() throws IOException {
        Files.setPosixFilePermissions(sandbox.root, PosixFilePermissions.fromString("rwx--x--x"));
        Path classes = sandbox.root.resolve("peer");
        for (Class<?> raw : List.of(RawPeer.class, RawListener.class)) {
            Path target = classes.resolve(raw.getName().replace('.', '/') + ".class");
            Files.createDirectories(target.getParent());
            try (InputStream in = raw.getResourceAsStream(raw.getSimpleName() + ".class")) {
                Files.copy(in, target);
            }
        }
        try (var paths = Files.walk(classes)) {
            for (Path path : paths.toList()) {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(Files.isDirectory(path) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return classes;
    }

    private static void requireRoot(String why) {
        RequiredComponent.require(new UnixSystem().getUid() == 0, "the test runs as root " + why);
    }
}
