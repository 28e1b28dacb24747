package dev.latchkey.it;

import java.nio.file.Path;
import java.util.Map;

/**
 * The unlocked gnome-keyring on the session bus the suite runs in: scripts/test runs {@code verify}
 * inside scripts/with-keyring, which starts both. Tests that need it call {@link #environment()}.
 */
final class SessionKeyring {
    private SessionKeyring() {
    }

    /**
     * Private homes under {@code home} for latchkey and cargo (as {@link PrivateHomes}) on the suite's
     * session bus, after checking that it has a Secret Service; else the test fails (CI) or is skipped.
     */
    static Map<String, String> privateHomes(Path home) {
        Map<String, String> env = PrivateHomes.environment(home, home.resolve("cargo"));
        env.put("DBUS_SESSION_BUS_ADDRESS", environment().get("DBUS_SESSION_BUS_ADDRESS"));
        return env;
    }

    /** The suite's environment, after checking that its session bus has a Secret Service; else fails (CI) or skips. */
    static Map<String, String> environment() {
        Map<String, String> env = System.getenv();
        String address = env.get("DBUS_SESSION_BUS_ADDRESS");
        if (address == null || address.isEmpty()) {
            RequiredComponent.missing("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset); run the tests "
                    + "through scripts/test, or `scripts/with-keyring ./mvnw verify`");
        }
        RequiredComponent.executable("dbus-send");
        if (PrivateKeyring.secretServicePid(env).isEmpty()) {
            RequiredComponent.missing("no Secret Service (gnome-keyring) on the session bus " + address
                    + "; run the tests through scripts/test, or `scripts/with-keyring ./mvnw verify`");
        }
        return env;
    }
}
