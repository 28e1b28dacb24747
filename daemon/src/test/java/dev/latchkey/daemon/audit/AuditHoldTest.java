package dev.latchkey.daemon.audit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Audit lines held by the thread serving a batch of requests: written together, in order, before the batch's answers. */
class AuditHoldTest {
    @TempDir
    Path dir;

    @AfterEach
    void holdNoMore() {
        AuditHold.holdLinesOfThisThread(null);
    }

    @Test
    void heldLinesReachTheirFilesOnlyWhenTheHoldIsWrittenInOrderEachLogItsOwn() throws Exception {
        AuditLog one = new AuditLog(dir.resolve("one.log"));
        AuditLog two = new AuditLog(dir.resolve("two.log"));
        AuditHold hold = new AuditHold();
        AuditHold.holdLinesOfThisThread(hold);
        one.append(line(1));
        one.append(line(2));
        two.append(line(3));
        one.append(line(4));
        assertFalse(Files.exists(one.path()) && Files.size(one.path()) > 0, "nothing written while held");
        assertNull(hold.write());
        assertEquals(List.of(text(1), text(2), text(4)), Files.readAllLines(one.path()));
        assertEquals(List.of(text(3)), Files.readAllLines(two.path()));
        one.append(line(5));
        assertEquals(3, Files.readAllLines(one.path()).size(), "the hold stays open after a write");
        assertNull(hold.write());
        assertEquals(text(5), Files.readAllLines(one.path()).get(3));
    }

    @Test
    void onceTheHoldIsTakenOverLinesAddedToItAreWrittenByTheirOwnThread() throws Exception {
        AuditLog log = new AuditLog(dir.resolve("audit.log"));
        AuditHold hold = new AuditHold();
        AuditHold.holdLinesOfThisThread(hold);
        log.append(line(1));
        assertNull(hold.close(), "the lines held are written by the one taking it over");
        assertEquals(List.of(text(1)), Files.readAllLines(log.path()));
        log.append(line(2));
        assertEquals(List.of(text(1), text(2)), Files.readAllLines(log.path()), "written at once");
    }

    @Test
    void aFailedWriteIsToldAndTheNextLinesAreWrittenAtOnceSoThatTheirRequestsHearOfItUntilOneIsWritten() throws Exception {
        Path path = dir.resolve("audit.log");
        Files.createDirectories(path); // no file can be opened there
        AuditLog log = new AuditLog(path);
        AuditHold hold = new AuditHold();
        AuditHold.holdLinesOfThisThread(hold);
        log.append(line(1)); // held: not known to fail yet
        String problem = hold.write();
        assertTrue(problem != null && problem.contains("could not write the audit log " + path), problem);
        assertThrows(IOException.class, () -> log.append(line(2)), "the next line is written at once, and fails");
        Files.delete(path);
        log.append(line(3));
        assertEquals(List.of(text(3)), Files.readAllLines(path), "written at once, and it worked");
        log.append(line(4));
        assertEquals(1, Files.readAllLines(path).size(), "so lines are held again");
        assertNull(hold.write());
        assertEquals(List.of(text(3), text(4)), Files.readAllLines(path));
    }

    private static Map<String, Object> line(long n) {
        return Map.of("n", n);
    }

    private static String text(long n) {
        return "{\"n\":" + n + "}";
    }
}
