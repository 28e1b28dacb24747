package dev.latchkey.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs one real process to completion: a given environment and working directory, stdin given
 * (or closed at once), stdout and stderr captured. A process that outlives its timeout is killed
 * with everything it started, and the test fails instead of hanging.
 */
final class ProcessRun {
    private final List<String> command;
    private Map<String, String> environment = System.getenv();
    private Path directory;
    private byte[] stdin = new byte[0];
    private Duration timeout = Duration.ofSeconds(120);

    private ProcessRun(List<String> command) {
        this.command = List.copyOf(command);
    }

    static ProcessRun of(List<String> command) {
        return new ProcessRun(command);
    }

    /** The whole environment of the process (nothing is inherited beyond it). */
    ProcessRun environment(Map<String, String> variables) {
        this.environment = Map.copyOf(variables);
        return this;
    }

    ProcessRun in(Path workingDirectory) {
        this.directory = workingDirectory;
        return this;
    }

    /** What the process reads on stdin, which is closed after it; without this, stdin is closed at once. */
    ProcessRun stdin(String text) {
        this.stdin = text.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    ProcessRun timeout(Duration limit) {
        this.timeout = limit;
        return this;
    }

    Result run() {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(environment);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + command, e);
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin);
        } catch (IOException e) {
            // The process may exit without reading its input; its exit status and output tell why.
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                fail(command + " did not finish within " + timeout + " and was killed\n--- stdout:\n" + out.getNow("")
                        + "\n--- stderr:\n" + err.getNow(""));
            }
            // A leftover grandchild could hold the pipes open after the process exits: bound that wait too.
            return new Result(command, process.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while waiting for " + command, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not read the output of " + command, e);
        }
    }

    private static String readAll(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A finished process. {@link #toString()} shows the command, status and both streams, for failure messages. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {

        /** Fails, showing both streams, unless the process exited with {@code expected}. */
        Result assertExit(int expected) {
            assertEquals(expected, exitCode, () -> "unexpected exit status of " + this);
            return this;
        }

        Result assertSuccess() {
            return assertExit(0);
        }

        @Override
        public String toString() {
            return command + " (exit " + exitCode + ")\n--- stdout:\n" + stdout + "\n--- stderr:\n" + stderr;
        }
    }

    /** The current environment without the variables whose names start with any of {@code prefixes}. */
    static Map<String, String> inheritedEnvironmentWithout(List<String> prefixes) {
        Map<String, String> result = new LinkedHashMap<>();
        System.getenv().forEach((name, value) -> {
            if (prefixes.stream().noneMatch(name::startsWith)) {
                result.put(name, value);
            }
        });
        return result;
    }
}
