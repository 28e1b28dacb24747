package dev.latchkey.daemon.server;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A thread of the daemon that dies of an Error ends the process with a line in its log; one ended
 * by an exception is logged and ends only itself. Real threads die here; the exit is recorded
 * instead of done (the process-level test, DaemonBackpressureIT, sees a real daemon exit).
 */
class FatalErrorsTest {
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final List<Integer> exits = new CopyOnWriteArrayList<>();
    private final FatalErrors handler = new FatalErrors(new DaemonLog(new PrintStream(logged, true, StandardCharsets.UTF_8)), exits::add);

    @Test
    void aThreadThatDiesOfAnErrorEndsTheDaemonWithALineInItsLog() throws Exception {
        die("latchkey-connections", new OutOfMemoryError("Java heap space"));

        assertEquals(List.of(4), exits, "the status of any other failure");
        String log = logged.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("thread latchkey-connections died of java.lang.OutOfMemoryError: exiting now"), log);
        assertFalse(log.contains("Java heap space"), "only the class is named: a message could quote a request");
    }

    @Test
    void aThreadEndedByAnExceptionIsLoggedAndTheDaemonGoesOn() throws Exception {
        die("latchkey-relay-1", new IllegalStateException("a message that could quote a token"));

        assertEquals(List.of(), exits);
        String log = logged.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("thread latchkey-relay-1 ended with java.lang.IllegalStateException"), log);
        assertFalse(log.contains("quote a token"), log);
    }

    private void die(String name, Throwable cause) throws InterruptedException {
        Thread thread = new Thread(() -> {
            if (cause instanceof Error error) {
                throw error;
            }
            throw (RuntimeException) cause;
        }, name);
        thread.setUncaughtExceptionHandler(handler);
        thread.start();
        thread.join();
    }
}
