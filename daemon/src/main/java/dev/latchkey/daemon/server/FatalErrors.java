package dev.latchkey.daemon.server;

import dev.latchkey.daemon.door.ExitCodes;

import java.util.function.IntConsumer;

/**
 * What becomes of the daemon when one of its threads dies of what it did not catch. An
 * {@link Error} (the heap exhausted, a stack overflow) ends the daemon at once: a daemon whose
 * connection loop is gone would hold its socket and answer no one, every client waiting out its
 * timeout before serving itself. Once it has exited, its socket refuses connections, clients serve
 * themselves straight away, and the next daemon takes over the stale socket ({@link SocketClaim}).
 * The exit skips the shutdown hooks: they wait for connections that a dead thread will never answer.
 * An exception (a bug) ends only its thread, as it would without this.
 */
final class FatalErrors implements Thread.UncaughtExceptionHandler {
    private final DaemonLog log;
    private final IntConsumer exit;

    /** {@code exit}: ends the process with the status given, hooks or not. */
    FatalErrors(DaemonLog log, IntConsumer exit) {
        this.log = log;
        this.exit = exit;
    }

    /** For every thread of this process from now on. */
    static void install(DaemonLog log) {
        Thread.setDefaultUncaughtExceptionHandler(new FatalErrors(log, Runtime.getRuntime()::halt));
    }

    /** Only the class is named: a message could quote what a request held. */
    @Override
    public void uncaughtException(Thread thread, Throwable e) {
        if (!(e instanceof Error)) {
            log.info("thread " + thread.getName() + " ended with " + e.getClass().getName() + "; please report it");
            return;
        }
        try {
            log.info("thread " + thread.getName() + " died of " + e.getClass().getName() + ": exiting now, so that clients "
                    + "serve themselves rather than wait on a daemon that cannot answer; please report it");
        } catch (Throwable again) {
            // out of memory again, say: exit all the same
        } finally {
            exit.accept(ExitCodes.FAILURE);
        }
    }
}
