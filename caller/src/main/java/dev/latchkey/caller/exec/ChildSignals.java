package dev.latchkey.caller.exec;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Passes the signals that ask a program to stop (SIGINT, SIGTERM, SIGHUP, SIGQUIT) on from this
 * JVM to a child, for as long as it is installed, but for a SIGINT or SIGQUIT that the terminal
 * sent the child too ({@link #sentByTheTerminal}); and names signals by number.
 *
 * <p>The JDK can send a child only SIGTERM and SIGKILL ({@code Process.destroy}), so the signal is
 * sent with {@code kill(2)} through JNA, which the daemon module already brings: one system call,
 * rather than starting a {@code kill} program (which may not be installed, and would be one more
 * process per signal). JNA is loaded when the first signal arrives, not before.
 *
 * <p>HotSpot keeps SIGQUIT for its thread dumps and refuses to let it be handled; a SIGQUIT the
 * user types (Ctrl-\) still reaches the child, which shares the terminal's process group, but one
 * sent to latchkey alone is not passed on. Installation skips any signal the JVM refuses. A
 * signal latchkey was started ignoring (under {@code nohup}) the JVM leaves ignored, so it is
 * neither passed on nor heard by the child, which inherits it ignored.
 */
final class ChildSignals implements AutoCloseable {
    static final List<String> FORWARDED = List.of("INT", "TERM", "HUP", "QUIT");
    /** The signals a terminal's keys send. */
    private static final List<String> TERMINAL_KEYS = List.of("INT", "QUIT");

    /** Names tried for {@link #name}: the numbers differ between systems, so they are asked of the JVM. */
    private static final List<String> KNOWN = List.of("HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
            "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "XCPU", "XFSZ", "VTALRM", "PROF",
            "IO", "PWR", "SYS", "EMT", "LOST");

    private final Map<Signal, SignalHandler> previous;

    private ChildSignals(Map<Signal, SignalHandler> previous) {
        this.previous = previous;
    }

    /**
     * Starts passing signals on to the child {@code target} will name; {@code commandName} and
     * {@code err} are for saying that a signal could not be passed on.
     */
    static ChildSignals install(Target target, String commandName, PrintStream err) {
        Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
        for (String name : FORWARDED) {
            Signal signal = new Signal(name);
            try {
                previous.put(signal, Signal.handle(signal, received -> send(target, received, commandName, err)));
            } catch (IllegalArgumentException reservedByTheJvm) {
                // SIGQUIT on HotSpot: see the class comment.
            }
        }
        return new ChildSignals(previous);
    }

    private static void send(Target target, Signal signal, String commandName, PrintStream err) {
        long pid = target.await();
        if (pid <= 0) {
            return; // never started, or exited: its pid may already be someone else's
        }
        try {
            if (TERMINAL_KEYS.contains(signal.getName()) && sentByTheTerminal(pid)) {
                return;
            }
            Kill.LIBC.kill((int) pid, signal.getNumber());
        } catch (LastErrorException e) {
            err.println("latchkey: could not pass SIG" + signal.getName() + " on to " + commandName
                    + ": kill failed with errno " + e.getErrorCode());
        } catch (LinkageError e) {
            err.println("latchkey: could not pass SIG" + signal.getName() + " on to " + commandName
                    + ": JNA cannot be loaded here (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * Whether the child has had the signal from the terminal already. Ctrl-C and Ctrl-\ send
     * SIGINT and SIGQUIT to the terminal's whole foreground process group: when latchkey is in it
     * and the child still shares latchkey's group, the child got the signal with latchkey, and a
     * second one passed on would read as "stop at once, skip the cleanup" to programs that take it
     * so. The price: one sent to latchkey alone ({@code kill -INT}) while it runs in the terminal's
     * foreground is not passed on. In the background, or with no terminal (CI), every one is.
     */
    private static boolean sentByTheTerminal(long pid) {
        int group = Kill.LIBC.getpgrp();
        try {
            if (Kill.LIBC.getpgid((int) pid) != group) {
                return false; // the child has a group of its own, which the terminal's keys do not reach
            }
        } catch (LastErrorException gone) {
            return false;
        }
        for (int fd = 0; fd <= 2; fd++) {
            try {
                if (Kill.LIBC.tcgetpgrp(fd) == group) {
                    return true;
                }
            } catch (LastErrorException notATerminal) {
                // ENOTTY: this one is not latchkey's terminal
            }
        }
        return false;
    }

    /**
     * The process signals go to. The handlers are installed before the child starts, so that a
     * signal in between is not the JVM's (which would end latchkey and leave the child running):
     * such a signal waits for the child's pid.
     */
    static final class Target {
        private static final long NOT_YET = 0;
        private static final long GONE = -1;
        private long pid = NOT_YET;

        synchronized void started(long childPid) {
            pid = childPid;
            notifyAll();
        }

        /** No more signals: the child has exited, or could not be started. */
        synchronized void gone() {
            pid = GONE;
            notifyAll();
        }

        private synchronized long await() {
            boolean interrupted = false;
            while (pid == NOT_YET) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return pid;
        }
    }

    /** Restores the handlers there were before. */
    @Override
    public void close() {
        previous.forEach(Signal::handle);
    }

    /** SIGNAME for a signal number, or null when it names none this JVM knows. */
    static String name(int number) {
        for (String name : KNOWN) {
            try {
                if (new Signal(name).getNumber() == number) {
                    return "SIG" + name.toUpperCase(Locale.ROOT);
                }
            } catch (IllegalArgumentException notOnThisSystem) {
                // EMT and LOST exist on some systems only.
            }
        }
        return null;
    }

    /** {@code kill(2)}, {@code getpgrp(2)}, {@code getpgid(2)} and {@code tcgetpgrp(3)}, exactly as declared in their headers. */
    interface LibC extends Library {
        int kill(int pid, int signal) throws LastErrorException;

        int getpgrp();

        int getpgid(int pid) throws LastErrorException;

        int tcgetpgrp(int fd) throws LastErrorException;
    }

    /** Loaded on first use. */
    private static final class Kill {
        static final LibC LIBC = Native.load("c", LibC.class);
    }
}
