package dev.latchkey.daemon.door.git;

import dev.latchkey.daemon.config.ConfigException;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.door.Arguments;
import dev.latchkey.daemon.door.Door;
import dev.latchkey.daemon.door.ExitCodes;
import dev.latchkey.daemon.door.Invocation;
import dev.latchkey.daemon.door.UsageException;
import dev.latchkey.daemon.service.Logins;
import dev.latchkey.daemon.service.RequestContext;
import dev.latchkey.daemon.terminal.TerminalText;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Response;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code latchkey import git [FILE]}: moves the credentials git's {@code store} helper keeps into
 * latchkey, each to the store a new login goes to, and removes exactly their lines from the file
 * ({@link GitCredentialsFile}); every other line stays as it was. Without FILE, the files git's
 * store helper reads: {@code ~/.git-credentials}, then {@code $XDG_CONFIG_HOME/git/credentials}
 * ({@code ~/.config/git/credentials}), each that exists. Every credential is stored before the file
 * is rewritten, so a failure part-way leaves it in both places, never in neither. The command line's
 * word {@code import}, with {@code git}, selects it (doors.FrontDoors): it is git's format, so git's door.
 */
public final class GitImportDoor implements Door {
    /** How the audit log names these stores: {@code git-import-store}. */
    private static final String CLIENT = "git-import";

    @Override
    public int serve(Invocation invocation) throws UsageException, ConfigException, CredentialException {
        Arguments args = invocation.arguments();
        args.positional("what to import"); // git: FrontDoors chose this door by it
        Optional<String> named = args.optionalPositional();
        args.end();
        Environment env = invocation.environment();
        List<Path> files = new ArrayList<>();
        if (named.isPresent()) {
            files.add(env.expand(named.get()));
        } else {
            for (Path file : gitsFiles(env)) {
                if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                    files.add(file);
                }
            }
            if (files.isEmpty()) {
                invocation.err().println("latchkey: no credentials to import: git's store helper keeps none here ("
                        + TerminalText.line(String.join(", ", names(gitsFiles(env)))) + ")");
                return ExitCodes.OK;
            }
        }
        Logins logins = invocation.services().forConfig(invocation.config()).logins();
        RequestContext context = RequestContext.alone(invocation.caller(), null, env);
        PrintStream err = invocation.err();
        int moved = 0;
        for (Path path : files) {
            try (GitCredentialsFile file = GitCredentialsFile.open(path)) {
                Set<Integer> stored = new HashSet<>();
                for (GitCredentialsFile.Credential credential : file.credentials()) {
                    try {
                        String store = logins.store(CLIENT, credential.login(), credential.password(), null, context);
                        stored.add(credential.line());
                        err.println("latchkey: moved the password for `" + TerminalText.line(credential.login().displayName())
                                + "` from " + TerminalText.line(path.toString()) + " to the " + store + " store");
                    } catch (CredentialException e) {
                        throw withNote(e, stored.isEmpty() ? path + " is unchanged"
                                : path + " is unchanged; the passwords moved before this one are in latchkey too, and importing "
                                        + "again once this is fixed moves the rest");
                    }
                }
                if (!stored.isEmpty()) {
                    file.removeLines(stored);
                    moved += stored.size();
                }
                for (GitCredentialsFile.LeftAlone left : file.leftAlone()) {
                    err.println("latchkey: left line " + left.line() + " of " + TerminalText.line(path.toString()) + ": "
                            + TerminalText.line(left.why()));
                }
                if (file.credentials().isEmpty()) {
                    err.println("latchkey: no credentials to import in " + TerminalText.line(path.toString()));
                }
            } catch (GitCredentialsFile.GitFileException e) {
                throw UsageException.badInput(e.getMessage());
            }
        }
        if (moved > 0) {
            err.println("latchkey: for git to ask latchkey, and no longer keep passwords in a file: "
                    + "git config --global credential.helper latchkey (and remove `store` from credential.helper)");
        }
        return ExitCodes.OK;
    }

    /** The files git's store helper reads, in its order. */
    static List<Path> gitsFiles(Environment env) {
        Path config = env.home().resolve(".config");
        String xdg = env.variables().get("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isEmpty()) {
            config = Path.of(xdg);
        }
        return List.of(env.home().resolve(".git-credentials"), config.resolve("git").resolve("credentials"));
    }

    private static List<String> names(List<Path> files) {
        List<String> names = new ArrayList<>();
        for (Path file : files) {
            names.add(file.toString());
        }
        return names;
    }

    /** The same failure, its message followed by {@code note}. */
    private static CredentialException withNote(CredentialException e, String note) {
        Response.Failure failure = e.toFailure();
        return CredentialException.from(new Response.Failure(failure.kind(), e.getMessage() + "; " + note, failure.causedBy()));
    }
}
