package dev.latchkey.daemon.door.npm;

import dev.latchkey.daemon.config.ConfigException;
import dev.latchkey.daemon.door.Arguments;
import dev.latchkey.daemon.door.BoundedInput;
import dev.latchkey.daemon.door.ClientLogins;
import dev.latchkey.daemon.door.Door;
import dev.latchkey.daemon.door.ExitCodes;
import dev.latchkey.daemon.door.HandBack;
import dev.latchkey.daemon.door.Invocation;
import dev.latchkey.daemon.door.UsageException;
import dev.latchkey.daemon.door.Utf8Input;
import dev.latchkey.daemon.service.Logins;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Secret;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code latchkey npm-token REGISTRY_URL}: prints {@code Bearer TOKEN} for pnpm's
 * {@code tokenHelper} ({@link BearerOutput}), which pnpm runs with no arguments, so the user's
 * {@code .npmrc} names a one-line script that runs this command with the registry's URL. The token
 * is stored with {@code latchkey npm-token --store REGISTRY_URL} (read from stdin, or typed at the
 * terminal without echo; {@code --expires-in DURATION} as {@code latchkey store} takes it) and
 * forgotten with {@code --erase}. A registry is one key whatever form of its URL is given
 * ({@link NpmRegistryUrl}).
 */
public final class NpmTokenDoor implements Door {
    private static final String CLIENT = "npm";
    private static final int MAX_TOKEN = 64 * 1024;

    @Override
    public int serve(Invocation invocation) throws HandBack, UsageException, ConfigException, CredentialException, IOException {
        Arguments args = invocation.arguments();
        boolean store = args.flag("--store");
        boolean erase = args.flag("--erase");
        Long expiration = args.expiresIn();
        String given = args.positional("REGISTRY_URL");
        if (args.optionalPositional().isPresent()) {
            // Most likely the token itself: refused without repeating it.
            throw new UsageException("`latchkey npm-token` takes one REGISTRY_URL; with --store it reads the token from stdin, "
                    + "never from the command line (where other users can see it)");
        }
        args.end();
        if (store && erase) {
            throw new UsageException("--store and --erase do not go together");
        }
        if (expiration != null && !store) {
            throw new UsageException("--expires-in goes with --store");
        }
        NpmRegistryUrl registry;
        try {
            registry = NpmRegistryUrl.parse(given);
        } catch (NpmProtocolException e) {
            throw new UsageException(e.getMessage());
        }
        try {
            if (store) {
                return store(invocation, registry, expiration);
            }
            return erase ? erase(invocation, registry) : print(invocation, registry);
        } catch (NpmProtocolException e) {
            throw UsageException.badInput(e.getMessage());
        } finally {
            invocation.out().flush();
        }
    }

    private static int print(Invocation invocation, NpmRegistryUrl registry)
            throws ConfigException, CredentialException, NpmProtocolException, IOException {
        Optional<Logins.Found> found = ClientLogins.of(invocation, CLIENT)
                .find("token " + registry.url(), List.of(Logins.Query.exactly(registry.login())));
        if (found.isEmpty()) {
            invocation.err().println("latchkey: no token for `" + registry.url() + "`; store one with `latchkey npm-token --store "
                    + registry.url() + "`");
            return ExitCodes.NOT_FOUND;
        }
        Secret token = found.get().secret();
        byte[] line = null;
        try {
            line = BearerOutput.of(token);
            invocation.out().write(line);
            return ExitCodes.OK;
        } finally {
            if (line != null) {
                Arrays.fill(line, (byte) 0);
            }
            token.wipe();
        }
    }

    private static int store(Invocation invocation, NpmRegistryUrl registry, Long expiration)
            throws HandBack, ConfigException, CredentialException, NpmProtocolException, IOException, UsageException {
        try (Secret token = token(invocation, registry)) {
            String store = ClientLogins.of(invocation, CLIENT).store("store " + registry.url(), registry.login(), token, expiration);
            invocation.err().println("latchkey: stored the token for `" + registry.url() + "` in the " + store + " store");
        }
        return ExitCodes.OK;
    }

    private static int erase(Invocation invocation, NpmRegistryUrl registry) throws ConfigException, CredentialException {
        int erased = ClientLogins.of(invocation, CLIENT).erase("erase " + registry.url(), Logins.Query.exactly(registry.login()));
        if (erased == 0) {
            invocation.err().println("latchkey: no token for `" + registry.url() + "` to erase");
            return ExitCodes.NOT_FOUND;
        }
        invocation.err().println("latchkey: erased the token for `" + registry.url() + "`");
        return ExitCodes.OK;
    }

    /** The token typed at the terminal (echo off) when stdin is one, else stdin's one line; one an Authorization header can carry. */
    private static Secret token(Invocation invocation, NpmRegistryUrl registry)
            throws HandBack, NpmProtocolException, IOException, UsageException {
        Secret token;
        if (invocation.isTerminal(0)) {
            token = invocation.askAtTerminal("token for " + registry.url() + ": ", "asking for the token");
            if (token == null) {
                throw UsageException.badInput("no token: pipe it on stdin");
            }
        } else {
            token = fromStdin(invocation);
        }
        String problem = BearerOutput.problem(token.exposeChars());
        if (problem != null) {
            token.wipe();
            throw new NpmProtocolException(problem);
        }
        return token;
    }

    private static Secret fromStdin(Invocation invocation) throws HandBack, NpmProtocolException, IOException {
        byte[] bytes = BoundedInput.read(invocation.in(), MAX_TOKEN);
        char[] chars = null;
        try {
            if (bytes.length > MAX_TOKEN) {
                throw new NpmProtocolException("the token on stdin is longer than " + MAX_TOKEN + " bytes");
            }
            int length = BoundedInput.withoutLineBreak(bytes);
            try {
                chars = Utf8Input.chars(bytes, 0, length);
            } catch (CharacterCodingException e) {
                throw new NpmProtocolException("the token on stdin is not valid UTF-8");
            }
            return Secret.copyOf(chars);
        } finally {
            Arrays.fill(bytes, (byte) 0);
            if (chars != null) {
                Arrays.fill(chars, '\0');
            }
        }
    }
}
