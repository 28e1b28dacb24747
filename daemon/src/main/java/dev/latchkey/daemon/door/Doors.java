package dev.latchkey.daemon.door;


import dev.latchkey.daemon.config.ConfigException;
import dev.latchkey.daemon.terminal.TerminalText;
import dev.latchkey.protocol.CredentialException;

import java.io.IOException;
import java.io.PrintStream;

/**
 * The one way an invocation is run through its door ({@code doors.FrontDoors} finds the door):
 * wherever it is served, a failure is told and turned into an exit status the same way (docs/man/latchkey.1).
 */
public final class Doors {
    private Doors() {
    }

    /**
     * Runs {@code invocation} through {@code door} and returns its exit status; a failure is told
     * on the invocation's stderr.
     *
     * @throws HandBack when the door leaves the invocation to its caller
     */
    public static int run(Door door, Invocation invocation) throws HandBack {
        try {
            return door.serve(invocation);
        } catch (UsageException | ConfigException | CredentialException | IOException | RuntimeException e) {
            // An Error (out of memory) is left to whoever runs the process.
            return told(e, invocation.command().word(), invocation.err(), invocation.verbose().on());
        } finally {
            invocation.err().flush();
        }
    }

    /**
     * Tells the user of a failure of the command {@code word} on {@code err}, and returns the exit
     * status it makes (docs/man/latchkey.1): a usage error (with the pointer to the command's {@code --help} when
     * that helps), a config file that cannot be used, a store's failure by its kind, an I/O failure,
     * or a bug.
     */
    public static int told(Exception failure, String word, PrintStream err, boolean verbose) {
        if (failure instanceof UsageException e) {
            err.println("latchkey: " + TerminalText.lines(e.getMessage()));
            if (e.helpHelps()) {
                CommandSpec command = Commands.named(word);
                err.println(command == null || command.name().equals("--help") ? "try `latchkey --help`"
                        : "try `latchkey " + command.name() + " --help`");
            }
            return ExitCodes.USAGE;
        } else if (failure instanceof ConfigException e) {
            err.println("latchkey: " + ConfigException.PREFIX + TerminalText.lines(e.getMessage()));
            return ExitCodes.USAGE;
        } else if (failure instanceof CredentialException e) {
            err.println("latchkey: " + TerminalText.lines(e.getMessage()));
            return ExitCodes.of(e.kind());
        } else if (failure instanceof IOException) {
            err.println("latchkey: " + TerminalText.lines(failure.getMessage()));
            return ExitCodes.FAILURE;
        }
        return internalError(failure, verbose, err);
    }

    /**
     * The last resort for a failure nothing else caught, a bug: exit status 4 ("any other failure",
     * docs/man/latchkey.1), never 1, which says "not found". Only the exception's class is named: its message
     * could quote anything, a token included. With {@code verbose} the stack follows, each cause by
     * its class, without messages either.
     */
    public static int internalError(Throwable e, boolean verbose, PrintStream stderr) {
        stderr.println("latchkey: internal error: " + e.getClass().getName()
                + (verbose ? "" : " (run again with -v to see where; please report it)"));
        if (verbose) {
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t != e) {
                    stderr.println("caused by: " + t.getClass().getName());
                }
                for (StackTraceElement frame : t.getStackTrace()) {
                    stderr.println("\tat " + frame);
                }
            }
        }
        stderr.flush();
        return ExitCodes.FAILURE;
    }
}
