package dev.latchkey.it;

import dev.latchkey.client.LatchkeyClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Socket activation as systemd does it with {@code StandardInput=socket} (native-config/systemd):
 * the service manager owns the listening socket, starts the daemon on the first connection with
 * that socket as its standard input, and keeps it when the daemon exits. systemd itself does not
 * run here; {@code systemd-socket-activate}, systemd's own tool for testing activated services,
 * plays its part in the same way: {@code --inetd} without {@code --accept} passes the listening
 * socket on stdin and stdout and execs the daemon in its own place.
 */
class DaemonSocketActivationIT {
    @RegisterExtension
    final DaemonSandbox sandbox = DaemonSandbox.perTest();

    @BeforeEach
    void prepare() throws Exception {
        Files.createDirectory(sandbox.socket.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    @Test
    void servesTheListeningSocketPassedOnStandardInputAndLeavesItToTheServiceManager() throws Exception {
        ProcessBuilder builder = sandbox.builder(activated(true, "--idle-timeout", "2s"));
        Process activator = sandbox.start(builder);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(sandbox.socket, LinkOption.NOFOLLOW_LINKS));

        try (LatchkeyClient client = sandbox.client()) {
            assertEquals(activator.pid(), client.status().pid(), "the daemon was started in the activator's place, on the first connection");
        }
        assertTrue(Files.readString(builder.redirectError().file().toPath())
                .contains("serving on " + sandbox.socket + " (passed by the service manager)"));

        assertTrue(activator.waitFor(30, TimeUnit.SECONDS), "idle, the daemon exits and lets the service manager listen again");
        assertEquals(0, activator.exitValue());
        assertTrue(Files.exists(sandbox.socket, LinkOption.NOFOLLOW_LINKS), "the service manager's socket is left in place");
        String log = Files.readString(builder.redirectError().file().toPath());
        assertTrue(log.contains("no request for 2 s: stopping"), "its log still reaches the service manager's journal: " + log);
    }

    @Test
    void aSocketPassedOnlyAsFileDescriptorThreeIsRefusedWithTheFix() throws Exception {
        ProcessBuilder builder = sandbox.builder(activated(false));
        Process activator = sandbox.start(builder);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(sandbox.socket, LinkOption.NOFOLLOW_LINKS));

        try (SocketChannel first = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            first.connect(UnixDomainSocketAddress.of(sandbox.socket)); // activates the daemon
            assertTrue(activator.waitFor(30, TimeUnit.SECONDS));
        }

        assertEquals(4, activator.exitValue());
        assertTrue(Files.readString(builder.redirectError().file().toPath()).contains("add StandardInput=socket to the service unit"));
    }

    /** systemd-socket-activate listening on the sandbox's socket, then {@code latchkey daemon --foreground ARGS}. */
    private List<String> activated(boolean onStandardInput, String... args) {
        Path activate = RequiredComponent.executable("systemd-socket-activate", "to hand the daemon a listening socket as systemd does");
        List<String> command = new ArrayList<>(List.of(activate.toString(), "--listen=" + sandbox.socket));
        if (onStandardInput) {
            command.add("--inetd");
        }
        // Like systemd, it passes an environment of its own making: only what is named here.
        sandbox.env().forEach((name, value) -> {
            if (name.startsWith("XDG_") || name.equals("CARGO_HOME") || name.equals("PATH")) {
                command.add("--setenv=" + name + "=" + value);
            }
        });
        List<String> daemon = new ArrayList<>(List.of("daemon", "--foreground"));
        daemon.addAll(List.of(args));
        command.addAll(sandbox.latchkey(daemon.toArray(String[]::new)));
        return command;
    }
}
