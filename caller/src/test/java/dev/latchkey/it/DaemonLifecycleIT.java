package dev.latchkey.it;

import dev.latchkey.client.LatchkeyClient;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The daemon's life, with real processes and a real socket: start, refuse a second, stop, die, come back, go idle. */
class DaemonLifecycleIT {
    private static final String REGISTRY = "sparse+https://packages.example.com/index/";

    @RegisterExtension
    final DaemonSandbox sandbox = DaemonSandbox.perTest();

    @Test
    void detachesAnswersAndRefusesASecondDaemonOnTheSameSocket() throws Exception {
        ProcessHandle first = sandbox.startDaemon();

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sandbox.socket, LinkOption.NOFOLLOW_LINKS)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sandbox.socket.getParent())));
        assertTrue(sandbox.log().contains("serving on " + sandbox.socket), sandbox.log());
        DaemonSandbox.Result status = sandbox.run(null, "daemon", "status");
        assertEquals(0, status.exit(), status.stderr());
        assertTrue(status.stdout().contains("pid " + first.pid()), status.stdout());

        DaemonSandbox.Result second = sandbox.run(null, "daemon");
        assertEquals(4, second.exit());
        assertTrue(second.stderr().contains("already running on " + sandbox.socket), second.stderr());
        DaemonSandbox.Result secondInForeground = sandbox.run(null, "daemon", "--foreground");
        assertEquals(4, secondInForeground.exit());
        assertTrue(secondInForeground.stderr().contains("already running"), secondInForeground.stderr());

        assertTrue(first.isAlive());
        assertEquals(List.of(first), sandbox.daemons());
        try (LatchkeyClient client = sandbox.client()) {
            assertEquals(first.pid(), client.status().pid());
        }
    }

    @Test
    void stopEndsTheDaemonAndRemovesItsSocket() throws Exception {
        ProcessHandle daemon = sandbox.startDaemon();

        DaemonSandbox.Result stop = sandbox.run(null, "daemon", "stop");

        assertEquals(0, stop.exit(), stop.stderr());
        assertTrue(stop.stderr().contains("stopped the daemon (pid " + daemon.pid() + ")"), stop.stderr());
        assertTrue(DaemonSandbox.exited(daemon.pid()), "`daemon stop` returns once the daemon has exited");
        assertFalse(Files.exists(sandbox.socket, LinkOption.NOFOLLOW_LINKS));
        DaemonSandbox.Result status = sandbox.run(null, "daemon", "status");
        assertEquals(1, status.exit(), "no daemon: status says so with exit 1");
        assertTrue(status.stderr().contains("no latchkey daemon is running on " + sandbox.socket), status.stderr());
        assertEquals(0, sandbox.run(null, "daemon", "stop").exit(), "stopping what is not running is not an error");
    }

    /**
     * A daemon that has exited but that its parent has not reaped yet (a supervisor, or a harness
     * that waits later) is a zombie: its pid is still there, and waiting for it to go would wait
     * in vain. Its parent here is a shell turned {@code sleep}, which never waits for it: a child of
     * this JVM would be reaped at once by the JDK's own reaper thread.
     */
    @Test
    void stopReturnsAtOnceForADaemonThatHasExitedButIsNotYetReaped() throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", "-c", "\"$@\" & exec sleep 600", "sh"));
        command.addAll(sandbox.latchkey("daemon", "--foreground"));
        Process parent = sandbox.start(sandbox.builder(command));
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(sandbox.socket));
        long pid;
        try (LatchkeyClient client = sandbox.client()) {
            pid = client.status().pid();
        }

        DaemonSandbox.Result stop = sandbox.run(null, "daemon", "stop");

        assertEquals(0, stop.exit(), stop.stderr());
        assertTrue(stop.stderr().contains("stopped the daemon (pid " + pid + ")"), stop.stderr());
        assertEquals(Optional.of('Z'), DaemonSandbox.state(pid), "the daemon has exited and is not reaped yet: a zombie");
        parent.destroy(); // the zombie goes to a reaper of the system's
        assertTrue(parent.waitFor(20, TimeUnit.SECONDS));
        await().atMost(Duration.ofSeconds(20)).until(() -> DaemonSandbox.state(pid).isEmpty());
    }

    @Test
    void aDaemonKilledWithSigkillLosesNothingAndItsStaleSocketIsTakenOver() throws Exception {
        sandbox.config("stores = [\"file\"]\n");
        ProcessHandle killed = sandbox.startDaemon();
        DaemonSandbox.Result stored = sandbox.run("token-that-survives\n", "store", REGISTRY);
        assertEquals(0, stored.exit(), stored.stderr());

        killed.destroyForcibly(); // SIGKILL: no shutdown hook, the socket file stays behind
        await().atMost(Duration.ofSeconds(10)).until(() -> !killed.isAlive());
        assertTrue(Files.exists(sandbox.socket, LinkOption.NOFOLLOW_LINKS), "a killed daemon leaves its socket file");

        ProcessHandle restarted = sandbox.startDaemon();

        assertTrue(sandbox.log().contains("removed the stale socket " + sandbox.socket), sandbox.log());
        try (LatchkeyClient client = sandbox.client();
             Secret token = client.get(Registry.byUrl(REGISTRY)).token()) {
            assertEquals("token-that-survives", token.reveal());
            assertEquals(restarted.pid(), client.status().pid());
        }
    }

    @Test
    void sigtermAnswersTheRequestInFlightRemovesTheSocketAndExits() throws Exception {
        // A command store that blocks until the test lets it go: a request that is in flight for as long as we like.
        sandbox.config("stores = [\"command\"]\n[store.command]\nget = [\"sh\", \"-c\", \"touch " + sandbox.root
                + "/started; while [ ! -e " + sandbox.root + "/release ]; do sleep 0.05; done; echo slow-token\"]\n");
        ProcessBuilder foreground = sandbox.builder(sandbox.latchkey("daemon", "--foreground"));
        Process daemon = sandbox.start(foreground);
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(sandbox.socket));
        try (LatchkeyClient client = sandbox.client()) {
            CompletableFuture<Response.Got> inFlight = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.get(Registry.byUrl(REGISTRY));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(sandbox.root.resolve("started")));

            daemon.toHandle().destroy(); // SIGTERM

            await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(sandbox.socket, LinkOption.NOFOLLOW_LINKS));
            assertTrue(daemon.isAlive(), "still answering the request in flight");
            Files.createFile(sandbox.root.resolve("release"));
            try (Secret token = inFlight.get(20, TimeUnit.SECONDS).token()) {
                assertEquals("slow-token", token.reveal());
            }
        }
        assertTrue(daemon.waitFor(20, TimeUnit.SECONDS));
        assertEquals(143, daemon.exitValue(), "the exit status of a process ended by SIGTERM");
        assertEquals("", Files.readString(foreground.redirectOutput().file().toPath()), "nothing but protocol, and here none, on stdout");
    }

    @Test
    void anIdleDaemonExitsByItselfAndRemovesItsSocket() throws Exception {
        sandbox.config("[daemon]\nidle-timeout = \"1s\"\n");
        ProcessHandle daemon = sandbox.startDaemon();

        await().atMost(Duration.ofSeconds(15)).until(() -> !daemon.isAlive());

        assertFalse(Files.exists(sandbox.socket, LinkOption.NOFOLLOW_LINKS));
        assertTrue(sandbox.log().contains("no request for 1 s: stopping"), sandbox.log());
    }

    @Test
    void aSocketPathTooLongForTheKernelIsRefusedWithTheFix() throws Exception {
        String socket = sandbox.root.resolve("x".repeat(120)).resolve("daemon.sock").toString();

        for (DaemonSandbox.Result refused : List.of(sandbox.run(null, "daemon", "--socket", socket),
                sandbox.run(null, "daemon", "--foreground", "--socket", socket))) {
            assertEquals(4, refused.exit(), refused.stderr());
            assertTrue(refused.stderr().contains("cannot make the socket " + socket + ": its path is " + socket.length()
                    + " bytes long"), refused.stderr());
            assertTrue(refused.stderr().contains("choose a shorter path with --socket or LATCHKEY_SOCKET"), refused.stderr());
        }
    }
}
