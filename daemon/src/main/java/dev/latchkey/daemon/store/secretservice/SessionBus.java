package dev.latchkey.daemon.store.secretservice;

import dev.latchkey.protocol.Secret;

import dev.latchkey.daemon.config.Environment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a D-Bus session bus can be found, decided the way GLib decides it but without loading
 * any native code: {@code DBUS_SESSION_BUS_ADDRESS}, else {@code $XDG_RUNTIME_DIR/bus}. Without
 * either, every libsecret call would fail anyway (after trying to autolaunch a bus on X11).
 */
final class SessionBus {
    static final String NO_BUS = "no session bus: neither DBUS_SESSION_BUS_ADDRESS nor $XDG_RUNTIME_DIR/bus is set, "
            + "so no Secret Service can be reached (usual over SSH, in containers and in CI); log in to a desktop session, "
            + "or start a bus and a keyring: `eval $(dbus-launch --sh-syntax)` then "
            + "`gnome-keyring-daemon --unlock --components=secrets` (type the keyring password, then Ctrl-D); "
            + "or keep tokens in the file store (`--store file`)";

    private SessionBus() {
    }

    /** Why no session bus can be reached, or empty when one may be. */
    static Optional<String> missing(Environment env) {
        if (env.get("DBUS_SESSION_BUS_ADDRESS").isPresent()) {
            return Optional.empty();
        }
        Optional<String> runtimeDir = env.get("XDG_RUNTIME_DIR");
        if (runtimeDir.isPresent() && Files.exists(Path.of(runtimeDir.get(), "bus"))) {
            return Optional.empty();
        }
        return Optional.of(NO_BUS);
    }
}
