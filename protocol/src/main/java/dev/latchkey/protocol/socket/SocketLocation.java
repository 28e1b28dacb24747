package dev.latchkey.protocol.socket;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where the daemon's socket is (docs/daemon.md): {@code $LATCHKEY_SOCKET}, else
 * {@code $XDG_RUNTIME_DIR/latchkey/daemon.sock}, else {@code $XDG_CACHE_HOME/latchkey/daemon.sock}
 * ({@code ~/.cache/...}). The daemon and its clients both ask here, so they always meet.
 */
public final class SocketLocation {
    private SocketLocation() {
    }

    /**
     * The socket path for this process's environment. The home is {@code $HOME}, as shells, cargo
     * and the daemon take it; the JDK's {@code user.home} (from the user database) only without it.
     */
    public static Path ofProcess() {
        String home = System.getenv("HOME");
        return resolve(System.getenv(), Path.of(home != null && !home.isEmpty() ? home : System.getProperty("user.home")),
                Path.of("").toAbsolutePath());
    }

    /**
     * The socket path for {@code env}: {@code ~/} in {@code LATCHKEY_SOCKET} means {@code home},
     * a relative path is taken from {@code workingDirectory}; an empty variable counts as unset.
     */
    public static Path resolve(Map<String, String> env, Path home, Path workingDirectory) {
        String explicit = value(env, "LATCHKEY_SOCKET");
        if (explicit != null) {
            if (explicit.equals("~")) {
                return home;
            }
            return explicit.startsWith("~/") ? home.resolve(explicit.substring(2)) : workingDirectory.resolve(explicit);
        }
        String runtime = value(env, "XDG_RUNTIME_DIR");
        Path base = runtime != null ? Path.of(runtime) : xdgCache(env, home);
        return base.resolve("latchkey").resolve("daemon.sock");
    }

    private static Path xdgCache(Map<String, String> env, Path home) {
        String cache = value(env, "XDG_CACHE_HOME");
        return cache != null && Path.of(cache).isAbsolute() ? Path.of(cache) : home.resolve(".cache");
    }

    private static String value(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isEmpty() ? null : value;
    }
}
