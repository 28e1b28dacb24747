package dev.latchkey.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code latchkey} program ({@code java -jar latchkey.jar ARGS}) as a child process, in
 * a private home: XDG_DATA_HOME, XDG_CONFIG_HOME, XDG_STATE_HOME, CARGO_HOME and HOME all point
 * into one temporary directory, so no test touches the user's tokens or cargo's files.
 *
 * <p>stdout is read line by line on its own thread, stderr collected on another, so a test can
 * write all its requests before reading any answer without either pipe filling up. Every wait
 * has a timeout and fails the test when it runs out.
 */
final class LatchkeyProcess implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final OutputStream stdin;
    /** stdout's lines as they arrive; an empty one marks the end of stdout. */
    private final BlockingQueue<Optional<String>> lines = new LinkedBlockingQueue<>();
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final Thread stdoutReader;
    private final Thread stderrReader;

    private LatchkeyProcess(Process process) {
        this.process = process;
        this.stdin = process.getOutputStream();
        this.stdoutReader = pump("latchkey stdout", process.getInputStream(), stdout, true);
        this.stderrReader = pump("latchkey stderr", process.getErrorStream(), stderr, false);
    }

    /** The jar the build made, passed in by failsafe as {@code latchkey.jar}. */
    static Path jar() {
        String property = System.getProperty("latchkey.jar");
        if (property == null) {
            throw new IllegalStateException("system property latchkey.jar is not set: run through `./mvnw verify`");
        }
        Path jar = Path.of(property);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: `./mvnw package` builds it");
        }
        return jar;
    }

    /** The command line that runs the packaged jar with this JVM's java, JVM options first. */
    static List<String> command(List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(List.of(args));
        return command;
    }

    /** Starts {@code latchkey ARGS} with its files under {@code home}. */
    static LatchkeyProcess start(Path home, String... args) {
        return start(home, Map.of(), args);
    }

    /** Starts {@code latchkey ARGS} with its files under {@code home} and {@code extraEnv} added. */
    static LatchkeyProcess start(Path home, Map<String, String> extraEnv, String... args) {
        return start(home, extraEnv, List.of(), args);
    }

    /**
     * The JVM options {@code scripts/latchkey} gives every command but the daemon: a process that
     * serves a few requests and exits starts faster with them. For tests that start hundreds.
     */
    static final List<String> SHORT_LIVED = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
            "-Xshare:auto");

    /** Starts {@code latchkey ARGS} with {@code jvmOptions}, its files under {@code home} and {@code extraEnv} added. */
    static LatchkeyProcess start(Path home, Map<String, String> extraEnv, List<String> jvmOptions, String... args) {
        // The JDK takes user.home from the password database, not $HOME: keep that private too.
        List<String> options = new ArrayList<>(jvmOptions);
        options.add("-Duser.home=" + home);
        List<String> command = command(options, args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile());
        Map<String, String> env = builder.environment();
        // Nothing of this machine's latchkey, cargo or XDG setup may leak into the test.
        env.clear();
        env.putAll(PrivateHomes.environment(home, home.resolve("cargo")));
        env.put("HOME", home.toString());
        env.putAll(extraEnv);
        try {
            return new LatchkeyProcess(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + command, e);
        }
    }

    /** Runs {@code latchkey ARGS} to completion with {@code input} on stdin. */
    static Finished run(Path home, String input, String... args) {
        try (LatchkeyProcess latchkey = start(home, args)) {
            latchkey.write(input.getBytes(StandardCharsets.UTF_8));
            latchkey.closeStdin();
            int status = latchkey.awaitExit();
            return new Finished(status, latchkey.stdout(), latchkey.stderr());
        }
    }

    /** What a finished run printed, and its exit status. */
    record Finished(int status, String stdout, String stderr) {
    }

    /** latchkey's token file (the {@code file} store) in {@code home}. */
    static Path tokenFile(Path home) {
        return PrivateHomes.tokenFile(home);
    }

    /** latchkey's config file in {@code home}. */
    static Path configFile(Path home) {
        return home.resolve("xdg/config/latchkey/config.toml");
    }

    long pid() {
        return process.pid();
    }

    /** Writes each line with a {@code \n} and flushes. */
    void send(String... requestLines) {
        for (String line : requestLines) {
            write((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Writes raw bytes (terminators included) and flushes. */
    void write(byte[] bytes) {
        try {
            stdin.write(bytes);
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("latchkey stopped reading its stdin; stderr: " + stderr(), e);
        }
    }

    void closeStdin() {
        try {
            stdin.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next line on stdout, without its {@code \n}; fails on timeout or when stdout ended. */
    String readLine() {
        Optional<String> line;
        try {
            line = lines.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for latchkey", e);
        }
        if (line == null) {
            throw new AssertionError("no line from latchkey within " + TIMEOUT + "; stderr: " + stderr());
        }
        if (line.isEmpty()) {
            lines.add(line);
            throw new AssertionError("latchkey's stdout ended; stderr: " + stderr());
        }
        return line.get();
    }

    /** Waits for the process to exit (stdin closed by the caller) and for its output to be read. */
    int awaitExit() {
        try {
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("latchkey did not exit within " + TIMEOUT + "; stderr: " + stderr());
            }
            stdoutReader.join(TIMEOUT.toMillis());
            stderrReader.join(TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for latchkey", e);
        }
        return process.exitValue();
    }

    /** The stdout lines not yet read; only complete once the process has exited. */
    List<String> unreadLines() {
        List<Optional<String>> rest = new ArrayList<>();
        lines.drainTo(rest);
        return rest.stream().flatMap(Optional::stream).toList();
    }

    /** Everything written to stdout so far, read or not. */
    String stdout() {
        synchronized (stdout) {
            return stdout.toString(StandardCharsets.UTF_8);
        }
    }

    /** Everything written to stderr so far. */
    String stderr() {
        synchronized (stderr) {
            return stderr.toString(StandardCharsets.UTF_8);
        }
    }

    /**
     * SIGKILL, as a crash, the OOM killer or a power cut to the process would end it; returns once
     * it is gone and its output is read to the end, so {@link #unreadLines()} holds every line it
     * wrote before it died.
     */
    void kill() {
        // Through the handle: Process.destroyForcibly also closes our end of its stdout, and what
        // it wrote there but we had not read yet would be lost.
        process.toHandle().destroyForcibly(); // SIGKILL on Unix
        awaitEnd();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        awaitEnd();
    }

    private void awaitEnd() {
        try {
            process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            stdoutReader.join(TIMEOUT.toMillis());
            stderrReader.join(TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Copies {@code in} into {@code sink}; with {@code splitLines}, also queues each complete line. */
    private Thread pump(String name, InputStream in, ByteArrayOutputStream sink, boolean splitLines) {
        Thread thread = new Thread(() -> {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (sink) {
                        sink.write(buffer, 0, n);
                    }
                    for (int i = 0; splitLines && i < n; i++) {
                        if (buffer[i] == '\n') {
                            lines.add(Optional.of(line.toString(StandardCharsets.UTF_8)));
                            line.reset();
                        } else {
                            line.write(buffer[i]);
                        }
                    }
                }
            } catch (IOException e) {
                // the process went away; what was read so far is what the test gets
            }
            if (splitLines) {
                if (line.size() > 0) {
                    lines.add(Optional.of(line.toString(StandardCharsets.UTF_8))); // a last line without \n
                }
                lines.add(Optional.empty());
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
