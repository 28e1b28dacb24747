package dev.latchkey.daemon.door.git;

import dev.latchkey.daemon.config.ConfigException;
import dev.latchkey.daemon.door.Arguments;
import dev.latchkey.daemon.door.ClientLogins;
import dev.latchkey.daemon.door.Door;
import dev.latchkey.daemon.door.ExitCodes;
import dev.latchkey.daemon.door.HandBack;
import dev.latchkey.daemon.door.Invocation;
import dev.latchkey.daemon.door.UsageException;
import dev.latchkey.daemon.service.Logins;
import dev.latchkey.daemon.terminal.TerminalText;
import dev.latchkey.protocol.CredentialException;

import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * {@code latchkey git-credential [--store NAME] get|store|erase}: git's credential-helper protocol
 * (gitcredentials(7); the model: docs/credential-model.md). git runs it as {@code git-credential-latchkey OP}
 * for {@code credential.helper = latchkey}, with a credential description on stdin, up to its end.
 *
 * <ul>
 * <li>{@code get}: the login the description names (each part it gives must be the login's; a
 * part it leaves out matches any), as {@code username}, {@code password} and, when latchkey knows
 * one, {@code password_expiry_utc}; nothing at all when there is none, so that git asks its next
 * helper or the user.</li>
 * <li>{@code store}: keeps the username and password for the description's protocol, host, path
 * (given only with {@code credential.useHttpPath}) and user name, with its
 * {@code password_expiry_utc}. git stores after every success, so the same password is not
 * written again.</li>
 * <li>{@code erase}: git's report that a credential failed: removes the logins the description
 * matches, and with a password given only those holding that very password.</li>
 * </ul>
 *
 * A description without protocol or host names no site: nothing is found, kept or erased for it,
 * so that no login is handed out for a site its client did not name. A login without a user name
 * (pnpm's token for a registry on the same host) is never git's: git keeps none. Any other operation is
 * ignored, as gitcredentials(7) asks of helpers. stdout carries only the reply to {@code get}; what
 * goes wrong is said on stderr, with latchkey's exit status (git ignores a helper's status): a
 * store that cannot be read never looks like "no credential".
 */
public final class GitCredentialDoor implements Door {
    /** How the audit log names this door's requests: {@code git-get}, {@code git-store}, {@code git-erase}. */
    static final String CLIENT = "git";

    @Override
    public int serve(Invocation invocation) throws HandBack, UsageException, ConfigException, CredentialException, IOException {
        Arguments args = invocation.arguments();
        String store = args.option("--store").orElse(null);
        String operation = args.positional("the operation git asks for (get, store or erase)");
        args.end();
        if (!operation.equals("get") && !operation.equals("store") && !operation.equals("erase")) {
            return ExitCodes.OK;
        }
        ClientLogins logins = ClientLogins.of(invocation, CLIENT, store);
        try (CredentialDescription description = CredentialDescription.read(invocation.in())) {
            if (description.protocol() == null || description.host() == null || description.host().isEmpty()) {
                if (invocation.verbose().on()) {
                    invocation.verbose().say(CLIENT + " " + operation + ": no protocol or host given, nothing done");
                }
                return operation.equals("store") ? ExitCodes.OK : ExitCodes.NOT_FOUND;
            }
            // Every part checked as a login's, whatever the operation: a part no login can have is refused, not ignored.
            Logins.Login named = new Logins.Login(description.protocol(), description.host(), description.path(),
                    description.username());
            return switch (operation) {
                case "get" -> get(invocation, logins, named);
                case "store" -> store(logins, named, description);
                default -> logins.erase("erase " + named.displayName(), query(named), description.password()) == 0
                        ? ExitCodes.NOT_FOUND : ExitCodes.OK;
            };
        } catch (GitProtocolException e) {
            throw UsageException.badInput("git-credential " + operation + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            // Logins.Login's checks of a part git sent; their messages quote no value
            throw UsageException.badInput("git-credential " + operation + ": " + e.getMessage());
        }
    }

    private static int get(Invocation invocation, ClientLogins logins, Logins.Login asked)
            throws CredentialException, GitProtocolException, IOException {
        Logins.Lookup lookup = logins.lookUp("get " + asked.displayName(), List.of(query(asked)));
        Logins.Found found = lookup.found();
        if (found == null) {
            if (lookup.expiredAt() != null) {
                invocation.err().println("latchkey: the password for `" + TerminalText.line(asked.displayName()) + "` expired at "
                        + Instant.ofEpochSecond(lookup.expiredAt()) + "; git asks for a new one and stores it");
            }
            return ExitCodes.NOT_FOUND;
        }
        byte[] reply;
        try {
            CredentialReply answer = new CredentialReply().username(found.login().username()).password(found.secret());
            if (found.expiration() != null) {
                answer.passwordExpiryUtc(found.expiration());
            }
            reply = answer.toBytes();
        } finally {
            found.secret().wipe();
        }
        try {
            invocation.out().write(reply);
            invocation.out().flush();
        } finally {
            Arrays.fill(reply, (byte) 0);
        }
        return ExitCodes.OK;
    }

    /** git's own store helper keeps only a user name with its password; without either there is nothing to keep. */
    private static int store(ClientLogins logins, Logins.Login login, CredentialDescription given) throws CredentialException {
        if (login.username() != null && given.password() != null) {
            logins.store("store " + login.displayName(), login, given.password(), given.passwordExpiryUtc());
        }
        return ExitCodes.OK;
    }

    /** git's rule: each part the description gives must be the login's; a part it leaves out matches any, a user name any present. */
    private static Logins.Query query(Logins.Login described) {
        return Logins.Query.ofGit(described.protocol(), described.host(), described.path(), described.username());
    }
}
