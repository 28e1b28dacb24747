package dev.latchkey.daemon.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The audit lines of a batch of requests, held back while the batch is served and written
 * together before any of its answers is sent: the daemon's socket loop answers many
 * requests per wake-up, and a {@code write} per line was the largest of a get's syscalls after
 * the socket's own. A line is still written before its answer leaves, and the held lines of one
 * log land whole, in order, with one {@code write}.
 *
 * <p>Another thread may take the batch over ({@link #close()}): the loop's next thread, when the
 * one that served it is kept by a slow request. Lines added after that are written at once by the
 * thread that has them, as they are without a batch (so the slow request's line may land before
 * lines held earlier, if it ends before they are written).
 */
public final class AuditBatch {
    private record Held(AuditLog log, byte[] line) {
    }

    private final List<Held> held = new ArrayList<>();
    private boolean closed; // guarded by this

    /** Holds {@code line} of {@code log}; false once closed, when the caller writes it itself. */
    synchronized boolean add(AuditLog log, byte[] line) {
        if (closed) {
            return false;
        }
        held.add(new Held(log, line));
        return true;
    }

    /**
     * Writes the lines held, one {@code write} for each run of lines of the same log; the batch
     * stays open. What went wrong, for the daemon's log, or null: the log then writes its next
     * lines at once, so that the requests that make them hear of it ({@link AuditLog#append}).
     */
    public String write() {
        List<Held> taken;
        synchronized (this) {
            if (held.isEmpty()) {
                return null;
            }
            taken = List.copyOf(held);
            held.clear();
        }
        String problem = null;
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        for (int i = 0; i < taken.size(); i++) {
            AuditLog log = taken.get(i).log();
            lines.writeBytes(taken.get(i).line());
            if (i + 1 == taken.size() || taken.get(i + 1).log() != log) {
                try {
                    log.write(lines.toByteArray());
                } catch (IOException e) {
                    problem = log.failed(e);
                } catch (RuntimeException e) {
                    // a bug: the other logs' lines are still written, and the loop goes on
                    problem = log.failed(new IOException(e.getClass().getName(), e));
                }
                lines.reset();
            }
        }
        return problem;
    }

    /** Takes the batch over: writes what it holds, and every line added later is written by its own thread. */
    public String close() {
        synchronized (this) {
            closed = true;
        }
        return write();
    }
}
