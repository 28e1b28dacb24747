package dev.latchkey.daemon.audit;

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

/** Audit lines held in the batch of requests they belong to: written together, in order, before the batch's answers. */
class AuditBatchTest {
    @TempDir
    Path dir;

    @Test
    void heldLinesReachTheirFilesOnlyWhenTheBatchIsWrittenInOrderEachLogItsOwn() throws Exception {
        AuditLog one = new AuditLog(dir.resolve("one.log"));
        AuditLog two = new AuditLog(dir.resolve("two.log"));
        AuditBatch batch = new AuditBatch();
        one.append(line(1), batch);
        one.append(line(2), batch);
        two.append(line(3), batch);
        one.append(line(4), batch);
        assertFalse(Files.exists(one.path()) && Files.size(one.path()) > 0, "nothing written while held");
        assertNull(batch.write());
        assertEquals(List.of(text(1), text(2), text(4)), Files.readAllLines(one.path()));
        assertEquals(List.of(text(3)), Files.readAllLines(two.path()));
        one.append(line(5), batch);
        assertEquals(3, Files.readAllLines(one.path()).size(), "the batch stays open after a write");
        assertNull(batch.write());
        assertEquals(text(5), Files.readAllLines(one.path()).get(3));
    }

    @Test
    void onceTheBatchIsTakenOverLinesAddedToItAreWrittenByTheirOwnThread() throws Exception {
        AuditLog log = new AuditLog(dir.resolve("audit.log"));
        AuditBatch batch = new AuditBatch();
        log.append(line(1), batch);
        assertNull(batch.close(), "the lines held are written by the one taking it over");
        assertEquals(List.of(text(1)), Files.readAllLines(log.path()));
        log.append(line(2), batch);
        assertEquals(List.of(text(1), text(2)), Files.readAllLines(log.path()), "written at once");
    }

    @Test
    void aFailedWriteIsToldAndTheNextLinesAreWrittenAtOnceSoThatTheirRequestsHearOfItUntilOneIsWritten() throws Exception {
        Path path = dir.resolve("audit.log");
        Files.createDirectories(path); // no file can be opened there
        AuditLog log = new AuditLog(path);
        AuditBatch batch = new AuditBatch();
        log.append(line(1), batch); // held: not known to fail yet
        String problem = batch.write();
        assertTrue(problem != null && problem.contains("could not write the audit log " + path), problem);
        assertThrows(IOException.class, () -> log.append(line(2), batch), "the next line is written at once, and fails");
        Files.delete(path);
        log.append(line(3), batch);
        assertEquals(List.of(text(3)), Files.readAllLines(path), "written at once, and it worked");
        log.append(line(4), batch);
        assertEquals(1, Files.readAllLines(path).size(), "so lines are held again");
        assertNull(batch.write());
        assertEquals(List.of(text(3), text(4)), Files.readAllLines(path));
    }

    private static Map<String, Object> line(long n) {
        return Map.of("n", n);
    }

    private static String text(long n) {
        return "{\"n\":" + n + "}";
    }
}
