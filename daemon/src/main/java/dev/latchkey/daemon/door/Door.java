package dev.latchkey.daemon.door;

import dev.latchkey.daemon.config.ConfigException;
import dev.latchkey.protocol.CredentialException;

import java.io.IOException;

/**
 * A front door: one client's wire format (cargo's provider protocol, latchkey's own, the command
 * line, git's helper protocol, ...) turned into service calls and back. A door runs the same way
 * in the daemon, for an invocation a caller relayed to it, and in the caller's own process; the
 * {@link Invocation} it is given says which, and is all it may use.
 */
public interface Door {
    /**
     * Serves one invocation to its end and returns its exit status. The failures it throws are
     * told to the user and turned into exit statuses by {@link Doors#run}, the same way wherever
     * the invocation is served.
     *
     * @throws HandBack when only the caller's own process can go on (see {@link Route})
     * @throws IOException when the caller's streams fail
     */
    int serve(Invocation invocation) throws HandBack, UsageException, ConfigException, CredentialException, IOException;
}
