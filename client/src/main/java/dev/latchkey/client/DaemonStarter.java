package dev.latchkey.client;

import dev.latchkey.protocol.TokenVariables;

import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/**
 * Starts the daemon by running {@code LAUNCHER daemon --socket PATH}, which detaches the daemon and
 * returns once it answers. Several clients may do this at once: each daemon but the first finds
 * the socket taken and exits, and every client then connects to the one that stayed.
 */
final class DaemonStarter {
    private final List<String> launcher;
    private final Duration timeout;

    DaemonStarter(List<String> launcher, Duration timeout) {
        this.launcher = List.copyOf(launcher);
        this.timeout = timeout;
    }

    Duration timeout() {
        return timeout;
    }

    /** Runs the launcher to its end; returns what it said on stderr, which is why a start failed. */
    String start(Path socket) throws IOException {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of("daemon", "--socket", socket.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        // The daemon outlives this process: a token in its environment would sit in /proc/PID/environ all that time.
        builder.environment().keySet().removeIf(TokenVariables::isTokenVariable);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IOException("cannot start the latchkey daemon with `" + String.join(" ", launcher)
                    + "`: " + e.getMessage() + "; put `latchkey` on PATH or name the launcher in the client's builder", e);
        }
        ScheduledFuture<?> deadline = Deadlines.after(timeout, process::destroyForcibly);
        try {
            // The daemon itself logs to its state directory; what comes here is why the start failed.
            String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            int status = process.waitFor();
            // Status 4 is also a rival's daemon already running, which is as good as our own.
            if (status != 0 && status != 4) {
                throw new IOException("`" + String.join(" ", command) + "` failed with status " + status
                        + (errors.isEmpty() ? "" : ": " + errors));
            }
            return errors;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new InterruptedIOException("interrupted while starting the latchkey daemon");
        } finally {
            deadline.cancel(false);
        }
    }
}
