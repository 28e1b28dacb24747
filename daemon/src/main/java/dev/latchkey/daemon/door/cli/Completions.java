package dev.latchkey.daemon.door.cli;

import dev.latchkey.daemon.config.StoreId;
import dev.latchkey.daemon.door.CommandSpec;
import dev.latchkey.daemon.door.CommandSpec.Completion;
import dev.latchkey.daemon.door.Commands;
import dev.latchkey.protocol.Operation;

import java.util.ArrayList;
import java.util.List;

/** Shell completions for bash, zsh and fish, made from {@link Commands}. */
public final class Completions {
    private static final String MADE = "Made from the program's one definition of its command line (door.Commands): never edit by hand.";

    private Completions() {
    }

    private static String stores() {
        return StoreId.allNames().replace(",", "");
    }

    private static String operations() {
        List<String> names = new ArrayList<>();
        for (Operation operation : Operation.values()) {
            if (operation != Operation.UNKNOWN) {
                names.add(operation.wire());
            }
        }
        return String.join(" ", names);
    }

    private static String commandNames() {
        List<String> names = new ArrayList<>();
        for (CommandSpec command : Commands.ALL) {
            names.add(command.name());
        }
        return String.join(" ", names);
    }

    private static String optionNames(List<CommandSpec.Option> options) {
        List<String> names = new ArrayList<>();
        for (CommandSpec.Option option : options) {
            names.add(option.name());
        }
        return String.join(" ", names);
    }

    // ---- bash ----

    public static String bash() {
        StringBuilder out = new StringBuilder("# bash completion for latchkey. ").append(MADE).append('\n');
        out.append("_latchkey() {\n");
        out.append("    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} command= i\n");
        out.append("    for ((i = 1; i < COMP_CWORD; i++)); do\n");
        out.append("        case ${COMP_WORDS[i]} in\n");
        out.append("            --config|--socket) ((i++)) ;;\n");
        out.append("            --no-daemon|-v) ;;\n");
        out.append("            *) command=${COMP_WORDS[i]}; break ;;\n");
        out.append("        esac\n");
        out.append("    done\n");
        out.append("    case $prev in\n");
        appendBashValues(out, Commands.GLOBAL, "        ");
        out.append("    esac\n");
        out.append("    if [ -z \"$command\" ]; then\n");
        out.append("        COMPREPLY=($(compgen -W \"").append(commandNames()).append(' ').append(optionNames(Commands.GLOBAL))
                .append("\" -- \"$cur\"))\n        return\n    fi\n");
        out.append("    case $command in\n");
        for (CommandSpec command : Commands.ALL) {
            out.append("        ").append(command.name().equals("--help") ? "--help|help" : command.name()).append(")\n");
            out.append("            case $prev in\n");
            appendBashValues(out, command.options(), "                ");
            out.append("            esac\n");
            out.append("            if [[ $cur == -* ]]; then\n");
            out.append("                COMPREPLY=($(compgen -W \"").append(optionNames(command.options())).append(' ')
                    .append(optionNames(Commands.GLOBAL)).append("\" -- \"$cur\"))\n");
            out.append("            else\n");
            out.append("                ").append(bashPositional(command)).append('\n');
            out.append("            fi\n            ;;\n");
        }
        out.append("    esac\n}\ncomplete -F _latchkey latchkey\n");
        return out.toString();
    }

    private static void appendBashValues(StringBuilder out, List<CommandSpec.Option> options, String indent) {
        for (CommandSpec.Option option : options) {
            if (option.takesValue()) {
                out.append(indent).append(option.name()).append(") ").append(bashValue(option.completes())).append("; return ;;\n");
            }
        }
    }

    private static String bashValue(Completion completion) {
        return switch (completion) {
            case FILE -> "COMPREPLY=($(compgen -f -- \"$cur\"))";
            case DIRECTORY -> "COMPREPLY=($(compgen -d -- \"$cur\"))";
            case STORE -> "COMPREPLY=($(compgen -W \"" + stores() + "\" -- \"$cur\"))";
            case OPERATION, OPERATIONS -> "COMPREPLY=($(compgen -W \"" + operations() + "\" -- \"$cur\"))";
            case NOTHING, WORDS -> "COMPREPLY=()";
        };
    }

    private static String bashPositional(CommandSpec command) {
        if (command.name().equals("--help")) {
            return "COMPREPLY=($(compgen -W \"" + commandNames() + "\" -- \"$cur\"))";
        }
        if (command.completes() == Completion.WORDS) {
            return "COMPREPLY=($(compgen -W \"" + String.join(" ", command.words()) + "\" -- \"$cur\"))";
        }
        return bashValue(command.completes());
    }

    // ---- zsh ----

