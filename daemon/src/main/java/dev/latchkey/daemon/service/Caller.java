package dev.latchkey.daemon.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who sent a request, as far as its transport can tell, for the audit log: the asking process and
 * its parent. Any part may be unknown (null). When latchkey serves in the process that was asked
 * (cargo's provider, {@code latchkey get}), the asker is that process's parent; the daemon learns
 * its peer's pid from the socket, and that peer is often a latchkey process relaying for its own
 * parent (cargo), which the parent fields then name.
 *
 * <p>Read from {@code /proc} (Linux): {@link ProcessHandle} would do it anywhere, but its first use
 * costs about 15 ms, on the path cargo takes for every request. Elsewhere only the pid is known.
 */
public record Caller(Long pid, Long uid, String executable, Long parentPid, String parentExecutable) {
    public static final Caller UNKNOWN = new Caller(null, null, null, null, null);

    /** The process that started this one. */
    public static Caller parentOfThisProcess() {
        Long parent = parentOf("self");
        if (parent == null) {
            return ProcessHandle.current().parent().map(p -> new Caller(p.pid(), null, null, null, null)).orElse(UNKNOWN);
        }
        return ofPid(parent, null);
    }

    /** The process {@code pid}, as {@code /proc} shows it; {@code uid} when the transport already knows it. */
    public static Caller ofPid(long pid, Long uid) {
        String process = Long.toString(pid);
        Long parent = parentOf(process);
        return new Caller(pid, uid != null ? uid : uidOf(process), executableOf(process), parent,
                parent == null ? null : executableOf(parent.toString()));
    }

    /** The fourth field of {@code /proc/PID/stat}, after the command name in parentheses (which may hold anything). */
    private static Long parentOf(String process) {
        try {
            String stat = Files.readString(Path.of("/proc", process, "stat"), StandardCharsets.UTF_8);
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 3);
            long ppid = Long.parseLong(rest[1]);
            return ppid > 0 ? ppid : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String executableOf(String process) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", process, "exe")).toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The owner of {@code /proc/PID} is the process's user. */
    private static Long uidOf(String process) {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc", process), "unix:uid")).longValue();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
