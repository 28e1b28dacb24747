package dev.latchkey.caller.scan;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How far a scan has got, on one line of a terminal that is rewritten in place: shown only once
 * the scan has taken a second (a quick scan prints nothing), at most ten times a second, and
 * cleared at the end so the findings start on a clean line.
 */
public final class ScanProgress {
    private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final String CLEAR_LINE = "\r\033[K";

    private final PrintStream terminal;
    private final LongSupplier clock;
    private final long started;
    private long lastShown;
    private boolean showing;
    private String phase = "";
    private int total;
    private int done;

    ScanProgress(PrintStream terminal, LongSupplier clock) {
        this.terminal = terminal;
        this.clock = clock;
        this.started = clock.getAsLong();
    }

    /** Progress on {@code err} when it is a terminal ({@code isTerminal}); else none. */
    public static ScanProgress to(PrintStream err, boolean isTerminal) {
        return new ScanProgress(isTerminal ? err : null, System::nanoTime);
    }

    /** No progress shown. */
    public static ScanProgress none() {
        return to(null, false);
    }

    void begin(String phase, int total) {
        this.phase = phase;
        this.total = total;
        this.done = 0;
        show();
    }

    void step() {
        done++;
        show();
    }

    void end() {
        if (showing) {
            terminal.print(CLEAR_LINE);
            terminal.flush();
            showing = false;
        }
    }

    private void show() {
        if (terminal == null) {
            return;
        }
        long now = clock.getAsLong();
        if (now - started < QUIET_NANOS || (showing && now - lastShown < INTERVAL_NANOS)) {
            return;
        }
        terminal.print(CLEAR_LINE + "latchkey: scanning " + phase + ": " + done + (total > 0 ? " of " + total : ""));
        terminal.flush();
        lastShown = now;
        showing = true;
    }
}
