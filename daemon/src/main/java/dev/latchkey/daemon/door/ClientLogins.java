package dev.latchkey.daemon.door;

import dev.latchkey.daemon.config.ConfigException;
import dev.latchkey.daemon.service.Logins;
import dev.latchkey.daemon.service.RequestContext;
import dev.latchkey.daemon.terminal.TerminalText;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Secret;

import java.util.List;
import java.util.Optional;

/**
 * The logins one invocation of a client's front door (git's helper, docker's, pip's keyring, pnpm's
 * token helper) asks the service for: in the stores of the invocation's config, recorded in the audit
 * log under the client's name, each request said with {@code -v} (what was asked, who served it,
 * what came of it; never a secret) and each login's warnings printed on stderr, which docker and
 * pip show their user.
 */
public final class ClientLogins {
    private final Invocation invocation;
    private final String client;
    private final Logins logins;
    private final RequestContext context;

    private ClientLogins(Invocation invocation, String client, Logins logins, String onlyStore) {
        this.invocation = invocation;
        this.client = client;
        this.logins = logins;
        this.context = RequestContext.alone(invocation.caller(), onlyStore, invocation.environment());
    }

    /** The logins for {@code invocation}, asked for by {@code client} ("docker", "pip", "npm"). */
    public static ClientLogins of(Invocation invocation, String client) throws ConfigException {
        return of(invocation, client, null);
    }

    /** The same, in the store {@code onlyStore} only (null: wherever a lookup looks), as a client's helper may be told. */
    public static ClientLogins of(Invocation invocation, String client, String onlyStore) throws ConfigException {
        return new ClientLogins(invocation, client, invocation.services().forConfig(invocation.config()).logins(), onlyStore);
    }

    /**
     * The first login the queries match, most specific first (see {@link Logins#find(String, List, RequestContext)});
     * its warnings are printed. {@code what} names the request for {@code -v}.
     */
    public Optional<Logins.Found> find(String what, List<Logins.Query> queries) throws CredentialException {
        try {
            Optional<Logins.Found> found = logins.find(client, queries, context);
            if (found.isPresent()) {
                for (String warning : found.get().warnings()) {
                    invocation.err().println("latchkey: warning: " + TerminalText.lines(warning));
                }
            }
            told(what, found.isPresent() ? "a login from the " + found.get().store() + " store" : "not found");
            return found;
        } catch (CredentialException e) {
            told(what, "failed, " + e.kind().wire());
            throw e;
        }
    }

    /**
     * {@link #find}, saying also when a login the queries matched was not handed out because it had
     * expired ({@link Logins.Lookup}).
     */
    public Logins.Lookup lookUp(String what, List<Logins.Query> queries) throws CredentialException {
        try {
            Logins.Lookup lookup = logins.lookUp(client, queries, context);
            Logins.Found found = lookup.found();
            if (found != null) {
                for (String warning : found.warnings()) {
                    invocation.err().println("latchkey: warning: " + TerminalText.lines(warning));
                }
            }
            told(what, found != null ? "a login from the " + found.store() + " store"
                    : lookup.expiredAt() != null ? "not found (one expired)" : "not found");
            return lookup;
        } catch (CredentialException e) {
            told(what, "failed, " + e.kind().wire());
            throw e;
        }
    }

    /** Keeps {@code secret} as {@code login}; the store's name. */
    public String store(String what, Logins.Login login, Secret secret, Long expiration) throws CredentialException {
        try {
            String store = logins.store(client, login, secret, expiration, context);
            told(what, "kept in the " + store + " store");
            return store;
        } catch (CredentialException e) {
            told(what, "failed, " + e.kind().wire());
            throw e;
        }
    }

    /** Erases every login {@code query} matches; how many. */
    public int erase(String what, Logins.Query query) throws CredentialException {
        return erase(what, query, null);
    }

    /** Erases every login {@code query} matches, with {@code secret} (null: any) only those holding it; how many. */
    public int erase(String what, Logins.Query query, Secret secret) throws CredentialException {
        try {
            int erased = logins.erase(client, query, secret, context);
            told(what, erased == 0 ? "not found" : "erased " + erased);
            return erased;
        } catch (CredentialException e) {
            told(what, "failed, " + e.kind().wire());
            throw e;
        }
    }

    /** Every login a lookup can find. */
    public List<Logins.Login> list() throws CredentialException {
        return logins.list(client, context);
    }

    private void told(String what, String outcome) {
        VerboseLog verbose = invocation.verbose();
        if (verbose.on()) {
            verbose.say(client + " " + what + ": " + invocation.servedBy() + ": " + outcome);
        }
    }
}
