package dev.latchkey.daemon.store;

/**
 * Why a store could not do what it was asked, one subclass per kind a caller must tell apart. The
 * service maps each to the wire's error kinds once ({@code service.StoreFailures}); stores know
 * nothing of the wire. Messages say what failed and what fixes it, and never hold a secret.
 * "Nothing stored" is no failure: stores answer it with an empty result.
 */
public abstract sealed class StoreException extends Exception {
    private static final long serialVersionUID = 1L;

    StoreException(String message) {
        super(message);
    }

    /** The store holds its secrets locked; the message says how to unlock it. */
    public static final class Locked extends StoreException {
        private static final long serialVersionUID = 1L;

        public Locked(String message) {
            super(message);
        }
    }

    /** The store cannot be reached or read (no keyring, a damaged file, ...); the message names the fix. */
    public static final class Unavailable extends StoreException {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message) {
            super(message);
        }
    }

    /** The store refused access (a wrong passphrase, a keychain the user denied). */
    public static final class Denied extends StoreException {
        private static final long serialVersionUID = 1L;

        public Denied(String message) {
            super(message);
        }
    }

    /** The store will not keep this: a token it has no room for, one limited to some operations, a name it cannot take. */
    public static final class Refused extends StoreException {
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message);
        }
    }

    /** The backend says the item is not there, where that is an answer rather than an empty result. */
    public static final class NotFound extends StoreException {
        private static final long serialVersionUID = 1L;

        public NotFound(String message) {
            super(message);
        }
    }

    /** Anything else the backend reported. */
    public static final class Failed extends StoreException {
        private static final long serialVersionUID = 1L;

        public Failed(String message) {
            super(message);
        }
    }
}
