package dev.latchkey.daemon.config;

import dev.latchkey.protocol.socket.SocketLocation;

import java.nio.file.Path;

/** Where latchkey's files are, by the XDG rules (docs/configuration.md). */
public final class Locations {
    private final Environment env;

    public Locations(Environment env) {
        this.env = env;
    }

    public Path configFile() {
        Path explicit = env.expandedPath("LATCHKEY_CONFIG");
        return explicit != null ? explicit : xdg("XDG_CONFIG_HOME", ".config").resolve("latchkey").resolve("config.toml");
    }

    public Path dataDirectory() {
        return xdg("XDG_DATA_HOME", ".local/share").resolve("latchkey");
    }

    public Path stateDirectory() {
        return xdg("XDG_STATE_HOME", ".local/state").resolve("latchkey");
    }

    /** latchkey's own cache: {@code $XDG_CACHE_HOME/latchkey}, else {@code ~/.cache/latchkey}. */
    public Path cacheDirectory() {
        return xdg("XDG_CACHE_HOME", ".cache").resolve("latchkey");
    }

    public Path defaultTokenFile() {
        return dataDirectory().resolve("tokens.toml");
    }

    /** The daemon's socket, found by the same rule as the client library's, so the two always meet. */
    public Path socket() {
        return SocketLocation.resolve(env.variables(), env.home(), env.workingDirectory());
    }

    /** cargo's home: {@code $CARGO_HOME}, else {@code ~/.cargo}. */
    public Path cargoHome() {
        Path explicit = env.expandedPath("CARGO_HOME");
        return explicit != null ? explicit : env.home().resolve(".cargo");
    }

    /**
     * Where this environment puts what a request's answer depends on, in one string: the home,
     * cargo's home, and the XDG directories of latchkey's default config, data and state. Two
     * processes whose signatures are equal read and write the same files, so a daemon serves a
     * caller only when the caller's signature is its own (docs/daemon.md); comparing two is
     * one string comparison. The parts are separated by NUL, which no path holds. Built with
     * {@code concat}: every cargo request computes it, and a string concatenation costs a fresh JVM
     * its linking.
     */
    public String signature() {
        return env.home().toString().concat("\0").concat(cargoHome().toString())
                .concat("\0").concat(xdg("XDG_CONFIG_HOME", ".config").toString())
                .concat("\0").concat(dataDirectory().toString())
                .concat("\0").concat(stateDirectory().toString());
    }

    // Plain code rather than Optional chains of method references, here and on the rest of the path a
    // cargo request takes: each such chain costs a short-lived JVM about a millisecond to link.
    private Path xdg(String variable, String fallbackUnderHome) {
        String value = env.variables().get(variable);
        if (value != null && !value.isEmpty() && Path.of(value).isAbsolute()) {
            return Path.of(value);
        }
        return env.home().resolve(fallbackUnderHome);
    }
}
