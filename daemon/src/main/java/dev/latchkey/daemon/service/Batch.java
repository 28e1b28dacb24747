package dev.latchkey.daemon.service;

import dev.latchkey.daemon.audit.AuditBatch;
import dev.latchkey.daemon.store.Arrival;

/**
 * What the requests a transport read together carry down to the service: when they were read
 * (how fresh a look at a file must be), and the batch their audit lines are held in until it is
 * written, before any of their answers is sent (null: each line is written at once).
 */
public record Batch(Arrival arrival, AuditBatch audit) {
    /** A request read and answered by itself: files looked at anew, its audit line written at once. */
    public static final Batch ALONE = new Batch(Arrival.NOW, null);

    /** The requests read at {@code readAt} ({@link System#nanoTime()}), their audit lines held in {@code audit}. */
    public static Batch readAt(long readAt, AuditBatch audit) {
        return new Batch(new Arrival(readAt), audit);
    }
}
