package dev.latchkey.caller;

import dev.latchkey.client.LatchkeyClient;
import dev.latchkey.daemon.ownership.OwnerOnly;
import dev.latchkey.daemon.server.PeerProcess;
import dev.latchkey.daemon.server.SocketProbe;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.TokenVariables;
import dev.latchkey.protocol.socket.SocketDirectory;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Starts the daemon in the background: this program again, with {@code --foreground}, in a session
 * of its own (so a Ctrl-C meant for whoever started it does not reach it), with stdin and stdout on
 * {@code /dev/null} and stderr appended to {@code daemon.log} in the state directory (made 0600,
 * never through a link, in a directory only the user can write: see {@link OwnerOnly}). The caller
 * waits until the new daemon answers on its socket, so that when it returns the daemon is there;
 * or until it has exited, having found another daemon on the socket, so that none is left behind.
 */
public final class DaemonLauncher {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Path socket;
    private final Path logFile;
    private final Path workingDirectory;

    /** {@code workingDirectory}: where the daemon runs; the home directory, so that it holds no other one busy. */
    public DaemonLauncher(Path socket, Path logFile, Path workingDirectory) {
        this.socket = socket.toAbsolutePath();
        this.logFile = logFile;
        this.workingDirectory = workingDirectory;
    }

    /**
     * Starts the daemon with {@code options} (already absolute paths) and waits until it answers.
     *
     * @throws IOException when it is already running, or did not start; the message says why
     */
    public void start(List<String> options) throws IOException, InterruptedException {
        SocketDirectory.create(socket.getParent()); // refused here, on the terminal, rather than only in the log
        if (SocketProbe.answers(socket)) {
            throw new IOException("a latchkey daemon is already running on " + socket
                    + "; `latchkey daemon status` shows it, `latchkey daemon stop` stops it");
        }
        Process daemon = detached(command(options)).start();
        long giveUp = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!daemon.waitFor(20, TimeUnit.MILLISECONDS)) {
            if (servedBy(daemon.pid())) {
                return;
            }
            if (System.nanoTime() - giveUp > 0) {
                daemon.destroy();
                throw new IOException("the daemon did not answer on " + socket + " within " + START_TIMEOUT.toSeconds()
                        + " s and was stopped; see " + logFile);
            }
        }
        throw new IOException("the daemon exited at once (status " + daemon.exitValue() + "): " + lastLine(logFile)
                + "; the whole log is " + logFile);
    }

    /**
     * Starts the daemon with {@code options} through {@code launcher} (so with the daemon's JVM
     * flags) and returns at once, for a request that found no daemon and was served here: the
     * daemon is there for the next one. Nothing of it is waited for.
     */
    public void startInBackground(String launcher, List<String> options) throws IOException {
        List<String> command = new ArrayList<>();
        onPath("setsid").ifPresent(command::add);
        command.addAll(List.of(launcher, "daemon", "--foreground", "--socket", socket.toString()));
        command.addAll(options);
        detached(command).start();
    }

    /**
     * {@code command} run apart from whoever starts it: in the home directory, stdin and stdout on
     * {@code /dev/null}, stderr appended to the daemon's log.
     */
    private ProcessBuilder detached(List<String> command) throws IOException {
        OwnerOnly.directory(logFile.getParent());
        // Made and checked here, since the JDK opens a redirect's file by its name, with the umask's mode and
        // through any link; in a directory only the user can write, nobody else can put a link there meanwhile.
        OwnerOnly.append(logFile).close();
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workingDirectory.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        // The daemon never reads them (its env store sees none: they are its callers', not its own), and
        // a token there would sit in /proc/PID/environ for the daemon's whole life. The encrypted store's
        // passphrase variable stays: the daemon opens the store with it (docs/security.md).
        builder.environment().keySet().removeIf(TokenVariables::isTokenVariable);
        return builder;
    }

    /**
     * Whether the daemon answering on the socket is the one we started. Another may answer first
     * when several start at once; ours then exits, and we wait for that rather than leave it behind.
     */
    private boolean servedBy(long pid) {
        if (!SocketProbe.answers(socket)) {
            return false;
        }
        try (LatchkeyClient client = LatchkeyClient.overSocket(socket).startDaemon(false).build()) {
            return client.status().pid() == pid;
        } catch (CredentialException e) {
            return false;
        }
    }

    /**
     * This program as it runs now, JVM options included, asked to serve in the foreground. Those
     * options are the daemon's own: the launcher runs every {@code latchkey ... daemon} (the client
     * library's start of one included) with the daemon's flags, whatever options come before the
     * command (LauncherIT checks the started daemon's command line).
     */
    private List<String> command(List<String> options) {
        List<String> command = new ArrayList<>();
        onPath("setsid").ifPresent(command::add); // util-linux; elsewhere (macOS) the daemon shares the caller's session
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> jvmOptions = ManagementFactory.getRuntimeMXBean().getInputArguments();
        command.addAll(jvmOptions);
        if (!jvmOptions.contains(PeerProcess.JVM_OPTION)) {
            command.add(PeerProcess.JVM_OPTION); // so the audit log learns each client's pid
        }
        List<String> classPath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            classPath.add(Path.of(entry).toAbsolutePath().toString()); // the daemon runs in another directory
        }
        command.addAll(List.of("-cp", String.join(File.pathSeparator, classPath), Main.class.getName(),
                "daemon", "--foreground", "--socket", socket.toString()));
        command.addAll(options);
        return command;
    }

    private static Optional<String> onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate.toString());
            }
        }
        return Optional.empty();
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return lines.isEmpty() ? "(nothing logged)" : lines.get(lines.size() - 1).replaceFirst("^\\S+ latchkey daemon\\[\\d+\\]: ", "");
        } catch (IOException e) {
            return "(its log cannot be read: " + e.getMessage() + ")";
        }
    }
}
