package dev.latchkey.daemon.door;

import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.terminal.TerminalText;

import java.io.PrintStream;

/**
 * What {@code -v} and {@code LATCHKEY_LOG} ask for (docs/daemon.md): lines on stderr saying what latchkey
 * decided and why (who served a request, with which config, what came of it, why the daemon was
 * not asked), each starting with {@link #PREFIX}. They name registries, stores, files and error
 * kinds, never a token, a request's arguments or an exception's message, any of which could hold
 * one. Off, it prints nothing and costs one test of a field.
 */
public final class VerboseLog {
    /** How every line starts; a constant, so the relay can write it without loading this class. */
    public static final String PREFIX = "latchkey: verbose: ";
    public static final VerboseLog OFF = new VerboseLog(null);

    private final PrintStream out;

    private VerboseLog(PrintStream out) {
        this.out = out;
    }

    /** The variable that turns it on, for a whole process tree (cargo passes no {@code -v} to its provider). */
    public static final String VARIABLE = "LATCHKEY_LOG";

    /** On with the {@code -v} flag, or with {@code LATCHKEY_LOG} set to anything but empty or {@code 0}. */
    public static boolean requested(boolean flag, Environment env) {
        return flag || env.enabled(VARIABLE);
    }

    /** Lines on {@code stderr} when {@code on}; else {@link #OFF}. */
    public static VerboseLog to(PrintStream stderr, boolean on) {
        return on ? new VerboseLog(stderr) : OFF;
    }

    public boolean on() {
        return out != null;
    }

    /** One line; callers build {@code message} only when {@link #on()}. */
    public void say(String message) {
        if (out != null) {
            out.println(PREFIX.concat(TerminalText.lines(message)));
        }
    }
}
