package dev.latchkey.daemon.store.encrypted;

import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.daemon.terminal.TerminalPrompt;
import dev.latchkey.protocol.Secret;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the encrypted store's passphrase comes from: the variable {@code [store.encrypted]
 * passphrase-env} names, else the person at the terminal (asked without echo), else nowhere, and
 * the store is locked. The daemon never asks: the person at its terminal, if it has one, is not the
 * one whose request it serves.
 */
public final class Passphrases {
    /** Where a person can be asked. */
    public interface Terminal {
        /** The controlling terminal, through {@link TerminalPrompt}. */
        Terminal CONTROLLING = new Terminal() {
            @Override
            public boolean available() {
                return TerminalPrompt.available();
            }

            @Override
            public Secret ask(String prompt) throws IOException {
                return TerminalPrompt.readSecret(prompt);
            }
        };

        /** Whether there is someone to ask, without asking. */
        boolean available();

        /** The line typed after {@code prompt}, without echo; null when there is no terminal. */
        Secret ask(String prompt) throws IOException;
    }

    private final Environment env;
    private final String variable;
    private final Terminal terminal;

    /** {@code terminal}: where to ask when the variable is unset; null for the daemon, which never asks. */
    public Passphrases(Environment env, String variable, Terminal terminal) {
        this.env = env;
        this.variable = variable;
        this.terminal = terminal;
    }

    /** The passphrase that should open {@code file}. */
    Secret toOpen(Path file) throws StoreException {
        Optional<String> set = env.get(variable);
        if (set.isPresent()) {
            return Secret.fromString(set.get());
        }
        return required(ask("passphrase for the encrypted store " + file + ": "), file);
    }

    /** The passphrase a new {@code file} is made with; typed twice when it is asked for. */
    Secret toCreate(Path file) throws StoreException {
        Optional<String> set = env.get(variable);
        if (set.isPresent()) {
            return Secret.fromString(set.get());
        }
        Secret typed = required(ask("new passphrase for the encrypted store " + file
                + " (nothing recovers its tokens without it): "), file);
        if (typed.isEmpty()) {
            throw new StoreException.Refused("an empty passphrase protects nothing; nothing was written: "
                    + "store again and type a passphrase");
        }
        try (Secret again = required(ask("the same passphrase again: "), file)) {
            if (!typed.equals(again)) {
                typed.wipe();
                throw new StoreException.Refused("the two passphrases differ; nothing was written: store again");
            }
        }
        return typed;
    }

    /** Where the passphrase will come from, or empty when it cannot be had here. */
    Optional<String> source() {
        if (env.get(variable).isPresent()) {
            return Optional.of("$" + variable);
        }
        return terminal != null && terminal.available() ? Optional.of("asked at the terminal") : Optional.empty();
    }

    /** Said of a passphrase that did not open the file, with the fix. */
    String wrong(Path file) {
        String from = env.get(variable).isPresent() ? "the passphrase in $" + variable : "the passphrase typed";
        return "wrong passphrase: " + from + " does not open the encrypted store " + file + " (or the file's header "
                + "was changed); give the passphrase the file was created with (in $" + variable + ", or typed at "
                + "the terminal). latchkey did not change the file";
    }

    /** Why there is no passphrase, with the ways to give one. */
    String missing(Path file) {
        String how = terminal != null
                ? "set " + variable + " (the variable [store.encrypted] passphrase-env names), or run latchkey at a terminal to be asked"
                // Often the command that forwarded here has the variable and the daemon, started elsewhere, has not.
                : "the daemon, which never asks, was started without " + variable + " (the variable [store.encrypted] "
                        + "passphrase-env names) and takes it from its own environment only: restart it with the variable "
                        + "set (`latchkey daemon stop`, then `latchkey daemon` where " + variable + " is set), or run the "
                        + "command with --no-daemon, which takes it from the command's environment or asks at the terminal";
        return "locked: no passphrase for the encrypted store " + file + ": " + how
                + "; or keep a new file's key in the keychain ([store.encrypted] key = \"keychain\")";
    }

    private Secret ask(String prompt) throws StoreException {
        if (terminal == null) {
            return null;
        }
        try {
            return terminal.ask(prompt);
        } catch (IOException e) {
            throw new StoreException.Unavailable("could not read the passphrase from the terminal: " + e.getMessage());
        }
    }

    private Secret required(Secret typed, Path file) throws StoreException {
        if (typed == null) {
            throw new StoreException.Locked(missing(file));
        }
        return typed;
    }
}
