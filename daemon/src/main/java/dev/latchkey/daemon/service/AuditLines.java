package dev.latchkey.daemon.service;

import dev.latchkey.daemon.audit.AuditLog;

import java.io.IOException;
import java.util.Map;

/** Appends a request's audit line, with who asked, in the batch the request came in. */
final class AuditLines {
    private AuditLines() {
    }

    /** What went wrong, for the caller to hear, or null. */
    static String append(AuditLog audit, Map<String, Object> line, RequestContext context) {
        Caller caller = context.caller();
        line.put("pid", caller.pid());
        line.put("uid", caller.uid());
        line.put("exe", caller.executable());
        line.put("ppid", caller.parentPid());
        line.put("parent-exe", caller.parentExecutable());
        line.put("for-command", context.forCommand());
        try {
            audit.append(line, context.batch().audit());
            return null;
        } catch (IOException e) {
            return "could not write the audit log " + audit.path() + ": " + e.getMessage()
                    + "; check that latchkey's state directory is writable by you";
        }
    }
}
