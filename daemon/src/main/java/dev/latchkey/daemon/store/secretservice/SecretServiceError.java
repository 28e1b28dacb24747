package dev.latchkey.daemon.store.secretservice;

/**
 * A {@code GError} from libsecret or glib, copied out of native memory: its domain name, code and
 * message (which never holds a secret), and whether latchkey's own deadline cancelled the call.
 */
final class SecretServiceError extends Exception {
    private static final long serialVersionUID = 1L;

    /** {@code g-io-error-quark}: connecting, cancelling and timing out. */
    static final String IO_DOMAIN = "g-io-error-quark";
    /** {@code g-dbus-error-quark}: errors the bus or the service sent back. */
    static final String DBUS_DOMAIN = "g-dbus-error-quark";
    /** {@code secret-error}: libsecret's own errors. */
    static final String SECRET_DOMAIN = "secret-error";
    /** A failure libsecret signalled by its return value alone. */
    static final String NO_DOMAIN = "none";

    static final int IO_CANCELLED = 19;
    static final int IO_TIMED_OUT = 24;
    static final int DBUS_SERVICE_UNKNOWN = 2;
    static final int DBUS_NO_REPLY = 4;
    static final int DBUS_ACCESS_DENIED = 9;
    static final int DBUS_TIMEOUT = 12;
    static final int DBUS_TIMED_OUT = 20;
    static final int SECRET_IS_LOCKED = 2;
    static final int SECRET_NO_SUCH_OBJECT = 3;

    private final String domain;
    private final int code;
    private final boolean deadlinePassed;

    SecretServiceError(String domain, int code, String message, boolean deadlinePassed) {
        super(message);
        this.domain = domain;
        this.code = code;
        this.deadlinePassed = deadlinePassed;
    }

    String domain() {
        return domain;
    }

    int code() {
        return code;
    }

    /** Whether the call was cancelled because it outlasted latchkey's deadline. */
    boolean deadlinePassed() {
        return deadlinePassed;
    }

    boolean is(String errorDomain, int errorCode) {
        return domain.equals(errorDomain) && code == errorCode;
    }

    /** How it reads in a message: glib's text, then where it came from. */
    String describe() {
        return getMessage() + " [" + domain + " " + code + "]";
    }
}