    public static String zsh() {
        StringBuilder out = new StringBuilder("#compdef latchkey\n# zsh completion for latchkey. ").append(MADE).append('\n');
        out.append("_latchkey() {\n    local context state state_descr line\n    typeset -A opt_args\n");
        out.append("    _arguments -C \\\n");
        for (CommandSpec.Option option : Commands.GLOBAL) {
            out.append("        ").append(zshOption(option)).append(" \\\n");
        }
        out.append("        '1:command:->command' \\\n        '*::argument:->argument'\n");
        out.append("    case $state in\n        command)\n            local -a commands\n            commands=(\n");
        for (CommandSpec command : Commands.ALL) {
            out.append("                ").append(zshQuote(command.name().replace(":", "\\:") + ":" + command.summary())).append('\n');
        }
        out.append("            )\n            _describe -t commands 'latchkey command' commands\n            ;;\n");
        out.append("        argument)\n            case $words[1] in\n");
        for (CommandSpec command : Commands.ALL) {
            out.append("                ").append(command.name().equals("--help") ? "--help|help" : command.name()).append(")\n");
            out.append("                    _arguments");
            for (CommandSpec.Option option : command.options()) {
                out.append(" \\\n                        ").append(zshOption(option));
            }
            String positional = zshPositional(command);
            if (positional != null) {
                out.append(" \\\n                        ").append(positional);
            }
            out.append("\n                    ;;\n");
        }
        out.append("            esac\n            ;;\n    esac\n}\n_latchkey \"$@\"\n");
        return out.toString();
    }

    private static String zshOption(CommandSpec.Option option) {
        String spec = option.name() + "[" + option.description().replace("[", "(").replace("]", ")").replace(":", "\\:") + "]";
        if (option.takesValue()) {
            spec += ":" + option.value().toLowerCase(java.util.Locale.ROOT) + ":" + zshAction(option.completes());
        }
        return zshQuote(spec);
    }

    private static String zshAction(Completion completion) {
        return switch (completion) {
            case FILE -> "_files";
            case DIRECTORY -> "_files -/";
            case STORE -> "(" + stores() + ")";
            case OPERATION -> "(" + operations() + ")";
            case OPERATIONS -> "_sequence compadd - " + operations();
            case NOTHING, WORDS -> " ";
        };
    }

    private static String zshPositional(CommandSpec command) {
        if (command.name().equals("--help")) {
            return zshQuote("1:command:(" + commandNames() + ")");
        }
        if (command.completes() == Completion.WORDS) {
            return zshQuote("1:argument:(" + String.join(" ", command.words()) + ")");
        }
        if (command.completes() == Completion.FILE || command.completes() == Completion.DIRECTORY) {
            return zshQuote("*:path:" + zshAction(command.completes()));
        }
        return null;
    }

    /** {@code text} in single quotes, for zsh. */
    private static String zshQuote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }

    // ---- fish ----

    public static String fish() {
        StringBuilder out = new StringBuilder("# fish completion for latchkey. ").append(MADE).append('\n');
        out.append("complete -c latchkey -f\n");
        for (CommandSpec.Option option : Commands.GLOBAL) {
            out.append(fishOption(option, null)).append('\n');
        }
        for (CommandSpec command : Commands.ALL) {
            String name = command.name();
            out.append("complete -c latchkey -n __fish_use_subcommand ");
            out.append(name.startsWith("--") ? "-l " + name.substring(2) : "-a " + name);
            out.append(" -d ").append(fishQuote(command.summary())).append('\n');
        }
        for (CommandSpec command : Commands.ALL) {
            String seen = "__fish_seen_subcommand_from " + command.name();
            for (CommandSpec.Option option : command.options()) {
                out.append(fishOption(option, seen)).append('\n');
            }
            if (command.completes() == Completion.WORDS && !command.words().isEmpty()) {
                out.append("complete -c latchkey -n ").append(fishQuote(seen)).append(" -a ")
                        .append(fishQuote(String.join(" ", command.words()))).append('\n');
            } else if (command.completes() == Completion.FILE) {
                out.append("complete -c latchkey -n ").append(fishQuote(seen)).append(" -F\n");
            }
        }
        return out.toString();
    }

    private static String fishOption(CommandSpec.Option option, String condition) {
        StringBuilder line = new StringBuilder("complete -c latchkey");
        if (condition != null) {
            line.append(" -n ").append(fishQuote(condition));
        }
        String name = option.name();
        line.append(name.startsWith("--") ? " -l " + name.substring(2) : " -o " + name.substring(1));
        if (option.takesValue()) {
            switch (option.completes()) { // -x: a value, and no file names offered for it; -r -F: a file name
                case FILE, DIRECTORY -> line.append(" -r -F");
                case STORE -> line.append(" -x -a ").append(fishQuote(stores()));
                case OPERATION, OPERATIONS -> line.append(" -x -a ").append(fishQuote(operations()));
                case NOTHING, WORDS -> line.append(" -x");
            }
        }
        return line.append(" -d ").append(fishQuote(option.description())).toString();
    }

    /** {@code text} in single quotes, for fish. */
    private static String fishQuote(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
