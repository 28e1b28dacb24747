package dev.latchkey.daemon.door;

import java.util.List;

/**
 * One command of the {@code latchkey} program as people read about it: its arguments, what it
 * does, its options and examples. The parser ({@link Arguments}) accepts exactly the options
 * declared here, and {@code --help}, the man page and the shell completions are made from the same
 * values ({@link Commands}), so none of them can say something the program does not do.
 *
 * @param name        the command word ({@code get}, {@code daemon}, {@code --cargo-plugin})
 * @param arguments   its positional arguments as the synopsis shows them ({@code REGISTRY}), or empty
 * @param summary     one line, for the overview
 * @param description paragraphs for {@code latchkey NAME --help} and the man page
 * @param options     what it accepts after the word, besides the global options
 * @param examples    commands people can paste, each with what it does
 * @param completes   what its positional arguments are, for the shell completions
 * @param words       the words its first positional argument takes, when {@code completes} is {@link Completion#WORDS}
 */
public record CommandSpec(String name, String arguments, String summary, List<String> description, List<Option> options,
                          List<Example> examples, Completion completes, List<String> words) {
    public CommandSpec {
        description = List.copyOf(description);
        options = List.copyOf(options);
        examples = List.copyOf(examples);
        words = List.copyOf(words);
    }

    /** One option: {@code --name}, or {@code --name VALUE} when {@code value} is not null. */
    public record Option(String name, String value, String description, Completion completes) {
        public static Option flag(String name, String description) {
            return new Option(name, null, description, Completion.NOTHING);
        }

        public static Option valued(String name, String value, Completion completes, String description) {
            return new Option(name, value, description, completes);
        }

        public boolean takesValue() {
            return value != null;
        }
    }

    /** A command line and what it does. */
    public record Example(String command, String does) {
    }

    /** What a shell may offer in a place: nothing, a file, a store's name, an operation, or a fixed word. */
    public enum Completion {
        NOTHING, FILE, DIRECTORY, STORE, OPERATION, OPERATIONS, WORDS
    }

    /** The option called {@code name}, or null. */
    public Option option(String name) {
        for (Option option : options) {
            if (option.name().equals(name)) {
                return option;
            }
        }
        return null;
    }

    /** {@code latchkey NAME [OPTIONS] ARGUMENTS}, as a usage line shows it. */
    public String synopsis() {
        StringBuilder line = new StringBuilder("latchkey ").append(name);
        for (Option option : options) {
            line.append(" [").append(option.name());
            if (option.takesValue()) {
                line.append(' ').append(option.value());
            }
            line.append(']');
        }
        if (!arguments.isEmpty()) {
            line.append(' ').append(arguments);
        }
        return line.toString();
    }
}
