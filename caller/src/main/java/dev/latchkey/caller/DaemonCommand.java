package dev.latchkey.caller;

import dev.latchkey.client.LatchkeyClient;
import dev.latchkey.daemon.config.Config;
import dev.latchkey.daemon.config.ConfigException;
import dev.latchkey.daemon.config.ConfigLoader;
import dev.latchkey.daemon.config.Durations;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.config.Locations;
import dev.latchkey.daemon.door.Arguments;
import dev.latchkey.daemon.door.ExitCodes;
import dev.latchkey.daemon.door.UsageException;
import dev.latchkey.daemon.door.cli.Table;
import dev.latchkey.daemon.server.Daemon;
import dev.latchkey.daemon.server.SocketClaim;
import dev.latchkey.daemon.service.Services;
import dev.latchkey.daemon.terminal.TerminalText;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Request;
import dev.latchkey.protocol.Response;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code latchkey daemon [--foreground] [--idle-timeout DURATION]}, {@code latchkey daemon stop},
 * {@code latchkey daemon status} (docs/daemon.md); the socket is the global {@code --socket}.
 */
final class DaemonCommand {
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    /** How long a daemon that has let go of its socket may take to exit before it counts as stopped all the same. */
    private static final Duration EXIT_AFTER_RELEASE = Duration.ofSeconds(2);
    private static final long STOP_POLL_MILLIS = 20;

    private final Environment env;
    private final Path config;
    private final Path socket;
    private final String version;
    private final OutputStream stdout;
    private final PrintStream stderr;

    /** {@code config}: the config file named on the command line or in the environment, or null. */
    DaemonCommand(Environment env, Path config, Path socket, String version, OutputStream stdout, PrintStream stderr) {
        this.env = env;
        this.config = config;
        this.socket = socket.toAbsolutePath();
        this.version = version;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    int run(Arguments args) throws UsageException, ConfigException, CredentialException, IOException, InterruptedException {
        boolean foreground = args.flag("--foreground");
        Optional<String> idleOption = args.option("--idle-timeout");
        Optional<String> action = args.optionalPositional();
        args.end();
        if (action.isPresent()) {
            if (foreground || idleOption.isPresent()) {
                throw new UsageException("--foreground and --idle-timeout go with `latchkey daemon` alone");
            }
            return switch (action.get()) {
                case "stop" -> stop();
                case "status" -> status();
                default -> throw new UsageException("unknown `daemon` command `" + action.get()
                        + "`; use `latchkey daemon`, `latchkey daemon stop` or `latchkey daemon status`");
            };
        }
        Config loaded = new ConfigLoader(env).load(config); // a broken config stops the start here, on the terminal
        Duration idleTimeout = loaded.idleTimeout();
        if (idleOption.isPresent()) {
            try {
                idleTimeout = Durations.parse(idleOption.get());
            } catch (IllegalArgumentException e) {
                throw new UsageException("--idle-timeout: " + e.getMessage());
            }
        }
        if (foreground) {
            new Daemon(Services.forDaemon(env, config, version), env, version, stderr).run(socket, idleTimeout);
            return ExitCodes.OK;
        }
        List<String> options = new ArrayList<>();
        idleOption.ifPresent(value -> options.addAll(List.of("--idle-timeout", value)));
        if (config != null) {
            options.addAll(List.of("--config", config.toAbsolutePath().toString()));
        }
        new DaemonLauncher(socket, new Locations(env).stateDirectory().resolve("daemon.log"), env.home()).start(options);
        return ExitCodes.OK;
    }

    private int status() throws CredentialException, IOException {
        Response.StatusReport status;
        try {
            status = askStatus();
        } catch (ConnectException e) {
            stderr.println("latchkey: " + TerminalText.lines(e.getMessage()));
            return ExitCodes.NOT_FOUND;
        }
        String text = "latchkey daemon " + status.version() + ": pid " + status.pid() + ", up " + uptime(status.uptimeSeconds())
                + ", on " + socket + "\n" + Table.storeStates(status.stores());
        stdout.write(text.getBytes(StandardCharsets.UTF_8));
        stdout.flush();
        return ExitCodes.OK;
    }

    /** SIGTERM to the daemon the socket leads to; it answers what it has received, removes its socket and exits. */
    private int stop() throws CredentialException, IOException, InterruptedException {
        long pid;
        try {
            pid = askStatus().pid();
        } catch (ConnectException e) {
            stderr.println("latchkey: no daemon is running on " + socket + "; nothing to stop");
            return ExitCodes.OK;
        }
        Optional<ProcessHandle> daemon = ProcessHandle.of(pid);
        if (daemon.isPresent()) {
            daemon.get().destroy();
            if (!awaitStopped(daemon.get())) {
                stderr.println("latchkey: the daemon (pid " + pid + ") did not stop within " + STOP_TIMEOUT.toSeconds()
                        + " s; `kill -9 " + pid + "` ends it");
                return ExitCodes.FAILURE;
            }
        }
        stderr.println("latchkey: stopped the daemon (pid " + pid + ")");
        return ExitCodes.OK;
    }

    /**
     * Whether the daemon stopped within {@link #STOP_TIMEOUT}: it exited; or it exited and the
     * parent that started it has not reaped it yet (a zombie, whose pid stays until a supervisor or
     * a harness waits for it: waiting for it to go would wait in vain); or it let go of its socket
     * ({@link SocketClaim}) and has not exited {@link #EXIT_AFTER_RELEASE} later, which is how a
     * zombie shows where there is no /proc to tell. Where /proc tells, only the exit counts: a
     * daemon slow to exit on a busy machine is not taken for a zombie.
     */
    private boolean awaitStopped(ProcessHandle daemon) throws InterruptedException {
        long giveUp = System.nanoTime() + STOP_TIMEOUT.toNanos();
        long releasedAt = 0;
        boolean released = false;
        boolean procTells = Files.isDirectory(Path.of("/proc/self"));
        while (daemon.isAlive() && !isZombie(daemon.pid())) {
            long now = System.nanoTime();
            if (!procTells && !released && !SocketClaim.isHeld(socket)) {
                released = true;
                releasedAt = now;
            }
            if (released && now - releasedAt >= EXIT_AFTER_RELEASE.toNanos()) {
                return true;
            }
            if (now - giveUp >= 0) {
                return false;
            }
            Thread.sleep(STOP_POLL_MILLIS);
        }
        return true;
    }

    /** Whether the process has exited and waits to be reaped: state Z in /proc/PID/stat (Linux); false where that cannot be read. */
    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int name = stat.lastIndexOf(')'); // the name, in parentheses, may hold anything
            return name > 0 && name + 2 < stat.length() && stat.charAt(name + 2) == 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    /** @throws ConnectException when no daemon runs on the socket */
    private Response.StatusReport askStatus() throws CredentialException, IOException {
        try (LatchkeyClient client = LatchkeyClient.overSocket(socket).startDaemon(false).callTimeout(Duration.ofSeconds(10)).build()) {
            Response response;
            try {
                response = client.exchange(new Request.Status(), List.of());
            } catch (ConnectException e) {
                throw e;
            } catch (IOException e) {
                throw new CredentialException.Unavailable("cannot ask the daemon: " + e.getMessage());
            }
            if (response instanceof Response.Failure failure) {
                throw CredentialException.from(failure);
            }
            return (Response.StatusReport) response;
        }
    }

    private static String uptime(long seconds) {
        return (seconds >= 3600 ? seconds / 3600 + "h " : "") + (seconds >= 60 ? seconds % 3600 / 60 + "m " : "") + seconds % 60 + "s";
    }
}
