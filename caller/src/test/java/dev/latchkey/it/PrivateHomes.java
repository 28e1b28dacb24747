package dev.latchkey.it;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The environment for a process under test: the inherited one without anything that could point
 * cargo or latchkey at the developer's own files (CARGO_*, LATCHKEY_*, XDG_*) or keyring (the
 * session bus, DBUS_SESSION_BUS_ADDRESS: without it the keychain store is unusable, as in a bare CI
 * container), then private homes for both under a test's temporary directory. The keyring tests
 * put a bus back on purpose (SessionKeyring, PrivateKeyring).
 */
final class PrivateHomes {
    private PrivateHomes() {
    }

    static Map<String, String> environment(Path root, Path cargoHome) {
        Map<String, String> env = ProcessRun.inheritedEnvironmentWithout(
                List.of("CARGO", "LATCHKEY_", "XDG_", "DBUS_SESSION_BUS_ADDRESS"));
        env.put("CARGO_HOME", cargoHome.toString());
        env.put("CARGO_TERM_COLOR", "never");
        // A provider that finds no daemon starts one for the next request; a test wants no daemon it did not start.
        env.put("LATCHKEY_AUTOSTART", "0");
        env.put("XDG_DATA_HOME", root.resolve("xdg/data").toString());
        env.put("XDG_CONFIG_HOME", root.resolve("xdg/config").toString());
        env.put("XDG_STATE_HOME", root.resolve("xdg/state").toString());
        env.put("XDG_CACHE_HOME", root.resolve("xdg/cache").toString());
        return env;
    }

    /** latchkey's file store under {@code root}. */
    static Path tokenFile(Path root) {
        return root.resolve("xdg/data/latchkey/tokens.toml");
    }
}
