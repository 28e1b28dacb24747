package dev.latchkey.caller.scan;

import java.io.PrintStream;
import java.util.List;

/** What a scan found, in a stable order, and what it could not look at (each said once). */
public record ScanReport(List<Finding> findings, List<String> notes) {
    public static final int CLEAN = 0;
    public static final int FOUND = 1;
    public static final int USAGE = 2;

    public ScanReport {
        findings = List.copyOf(findings);
        notes = List.copyOf(notes);
    }

    /** 0 when nothing was found, 1 when something was. */
    public int exitStatus() {
        return findings.isEmpty() ? CLEAN : FOUND;
    }

    /** The findings one a line on {@code out}, the notes on {@code err} prefixed {@code latchkey: }. */
    public void print(PrintStream out, PrintStream err) {
        findings.forEach(finding -> out.println(finding.render()));
        notes.forEach(note -> err.println("latchkey: " + note));
    }
}
