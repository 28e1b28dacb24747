package dev.latchkey.daemon.door;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code latchkey} program's command line, as the program and the daemon both read it: the
 * global options (before a {@code --}, wherever they stand), the command word, and the rest for
 * the command.
 *
 * @param word       what selects the front door or command: {@code --cargo-plugin}, {@code stdio},
 *                   {@code get}, ..., {@code --version}, {@code --help}; null when none was given
 * @param rest       the arguments left for the command, in order
 * @param config     {@code --config PATH} as written, or null
 * @param socket     {@code --socket PATH} as written, or null
 * @param noDaemon   {@code --no-daemon}
 * @param verbose    {@code -v}
 * @param resumedAt  {@code --resumed=K}: the daemon answered the input's first K bytes (docs/relay-protocol.md); -1 when not resumed
 * @param handback   {@code --handback=WHY}: why the daemon left this invocation to this process, or null
 */
public record CommandLine(String word, List<String> rest, String config, String socket, boolean noDaemon, boolean verbose,
                          long resumedAt, String handback) {
    /** The words that are flags rather than commands, and select a front door all the same. */
    private static final List<String> FLAG_WORDS = List.of("--cargo-plugin", "--version", "--help", "-h");

    public CommandLine {
        rest = List.copyOf(rest);
    }

    public static CommandLine parse(List<String> argv) throws UsageException {
        List<String> rest = new ArrayList<>();
        String word = null;
        String config = null;
        String socket = null;
        boolean noDaemon = false;
        boolean verbose = false;
        long resumedAt = -1;
        String handback = null;
        boolean endOfOptions = false;
        for (int i = 0; i < argv.size(); i++) {
            String arg = argv.get(i);
            if (endOfOptions) {
                rest.add(arg);
            } else if (arg.equals("--")) {
                endOfOptions = true;
                rest.add(arg);
            } else if (arg.equals("--config") || arg.equals("--socket")) {
                if (i + 1 >= argv.size()) {
                    throw new UsageException(arg + " needs a value");
                }
                String value = argv.get(++i);
                if (arg.equals("--config")) {
                    config = value;
                } else {
                    socket = value;
                }
            } else if (arg.startsWith("--config=")) {
                config = arg.substring("--config=".length());
            } else if (arg.startsWith("--socket=")) {
                socket = arg.substring("--socket=".length());
            } else if (arg.equals("--no-daemon")) {
                noDaemon = true;
            } else if (arg.equals("-v")) {
                verbose = true;
            } else if (arg.startsWith("--resumed=")) {
                resumedAt = resumePoint(arg.substring("--resumed=".length()));
            } else if (arg.startsWith("--handback=")) {
                handback = arg.substring("--handback=".length());
            } else if (word == null && (FLAG_WORDS.contains(arg) || !arg.startsWith("-"))) {
                word = arg.equals("-h") ? "--help" : arg;
            } else {
                rest.add(arg);
            }
        }
        return new CommandLine(word, rest, config, socket, noDaemon, verbose, resumedAt, handback);
    }

    private static long resumePoint(String value) throws UsageException {
        try {
            long point = Long.parseLong(value);
            if (point >= 0) {
                return point;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("--resumed takes the count of input bytes the daemon answered");
    }

    /** The same command line, served in this process after the daemon left it, from {@code resumedAt}, for {@code why}. */
    public CommandLine handedBack(long resumedAt, String why) {
        return new CommandLine(word, rest, config, socket, noDaemon, verbose, resumedAt, why);
    }

    /** Whether the daemon answered part of the input already, which this process resumes after. */
    public boolean resumed() {
        return resumedAt >= 0;
    }
}
