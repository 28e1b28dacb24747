package dev.latchkey.daemon.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One real process run to completion with exactly the given environment: stdin written then
 * closed, stdout and stderr captured, the wall time measured. A process that outlives its limit
 * is killed with its descendants and the test fails instead of hanging.
 */
record CommandRun(List<String> command, Map<String, String> environment, Path directory, String stdin, Duration limit) {

    static CommandRun of(List<String> command, Map<String, String> environment, Path directory) {
        return new CommandRun(command, environment, directory, "", Duration.ofSeconds(60));
    }

    CommandRun withStdin(String text) {
        return new CommandRun(command, environment, directory, text, limit);
    }

    CommandRun withLimit(Duration newLimit) {
        return new CommandRun(command, environment, directory, stdin, newLimit);
    }

    Finished run() {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        long start = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // It may exit without reading stdin; its status and output say why.
        }
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                fail(command + " did not finish within " + limit + " and was killed; stderr so far:\n" + err.getNow(""));
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            return new Finished(command, process.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS),
                    elapsed);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while waiting for " + command, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the output of " + command, e);
        }
    }

    private static String readAll(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A finished process; its {@code toString} shows everything, for failure messages. */
    record Finished(List<String> command, int exitCode, String stdout, String stderr, Duration elapsed) {

        Finished assertExit(int expected) {
            assertEquals(expected, exitCode, () -> "unexpected exit status: " + this);
            return this;
        }

        @Override
        public String toString() {
            return command + " (exit " + exitCode + " after " + elapsed.toMillis() + " ms)\n--- stdout:\n" + stdout
                    + "\n--- stderr:\n" + stderr;
        }
    }
}
