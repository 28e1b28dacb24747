package dev.latchkey.daemon.server;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The daemon's log: one timestamped line per event on its stderr, which is the service manager's
 * journal in the foreground and {@code daemon.log} in the state directory when detached. It never
 * holds a token: only what happened to the daemon and who was turned away.
 */
public final class DaemonLog {
    private final PrintStream out;
    private final long pid = ProcessHandle.current().pid();

    public DaemonLog(PrintStream out) {
        this.out = out;
    }

    public void info(String message) {
        out.println(Instant.now().truncatedTo(ChronoUnit.SECONDS) + " latchkey daemon[" + pid + "]: " + message);
        out.flush();
    }
}
