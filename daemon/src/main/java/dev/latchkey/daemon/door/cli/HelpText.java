package dev.latchkey.daemon.door.cli;

import dev.latchkey.daemon.door.CommandSpec;
import dev.latchkey.daemon.door.Commands;

import java.util.ArrayList;
import java.util.List;

/** What {@code latchkey --help} and {@code latchkey COMMAND --help} print, made from {@link Commands}. */
public final class HelpText {
    private static final int WIDTH = 100;
    static final String EXIT_STATUS = "0 ok, 1 not found, 2 usage or bad input, 3 a store is locked, unavailable or denied, "
            + "4 any other failure; exec exits with its command's status, scan with 1 when it found a token";

    private HelpText() {
    }

    /** The commands at a glance. */
    public static String overview() {
        StringBuilder out = new StringBuilder("latchkey keeps package-registry tokens and logins, and hands them to cargo, git, "
                + "docker, pip and pnpm.\n\nusage: latchkey [GLOBAL OPTIONS] COMMAND [ARGS]\n\ncommands:\n");
        int width = 0;
        for (CommandSpec command : Commands.ALL) {
            width = Math.max(width, usage(command).length());
        }
        for (CommandSpec command : Commands.ALL) {
            String usage = usage(command);
            out.append("  ").append(usage).append(" ".repeat(width - usage.length() + 2)).append(command.summary()).append('\n');
        }
        out.append("\nglobal options:\n");
        appendOptions(out, Commands.GLOBAL);
        out.append("\nexit status: ").append(wrap(EXIT_STATUS, WIDTH - 13, 13).substring(13)).append('\n');
        out.append("\n`latchkey COMMAND --help` tells more of one command; the man page is latchkey(1).\n");
        return out.toString();
    }

    /** One command: synopsis, what it does, its options, examples. */
    public static String of(CommandSpec command) {
        StringBuilder out = new StringBuilder("usage: ").append(command.synopsis()).append("\n\n");
        out.append(sentence(command.summary())).append("\n\n");
        for (String paragraph : command.description()) {
            out.append(wrap(paragraph, WIDTH, 0)).append("\n\n");
        }
        if (!command.options().isEmpty()) {
            out.append("options:\n");
            appendOptions(out, command.options());
            out.append('\n');
        }
        if (!command.examples().isEmpty()) {
            out.append("examples:\n");
            for (CommandSpec.Example example : command.examples()) {
                out.append("  ").append(example.command()).append('\n').append(wrap(example.does(), WIDTH, 6)).append('\n');
            }
            out.append('\n');
        }
        out.append("global options (--config PATH, --socket PATH, --no-daemon, -v): see `latchkey --help`.\n");
        return out.toString();
    }

    /** {@code summary} as a sentence: a capital first, a full stop last. */
    static String sentence(String summary) {
        return Character.toUpperCase(summary.charAt(0)) + summary.substring(1) + ".";
    }

    /** How the overview shows a command: its word and positional arguments. */
    private static String usage(CommandSpec command) {
        return command.arguments().isEmpty() ? command.name() : command.name() + " " + command.arguments();
    }

    private static void appendOptions(StringBuilder out, List<CommandSpec.Option> options) {
        for (CommandSpec.Option option : options) {
            out.append("  ").append(option.name());
            if (option.takesValue()) {
                out.append(' ').append(option.value());
            }
            out.append('\n').append(wrap(option.description(), WIDTH, 6)).append('\n');
        }
    }

    /** {@code text} in lines of at most {@code width} characters, each indented by {@code indent} spaces. */
    static String wrap(String text, int width, int indent) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && indent + line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        lines.add(line.toString());
        String pad = " ".repeat(indent);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            if (i > 0) {
                out.append('\n');
            }
            out.append(pad).append(lines.get(i));
        }
        return out.toString();
    }
}
