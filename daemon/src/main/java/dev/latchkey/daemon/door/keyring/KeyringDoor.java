package dev.latchkey.daemon.door.keyring;

import dev.latchkey.daemon.config.ConfigException;
import dev.latchkey.daemon.door.ClientLogins;
import dev.latchkey.daemon.door.Door;
import dev.latchkey.daemon.door.ExitCodes;
import dev.latchkey.daemon.door.HandBack;
import dev.latchkey.daemon.door.Invocation;
import dev.latchkey.daemon.door.UsageException;
import dev.latchkey.daemon.service.Logins;
import dev.latchkey.daemon.terminal.TerminalText;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Secret;

import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;

/**
 * {@code latchkey keyring ...}, which the launcher runs when it is installed as {@code keyring}
 * ({@code scripts/install.sh --as-keyring}): python-keyring's command line as pip's
 * {@code --keyring-provider subprocess} and uv run it ({@link KeyringCommand}). {@code get} prints
 * the password (or, with {@code --mode creds}, the user name and the password) and exits 1 with no
 * output when nothing is stored, as keyring does; {@code set} keeps the password pip writes on
 * stdin (or asks for it at the terminal, as keyring does); {@code del} erases it. Where a login is
 * kept, and what each SERVICE finds, is {@link KeyringService}'s.
 */
public final class KeyringDoor implements Door {
    private static final String CLIENT = "pip";

    @Override
    public int serve(Invocation invocation) throws HandBack, UsageException, ConfigException, CredentialException, IOException {
        KeyringCommand command;
        try {
            command = KeyringCommand.parse(invocation.command().rest());
        } catch (KeyringProtocolException e) {
            throw new UsageException("keyring: " + e.getMessage());
        }
        try {
            return switch (command.operation()) {
                case GET -> get(invocation, command);
                case SET -> set(invocation, command);
                case DEL -> delete(invocation, command);
            };
        } catch (KeyringProtocolException e) {
            throw UsageException.badInput("keyring: " + e.getMessage());
        } finally {
            invocation.out().flush();
        }
    }

    private static int get(Invocation invocation, KeyringCommand command)
            throws ConfigException, CredentialException, KeyringProtocolException, IOException {
        KeyringService service = command.service();
        Optional<Logins.Found> found = ClientLogins.of(invocation, CLIENT)
                .find("get " + service, service.lookups(command.username()));
        if (found.isEmpty()) {
            // keyring prints nothing for a credential it does not have: pip reads any other status as "none".
            return ExitCodes.NOT_FOUND;
        }
        Logins.Found login = found.get();
        byte[] answer = null;
        try {
            if (login.login().username() == null) {
                return ExitCodes.NOT_FOUND; // a token without a user (pnpm's) is no login pip can send
            }
            answer = command.mode() == KeyringCommand.Mode.CREDS
                    ? KeyringMessages.credentials(login.login().username(), login.secret(), command.output())
                    : KeyringMessages.password(login.secret(), command.output());
            invocation.out().write(answer);
            return ExitCodes.OK;
        } finally {
            if (answer != null) {
                Arrays.fill(answer, (byte) 0);
            }
            login.secret().wipe();
        }
    }

    private static int set(Invocation invocation, KeyringCommand command)
            throws HandBack, ConfigException, CredentialException, KeyringProtocolException, IOException, UsageException {
        KeyringService service = command.service();
        try (Secret password = password(invocation, command)) {
            ClientLogins.of(invocation, CLIENT).store("set " + service, service.login(command.username()), password, null);
        }
        return ExitCodes.OK;
    }

    /** The password pip pipes in, or, at a terminal, typed there without echo after keyring's own prompt. */
    private static Secret password(Invocation invocation, KeyringCommand command)
            throws HandBack, KeyringProtocolException, IOException, UsageException {
        if (!invocation.isTerminal(0)) {
            return KeyringMessages.readPassword(invocation.in());
        }
        Secret typed = invocation.askAtTerminal("Password for '" + TerminalText.line(command.username()) + "' in '"
                + command.service() + "': ", "asking for the password");
        if (typed == null) {
            throw UsageException.badInput("keyring: no password: pipe it on stdin");
        }
        if (typed.isEmpty()) {
            typed.wipe();
            throw new KeyringProtocolException("the password is empty");
        }
        return typed;
    }

    private static int delete(Invocation invocation, KeyringCommand command) throws ConfigException, CredentialException {
        KeyringService service = command.service();
        int erased = ClientLogins.of(invocation, CLIENT).erase("del " + service,
                Logins.Query.exactly(service.login(command.username())));
        if (erased == 0) {
            invocation.err().println("latchkey: keyring: no password for `" + TerminalText.line(command.username()) + "` in `"
                    + service + "` to delete");
            return ExitCodes.NOT_FOUND;
        }
        return ExitCodes.OK;
    }
}
