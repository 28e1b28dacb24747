package dev.latchkey.daemon.door.cli;

import dev.latchkey.daemon.door.CommandSpec;
import dev.latchkey.daemon.door.Commands;

import java.util.List;

/** The man page latchkey(1), in roff, made from {@link Commands}. */
public final class ManPage {
    private ManPage() {
    }

    private static final List<String[]> ENVIRONMENT = List.of(
            new String[] {"LATCHKEY_CONFIG", "the config file, as --config"},
            new String[] {"LATCHKEY_SOCKET", "the daemon's socket, as --socket"},
            new String[] {"LATCHKEY_NO_DAEMON", "1: serve every request in its own process, as --no-daemon"},
            new String[] {"LATCHKEY_LOG", "1: say on stderr where each request is served and why, as -v"},
            new String[] {"LATCHKEY_AUTOSTART", "0: a request that finds no daemon does not start one"},
            new String[] {"LATCHKEY_PASSPHRASE", "the encrypted store's passphrase (the variable [store.encrypted] passphrase-env names)"},
            new String[] {"CARGO_HOME", "where cargo's config.toml and credentials.toml are"},
            new String[] {"XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_STATE_HOME, XDG_RUNTIME_DIR",
                    "where latchkey's config, token files, metadata and audit log, and socket are"});

    private static final List<String[]> FILES = List.of(
            new String[] {"$XDG_CONFIG_HOME/latchkey/config.toml", "the config (docs/configuration.md); refused when others can write it"},
            new String[] {"$XDG_DATA_HOME/latchkey/tokens.toml", "the file store (mode 0600)"},
            new String[] {"$XDG_DATA_HOME/latchkey/secrets.enc", "the encrypted store"},
            new String[] {"$XDG_STATE_HOME/latchkey/metadata.json", "what latchkey knows of each token: ages, expiry, last use"},
            new String[] {"$XDG_STATE_HOME/latchkey/audit.log", "one line per request"},
            new String[] {"$XDG_RUNTIME_DIR/latchkey/daemon.sock", "the daemon's socket, in a directory only its user may enter"});

    public static String render() {
        StringBuilder man = new StringBuilder();
        man.append(".TH LATCHKEY 1 \"\" \"latchkey\" \"User Commands\"\n");
        man.append(".\\\" Made from the program's one definition of its command line (door.Commands): never edit by hand.\n");
        man.append(".SH NAME\nlatchkey \\- a credential helper for package-registry tokens and logins\n");
        man.append(".SH SYNOPSIS\n");
        for (CommandSpec command : Commands.ALL) {
            man.append(".B latchkey\n").append(escape(command.synopsis().substring("latchkey ".length()))).append("\n.br\n");
        }
        man.append(".SH DESCRIPTION\n").append(escape("latchkey keeps the tokens of package registries and the logins of git, "
                + "container registries, Python indexes and npm registries in the stores you choose (the Linux Secret Service, "
                + "the macOS Keychain, Windows Credential Manager, a file, an encrypted file, cargo's own credentials file), and "
                + "hands them to cargo as its credential provider and to the other clients as their credential helper. One "
                + "per-user daemon answers them when it runs; otherwise each request is served in its own process.")).append('\n');
        man.append(".SH COMMANDS\n");
        for (CommandSpec command : Commands.ALL) {
            man.append(".SS \"").append(escape(command.name()));
            if (!command.arguments().isEmpty()) {
                man.append(' ').append(escape(command.arguments()));
            }
            man.append("\"\n").append(escape(HelpText.sentence(command.summary()))).append('\n');
            for (String paragraph : command.description()) {
                man.append(".PP\n").append(escape(paragraph)).append('\n');
            }
            for (CommandSpec.Option option : command.options()) {
                option(man, option);
            }
            for (CommandSpec.Example example : command.examples()) {
                man.append(".PP\n.nf\n.RS 4\n").append(escape(example.command())).append("\n.RE\n.fi\n").append(escape(example.does()))
                        .append(".\n");
            }
        }
        man.append(".SH GLOBAL OPTIONS\n");
        for (CommandSpec.Option option : Commands.GLOBAL) {
            option(man, option);
        }
        man.append(".SH ENVIRONMENT\n");
        for (String[] variable : ENVIRONMENT) {
            man.append(".TP\n.B ").append(escape(variable[0])).append('\n').append(escape(variable[1])).append('\n');
        }
        man.append(".SH FILES\n");
        for (String[] file : FILES) {
            man.append(".TP\n.I ").append(escape(file[0])).append('\n').append(escape(file[1])).append('\n');
        }
        man.append(".SH EXIT STATUS\n").append(escape(HelpText.EXIT_STATUS)).append(".\n");
        man.append(".SH SEE ALSO\n.BR cargo (1),\n.BR git\\-credential (1),\n.BR secret\\-tool (1)\n");
        return man.toString();
    }

    private static void option(StringBuilder man, CommandSpec.Option option) {
        man.append(".TP\n.B ").append(escape(option.name()));
        if (option.takesValue()) {
            man.append(' ').append(escape(option.value()));
        }
        man.append('\n').append(escape(option.description())).append('\n');
    }

    /** {@code text} safe in roff: backslashes and hyphens escaped, and no line that starts like a request. */
    static String escape(String text) {
        String escaped = text.replace("\\", "\\e").replace("-", "\\-");
        return escaped.startsWith(".") || escaped.startsWith("'") ? "\\&" + escaped : escaped;
    }
}
