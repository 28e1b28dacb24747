package dev.latchkey.client;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs an action when a deadline passes unless it is cancelled first, or a check at a fixed
 * period: how every timeout of this library is kept. Blocking calls on sockets and pipes cannot time out by themselves, so the
 * action is what ends them (closing the channel, killing the process).
 */
final class Deadlines {
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private Deadlines() {
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "latchkey-client-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        // Most deadlines are cancelled long before they pass: don't keep them queued until then.
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /** Runs {@code check} every {@code period}, for as long as this library is loaded. */
    static void every(Duration period, Runnable check) {
        TIMER.scheduleWithFixedDelay(check, period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
    }

    static ScheduledFuture<?> after(Duration timeout, Runnable action) {
        return TIMER.schedule(action, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
