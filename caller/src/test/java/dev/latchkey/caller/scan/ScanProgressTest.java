package dev.latchkey.caller.scan;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Progress against a clock the test moves. */
class ScanProgressTest {
    private final AtomicLong now = new AtomicLong(TimeUnit.SECONDS.toNanos(1000));
    private final ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    private final ScanProgress progress = new ScanProgress(new PrintStream(terminal, true, StandardCharsets.UTF_8), now::get);

    @Test
    void aScanUnderASecondShowsNothing() {
        progress.begin("files", 10);
        for (int i = 0; i < 10; i++) {
            advance(90);
            progress.step();
        }
        progress.end();
        assertEquals("", shown());
    }

    @Test
    void aLongerScanShowsItsProgressOnOneLineAtMostTenTimesASecondAndClearsIt() {
        progress.begin("files", 10);
        advance(1100);
        progress.step();
        assertEquals("\r\033[Klatchkey: scanning files: 1 of 10", shown());
        advance(50);
        progress.step();
        assertEquals("\r\033[Klatchkey: scanning files: 1 of 10", shown(), "not again within 100 ms");
        advance(60);
        progress.step();
        progress.begin("history", 0);
        advance(100);
        progress.step();
        progress.end();
        assertEquals("\r\033[Klatchkey: scanning files: 1 of 10\r\033[Klatchkey: scanning files: 3 of 10"
                + "\r\033[Klatchkey: scanning history: 1\r\033[K", shown());
    }

    @Test
    void showsNothingWhereThereIsNoTerminal() {
        ScanProgress quiet = new ScanProgress(null, now::get);
        quiet.begin("files", 10);
        advance(5000);
        quiet.step();
        quiet.end();
        assertEquals("", shown());
    }

    private void advance(long millis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    private String shown() {
        return terminal.toString(StandardCharsets.UTF_8);
    }
}
