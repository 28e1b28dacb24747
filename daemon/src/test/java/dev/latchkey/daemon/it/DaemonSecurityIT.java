package dev.latchkey.daemon.it;

import com.sun.security.auth.module.UnixSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The boundary of SPEC §9: the daemon will not run in a socket directory others could reach or
 * replace, and it serves no peer but its own user.
 */
class DaemonSecurityIT {
    private static final int NOBODY = 65534;

    private DaemonSandbox sandbox;
    private Path directory;

    @BeforeEach
    void sandbox() throws Exception {
        sandbox = new DaemonSandbox();
        directory = sandbox.socket.getParent();
    }

    @AfterEach
    void cleanUp() throws Exception {
        sandbox.close();
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
        Files.setOwner(directory, FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(Integer.toString(NOBODY)));

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
        Path setpriv = DaemonSandbox.require("setpriv", "to run a client as another user");
        sandbox.startDaemon();
        Path peerClasses = rawPeerClasses();
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

    /** {@link RawPeer}'s class file, where another user can read it: the sandbox is opened for passing through. */
    private Path rawPeerClasses() throws IOException {
        Files.setPosixFilePermissions(sandbox.root, PosixFilePermissions.fromString("rwx--x--x"));
        Path classes = sandbox.root.resolve("peer");
        Path target = classes.resolve(RawPeer.class.getName().replace('.', '/') + ".class");
        Files.createDirectories(target.getParent());
        try (InputStream in = RawPeer.class.getResourceAsStream(RawPeer.class.getSimpleName() + ".class")) {
            Files.copy(in, target);
        }
        try (var paths = Files.walk(classes)) {
            for (Path path : paths.toList()) {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(Files.isDirectory(path) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return classes;
    }

    private static void requireRoot(String why) {
        DaemonSandbox.requireThat(new UnixSystem().getUid() == 0, "the test runs as root " + why);
    }
}
