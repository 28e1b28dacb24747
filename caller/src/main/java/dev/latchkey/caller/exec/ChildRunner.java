package dev.latchkey.caller.exec;

import dev.latchkey.caller.secrets.SecretMatcher;
import dev.latchkey.daemon.terminal.TerminalText;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a command the way {@code latchkey exec} does: with exactly the environment it is given
 * (the tokens go there and nowhere else: not on its command line, not into latchkey's own
 * environment), its input inherited, and its output either passed through a {@link
 * MaskingOutputStream} per stream or inherited as it is; the signals that ask a program to stop
 * are passed on to it ({@link ChildSignals}). Its exit status is the child's; a child killed by a
 * signal is reported on stderr and gets 128 + the signal's number, as from a shell.
 */
public final class ChildRunner {
    /**
     * How long output may still come after the child has exited: a process it left running in the
     * background may hold its stdout open for ever, and latchkey must not wait for that.
     */
    private static final long DRAIN_AFTER_EXIT_MILLIS = 1000;
    private static final Pattern START_FAILURE = Pattern.compile("error=(\\d+), (.*)");
    private static final int ENOENT = 2;

    private final SecretMatcher secrets;
    private final OutputStream stdout;
    private final OutputStream stderr;

    ChildRunner(SecretMatcher secrets, OutputStream stdout, OutputStream stderr) {
        this.secrets = secrets;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * A runner that masks {@code secrets} in the child's stdout and stderr on their way to this
     * process's own. Those are written unbuffered, straight to file descriptors 1 and 2 (not
     * through {@code System.out}, which would swallow the error of a reader that has gone away and
     * keep the child writing into nothing). {@code secrets} stays the caller's, to close (wiping
     * the tokens) once {@link #run} has returned.
     */
    public static ChildRunner masking(SecretMatcher secrets) {
        return new ChildRunner(secrets, new FileOutputStream(FileDescriptor.out), new FileOutputStream(FileDescriptor.err));
    }

    /** A runner whose child writes straight to this process's stdout and stderr ({@code --no-mask}). */
    public static ChildRunner unmasked() {
        return new ChildRunner(null, null, new FileOutputStream(FileDescriptor.err));
    }

    /**
     * Runs {@code command} with {@code environment} as its whole environment, and returns its exit
     * status. A command that cannot be started is reported on stderr and gets 127 when it is not
     * found, else 126, as from a shell.
     *
     * @throws IllegalArgumentException for an empty command or an environment variable no process
     *         can have (a NUL, or {@code =} in a name); the message names the variable, never its value
     */
    public int run(List<String> command, Map<String, String> environment) throws IOException, InterruptedException {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("no command to run");
        }
        checkEnvironment(environment);
        String commandName = TerminalText.line(command.get(0));
        PrintStream err = new PrintStream(stderr, true, StandardCharsets.UTF_8);
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT);
        builder.environment().clear();
        builder.environment().putAll(environment);
        if (secrets == null) {
            builder.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
        }

        ChildSignals.Target target = new ChildSignals.Target();
        ChildSignals signals = ChildSignals.install(target, commandName, err);
        try {
            Process child;
            try {
                child = builder.start();
            } catch (IOException e) {
                target.gone();
                return cannotStart(commandName, e, err);
            }
            target.started(child.pid());
            Pump out = null;
            Pump errors = null;
            if (secrets != null) {
                out = Pump.start("stdout", child.getInputStream(), new MaskingOutputStream(stdout, secrets));
                errors = Pump.start("stderr", child.getErrorStream(), new MaskingOutputStream(stderr, secrets));
            }
            int status = waitUninterrupted(child, target);
            if (out != null) {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_AFTER_EXIT_MILLIS);
                out.finish(deadline);
                errors.finish(deadline);
            }
            return reportSignal(status, commandName, err);
        } finally {
            signals.close();
        }
    }

    /**
     * Waits for the child. An interrupt of this thread is passed on as SIGTERM, and the wait goes
     * on: latchkey ends when its child has, so that nothing runs on with the tokens unseen.
     */
    private static int waitUninterrupted(Process child, ChildSignals.Target target) throws InterruptedException {
        boolean interrupted = false;
        while (true) {
            try {
                int status = child.waitFor();
                target.gone();
                if (interrupted) {
                    throw new InterruptedException("interrupted while " + child.pid() + " ran; it was sent SIGTERM");
                }
                return status;
            } catch (InterruptedException e) {
                interrupted = true;
                child.destroy();
            }
        }
    }

    private static int reportSignal(int status, String commandName, PrintStream err) {
        // The JDK reports a child killed by signal N as 128 + N (as shells do), which a child that
        // exits with that status on its own cannot be told from; both are reported as killed.
        // SIGPIPE is how a command ends whose reader has quit (`latchkey exec -- cargo tree | head`):
        // not worth a word, as shells agree.
        if (status > 128) {
            String signal = ChildSignals.name(status - 128);
            if (signal != null && !signal.equals("SIGPIPE")) {
                err.println("latchkey: " + commandName + " was killed by " + signal);
            }
        }
        return status;
    }

    private static int cannotStart(String commandName, IOException e, PrintStream err) {
        // The JDK's message is "Cannot run program "NAME": error=N, REASON"; the reason is the part to show.
        Matcher reason = START_FAILURE.matcher(String.valueOf(e.getMessage()));
        boolean parsed = reason.find();
        boolean notFound = parsed && Integer.parseInt(reason.group(1)) == ENOENT;
        err.println("latchkey: cannot run " + commandName + ": "
                + (parsed ? TerminalText.line(reason.group(2)) : "it could not be started"));
        return notFound ? 127 : 126;
    }

    private static void checkEnvironment(Map<String, String> environment) {
        environment.forEach((name, value) -> {
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("the environment variable `" + TerminalText.line(name)
                        + "` cannot be passed on: a name must be non-empty, without `=` or NUL");
            }
            if (value.indexOf('\0') >= 0) {
                // Checked here because the JDK's own check quotes the value, which may be a token.
                throw new IllegalArgumentException("the value of the environment variable `" + TerminalText.line(name)
                        + "` holds a NUL character, which no environment can hold");
            }
        });
    }

    /** Copies one of the child's streams through its mask, on a thread of its own so neither stream can block the other. */
    private static final class Pump implements Runnable {
        private final InputStream from;
        private final MaskingOutputStream to;
        private final Thread thread;

        private Pump(String name, InputStream from, MaskingOutputStream to) {
            this.from = from;
            this.to = to;
            this.thread = new Thread(this, "latchkey-exec-" + name);
            thread.setDaemon(true);
        }

        static Pump start(String name, InputStream from, MaskingOutputStream to) {
            Pump pump = new Pump(name, from, to);
            pump.thread.start();
            return pump;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try (from) {
                int count;
                while ((count = from.read(buffer)) >= 0) {
                    to.write(buffer, 0, count);
                }
            } catch (IOException e) {
                // Our own stdout or stderr is gone (a reader that quit): closing the child's end
                // lets its next write fail too, as it would have without latchkey in between.
            } finally {
                Arrays.fill(buffer, (byte) 0);
                flushQuietly();
            }
        }

        /**
         * Waits for the child's end of the stream to close, until {@code deadline}, then passes on
         * what is held. Whatever comes later (from a process the child left running) is dropped:
         * the secrets it would be masked with are wiped once {@link #run} returns.
         */
        void finish(long deadline) throws InterruptedException {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
            flushQuietly();
            to.abandon();
        }

        private void flushQuietly() {
            try {
                to.flush();
            } catch (IOException e) {
                // Nowhere to write to any more.
            }
        }
    }
}
