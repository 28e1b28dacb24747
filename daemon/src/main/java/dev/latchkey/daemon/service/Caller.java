package dev.latchkey.daemon.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Who sent a request, as far as its transport can tell, for the audit log: the asking process and
 * its parent. Any part may be unknown (null). When latchkey serves in the process that was asked
 * (cargo's provider, {@code latchkey get}), the asker is that process's parent; the daemon learns
 * its peer's pid from the socket, and that peer is often a latchkey process relaying for its own
 * parent (cargo), which the parent fields then name.
 */
public record Caller(Long pid, Long uid, String executable, Long parentPid, String parentExecutable) {
    public static final Caller UNKNOWN = new Caller(null, null, null, null, null);

    /** The process that started this one. */
    public static Caller parentOfThisProcess() {
        return ProcessHandle.current().parent().map(Caller::of).orElse(UNKNOWN);
    }

    /** The process {@code pid}, as seen from here; {@code uid} when the transport already knows it. */
    public static Caller ofPid(long pid, Long uid) {
        Caller found = ProcessHandle.of(pid).map(Caller::of).orElse(new Caller(pid, null, null, null, null));
        return uid == null || found.uid() != null ? found
                : new Caller(found.pid(), uid, found.executable(), found.parentPid(), found.parentExecutable());
    }

    private static Caller of(ProcessHandle process) {
        Optional<ProcessHandle> parent = process.parent();
        return new Caller(process.pid(), uidOf(process.pid()), executableOf(process),
                parent.map(ProcessHandle::pid).orElse(null), parent.map(Caller::executableOf).orElse(null));
    }

    private static String executableOf(ProcessHandle process) {
        return process.info().command().orElse(null);
    }

    /** The owner of {@code /proc/PID} is the process's user; elsewhere than Linux, unknown. */
    private static Long uidOf(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            return Files.isDirectory(proc) ? ((Number) Files.getAttribute(proc, "unix:uid")).longValue() : null;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }
}
