package dev.latchkey.it;

import org.awaitility.Awaitility;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A D-Bus session bus and a gnome-keyring of the test's own, for what must not happen to the
 * session the suite runs in (stopping the keyring daemon, a keyring locked by another password):
 * {@code dbus-daemon} on a socket in a 0700 runtime directory, then {@code gnome-keyring-daemon
 * --unlock} with the password on stdin, as scripts/with-keyring does. {@link #close()} stops both.
 */
final class PrivateKeyring implements AutoCloseable {
    static final String SECRET_SERVICE = "org.freedesktop.secrets";

    private final Path runtime;
    private final Process bus;
    private final Map<String, String> environment;

    private PrivateKeyring(Path runtime, Process bus, Map<String, String> environment) {
        this.runtime = runtime;
        this.bus = bus;
        this.environment = Map.copyOf(environment);
    }

    /**
     * Starts a bus and a keyring whose keyrings live in {@code dataHome}: a fresh directory gets a
     * new login keyring unlocked with {@code password}; one that already has a login keyring made
     * with another password stays locked (gnome-keyring still exits 0).
     */
    static PrivateKeyring start(Path dataHome, String password) throws IOException {
        Path dbusDaemon = RequiredComponent.executable("dbus-daemon");
        RequiredComponent.executable("gnome-keyring-daemon");
        RequiredComponent.executable("dbus-send");
        Path runtime = Files.createTempDirectory("latchkey-it-bus",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("DBUS_SESSION_BUS_ADDRESS");
        // Before the bus starts: services it activates inherit its environment.
        env.put("XDG_RUNTIME_DIR", runtime.toString());
        env.put("XDG_DATA_HOME", dataHome.toString());
        ProcessBuilder busCommand = new ProcessBuilder(dbusDaemon.toString(), "--session", "--nofork", "--nopidfile",
                "--print-address=1", "--address=unix:path=" + runtime.resolve("bus"))
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        busCommand.environment().clear();
        busCommand.environment().putAll(env);
        Process bus = busCommand.start();
        String address = new BufferedReader(new InputStreamReader(bus.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (address == null) {
            bus.destroyForcibly();
            fail("dbus-daemon printed no address");
        }
        env.put("DBUS_SESSION_BUS_ADDRESS", address.trim());
        PrivateKeyring keyring = new PrivateKeyring(runtime, bus, env);
        try {
            keyring.keyringDaemon(password, "--unlock", "--components=secrets");
        } catch (IOException | RuntimeException | Error e) {
            keyring.close();
            throw e;
        }
        return keyring;
    }

    /** What a process needs to reach this bus and keyring (and nothing of the suite's session). */
    Map<String, String> environment() {
        return environment;
    }

    /** Private homes under {@code home} for latchkey and cargo (as {@link PrivateHomes}), on this bus. */
    Map<String, String> privateHomes(Path home) {
        Map<String, String> env = PrivateHomes.environment(home, home.resolve("cargo"));
        env.put("DBUS_SESSION_BUS_ADDRESS", environment.get("DBUS_SESSION_BUS_ADDRESS"));
        return env;
    }

    /**
     * Runs {@code gnome-keyring-daemon options...} on this bus with {@code password} on stdin, then
     * waits until a daemon owns the Secret Service name (it forks, so it returns before that).
     */
    void keyringDaemon(String password, String... options) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(RequiredComponent.executable("gnome-keyring-daemon").toString());
        command.addAll(List.of(options));
        run(command, password);
        Awaitility.await("gnome-keyring-daemon owns " + SECRET_SERVICE).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20)).until(() -> secretServicePid().isPresent());
    }

    private void run(List<String> command, String password) throws IOException {
        // Its forked daemon would hold captured pipes open: discard its output instead.
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process process = builder.start();
        try (var stdin = process.getOutputStream()) {
            stdin.write(password.getBytes(StandardCharsets.UTF_8));
        }
        try {
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), command + " did not return");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The pid of the process that owns the Secret Service name on this bus, if one does. */
    OptionalLong secretServicePid() {
        return secretServicePid(environment);
    }

    /** The pid of the process owning the Secret Service name on the bus {@code env} names, if one does. */
    static OptionalLong secretServicePid(Map<String, String> env) {
        ProcessRun.Result reply = ProcessRun.of(List.of("dbus-send", "--session", "--print-reply",
                        "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                        "org.freedesktop.DBus.GetConnectionUnixProcessID", "string:" + SECRET_SERVICE))
                .environment(env).timeout(Duration.ofSeconds(10)).run();
        if (reply.exitCode() != 0) {
            return OptionalLong.empty();
        }
        return reply.stdout().lines().map(String::trim).filter(l -> l.startsWith("uint32 "))
                .mapToLong(l -> Long.parseLong(l.substring("uint32 ".length()))).findFirst();
    }

    /** Sends {@code signal} (STOP, CONT) to the keyring daemon. */
    void signalKeyringDaemon(String signal) {
        long pid = secretServicePid().orElseThrow(() -> new AssertionError("no keyring daemon on the private bus"));
        ProcessRun.of(List.of("kill", "-" + signal, Long.toString(pid))).run().assertSuccess();
    }

    @Override
    public void close() throws IOException {
        secretServicePid().ifPresent(pid -> ProcessHandle.of(pid).ifPresent(daemon -> {
            ProcessRun.of(List.of("kill", "-CONT", Long.toString(pid))).run();
            daemon.destroy();
            daemon.onExit().orTimeout(10, TimeUnit.SECONDS).join();
        }));
        bus.destroy();
        try {
            bus.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> paths = Files.walk(runtime)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (UncheckedIOException e) {
            // A socket the daemon is still removing; the directory is in the temp dir anyway.
        }
    }
}
