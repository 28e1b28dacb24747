package dev.latchkey.caller.relay;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A started latchkey-relay process (or the program it became): its stdin written by the test as
 * the test likes, its stdout and stderr collected as they come.
 */
final class RelayProcess {
    /** What a finished process wrote and its status. */
    record Finished(int status, byte[] stdout, byte[] stderr) {
        String stdoutText() {
            return new String(stdout, java.nio.charset.StandardCharsets.UTF_8);
        }

        String stderrText() {
            return new String(stderr, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private final Process process;
    private final Collector stdout;
    private final Collector stderr;

    /** {@code stdoutRead}: false closes the reading end of its stdout at once, as a tool that went away would. */
    RelayProcess(ProcessBuilder builder, boolean stdoutRead) throws IOException {
        process = builder.start();
        if (stdoutRead) {
            stdout = new Collector(process.getInputStream());
        } else {
            process.getInputStream().close();
            stdout = null;
        }
        stderr = new Collector(process.getErrorStream());
    }

    long pid() {
        return process.pid();
    }

    void write(byte[] bytes) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write(bytes);
        in.flush();
    }

    /** Closes its stdin; a process that has exited already has closed its end, which is fine. */
    void closeStdin() {
        try {
            process.getOutputStream().close();
        } catch (IOException gone) {
            // The pipe's reader exited: there was nothing left to tell it.
        }
    }

    /** Waits until its stdout holds {@code length} bytes, and gives them. */
    byte[] awaitStdout(int length) throws InterruptedException {
        return stdout.await(length);
    }

    Finished finish() throws InterruptedException {
        closeStdin();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("latchkey-relay did not end within 30 s");
        }
        byte[] out = stdout == null ? new byte[0] : stdout.all();
        return new Finished(process.exitValue(), out, stderr.all());
    }

    void destroy() {
        process.destroyForcibly();
    }

    /** Reads a stream to its end on a thread of its own, so that neither pipe fills up. */
    private static final class Collector {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Thread thread;

        Collector(InputStream stream) {
            thread = new Thread(() -> {
                byte[] chunk = new byte[8192];
                try (stream) {
                    for (int n = stream.read(chunk); n >= 0; n = stream.read(chunk)) {
                        synchronized (bytes) {
                            bytes.write(chunk, 0, n);
                            bytes.notifyAll();
                        }
                    }
                } catch (IOException e) {
                    // The stream was closed under it: what came is what there is.
                }
            }, "relay-output");
            thread.setDaemon(true);
            thread.start();
        }

        byte[] await(int length) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            synchronized (bytes) {
                while (bytes.size() < length) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        fail("stdout holds " + bytes.size() + " bytes after 30 s, not " + length);
                    }
                    bytes.wait(left);
                }
                return Arrays.copyOf(bytes.toByteArray(), length);
            }
        }

        byte[] all() throws InterruptedException {
            thread.join(TimeUnit.SECONDS.toMillis(30));
            synchronized (bytes) {
                return bytes.toByteArray();
            }
        }
    }
}
