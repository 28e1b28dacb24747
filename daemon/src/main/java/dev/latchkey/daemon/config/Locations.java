package dev.latchkey.daemon.config;

import dev.latchkey.client.SocketLocation;

import java.nio.file.Path;

/** Where latchkey's files are, by the XDG rules of SPEC §8 and §9. */
public final class Locations {
    private final Environment env;

    public Locations(Environment env) {
        this.env = env;
    }

    public Path configFile() {
        return env.get("LATCHKEY_CONFIG").map(env::expand)
                .orElseGet(() -> xdg("XDG_CONFIG_HOME", ".config").resolve("latchkey").resolve("config.toml"));
    }

    public Path dataDirectory() {
        return xdg("XDG_DATA_HOME", ".local/share").resolve("latchkey");
    }

    public Path stateDirectory() {
        return xdg("XDG_STATE_HOME", ".local/state").resolve("latchkey");
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
        return env.get("CARGO_HOME").map(env::expand).orElseGet(() -> env.home().resolve(".cargo"));
    }

    private Path xdg(String variable, String fallbackUnderHome) {
        return env.get(variable).map(Path::of).filter(Path::isAbsolute)
                .orElseGet(() -> env.home().resolve(fallbackUnderHome));
    }
}
