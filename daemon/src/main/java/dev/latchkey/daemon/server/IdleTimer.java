package dev.latchkey.daemon.server;

import dev.latchkey.daemon.door.latchkey.RequestHandler;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stops the daemon once no request has come or been in flight for {@code daemon.idle-timeout}.
 * It looks only when the timeout could have run out, so a busy daemon pays one counter per request.
 */
final class IdleTimer {
    private final long timeoutNanos;
    private Runnable onIdle;
    private final AtomicInteger busy = new AtomicInteger();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "latchkey-idle-timer");
        thread.setDaemon(true);
        return thread;
    });
    private volatile long lastActive = System.nanoTime();

    /** {@code timeout} zero: never idle. */
    IdleTimer(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    /** Starts watching; {@code onIdle} runs once, when the daemon has been idle for the timeout. */
    void start(Runnable onIdle) {
        this.onIdle = onIdle;
        if (timeoutNanos > 0) {
            timer.schedule(this::check, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** {@code handler}, with each request it serves counted as activity. */
    RequestHandler track(RequestHandler handler) {
        return (line, batch) -> {
            begin();
            try {
                return handler.handle(line, batch);
            } finally {
                end();
            }
        };
    }

    /** Something is being served: the daemon is not idle until it {@link #end}s. */
    void begin() {
        busy.incrementAndGet();
    }

    void end() {
        lastActive = System.nanoTime();
        busy.decrementAndGet();
    }

    private void check() {
        long idleFor = System.nanoTime() - lastActive;
        if (busy.get() == 0 && idleFor >= timeoutNanos) {
            onIdle.run();
            return;
        }
        timer.schedule(this::check, busy.get() > 0 ? timeoutNanos : timeoutNanos - idleFor, TimeUnit.NANOSECONDS);
    }
}
