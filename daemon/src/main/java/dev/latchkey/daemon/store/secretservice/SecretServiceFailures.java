package dev.latchkey.daemon.store.secretservice;

import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.protocol.Secret;

import java.time.Duration;

/**
 * What a Secret Service failure means to a caller, mapped from GError domains and codes (never
 * from message text), each with the command that fixes it.
 */
final class SecretServiceFailures {
    static final String LOCKED = "locked: the keyring collection cargo and latchkey use (alias `default`, usually "
            + "`login`) is locked; unlock it with `gnome-keyring-daemon --replace --unlock --components=secrets` "
            + "(type the keyring password, then Ctrl-D), "
            + "or in your desktop's Passwords and Keys (seahorse); then retry";
    static final String NO_DEFAULT_COLLECTION = "no default keyring: the Secret Service has no collection with the alias "
            + "`default` (a keyring daemon that was never unlocked); create and unlock the login keyring with "
            + "`gnome-keyring-daemon --unlock --components=secrets` (type a password, then Ctrl-D)";
    static final String NO_SERVICE = "no Secret Service on the session bus; install and start one: "
            + "`sudo apt-get install gnome-keyring` then `gnome-keyring-daemon --unlock --components=secrets` "
            + "(type the keyring password, then Ctrl-D)";

    private SecretServiceFailures() {
    }

    /** The deadline passed or the service never answered: latchkey gave up rather than hang. */
    static StoreException.Unavailable notAnswering(Duration deadline) {
        return new StoreException.Unavailable("the Secret Service did not answer within " + deadline.toMillis()
                + " ms (a stopped or hung keyring daemon?); restart it with "
                + "`gnome-keyring-daemon --replace --unlock --components=secrets` (type the keyring password, then Ctrl-D), "
                + "or raise LATCHKEY_KEYRING_TIMEOUT");
    }

    /** D-Bus's own timeout came first (it is about 25 s, so only with a deadline set longer than that). */
    private static StoreException.Unavailable busGaveUp(SecretServiceError error) {
        return new StoreException.Unavailable("the Secret Service did not answer before the session bus gave up waiting ("
                + error.describe() + "; a stopped or hung keyring daemon?); restart it with "
                + "`gnome-keyring-daemon --replace --unlock --components=secrets` (type the keyring password, then Ctrl-D)");
    }

    /** Whether {@code error} says the service did not answer (latchkey's deadline, or D-Bus's own). */
    static boolean isNotAnswering(SecretServiceError error) {
        return error.deadlinePassed() || error.is(SecretServiceError.IO_DOMAIN, SecretServiceError.IO_TIMED_OUT)
                || error.is(SecretServiceError.DBUS_DOMAIN, SecretServiceError.DBUS_NO_REPLY)
                || error.is(SecretServiceError.DBUS_DOMAIN, SecretServiceError.DBUS_TIMEOUT)
                || error.is(SecretServiceError.DBUS_DOMAIN, SecretServiceError.DBUS_TIMED_OUT);
    }

    /** The exception {@code error} stands for. */
    static StoreException of(SecretServiceError error, Duration deadline) {
        if (error.deadlinePassed()) {
            return notAnswering(deadline);
        }
        if (isNotAnswering(error)) {
            return busGaveUp(error);
        }
        if (error.is(SecretServiceError.SECRET_DOMAIN, SecretServiceError.SECRET_IS_LOCKED)) {
            return new StoreException.Locked(LOCKED);
        }
        if (error.is(SecretServiceError.DBUS_DOMAIN, SecretServiceError.DBUS_SERVICE_UNKNOWN)) {
            return new StoreException.Unavailable(NO_SERVICE + " (" + error.describe() + ")");
        }
        if (error.is(SecretServiceError.DBUS_DOMAIN, SecretServiceError.DBUS_ACCESS_DENIED)) {
            return new StoreException.Denied("the Secret Service refused access: " + error.describe());
        }
        if (error.domain().equals(SecretServiceError.DBUS_DOMAIN) || error.domain().equals(SecretServiceError.IO_DOMAIN)) {
            return new StoreException.Unavailable("cannot talk to the Secret Service: " + error.describe()
                    + "; check the session bus (DBUS_SESSION_BUS_ADDRESS) and the keyring daemon, or run `latchkey doctor`");
        }
        return new StoreException.Failed("the Secret Service failed: " + error.describe());
    }
}
