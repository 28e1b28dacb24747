package dev.latchkey.caller;

import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.door.CommandLine;
import dev.latchkey.daemon.door.Doors;
import dev.latchkey.daemon.door.Route;
import dev.latchkey.daemon.door.UsageException;
import dev.latchkey.daemon.door.VerboseLog;
import dev.latchkey.daemon.service.Version;
import dev.latchkey.daemon.terminal.TerminalPrompt;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code latchkey} program, the caller's side: it offers the invocation to the daemon, which
 * serves it or leaves it here ({@link dev.latchkey.daemon.door.Route} decides), and otherwise runs
 * the same front door in this process ({@link InvocationRunner}). {@code latchkey-relay} makes that
 * offer before a JVM is started, and starts this program only when the daemon left the invocation
 * here ({@code --handback=WHY}); then it is not offered again. The commands only this process
 * runs ({@link CallerCommands}) are never offered.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // Standard output is the protocol channel of the front doors: only their own writer may use
        // it. Anything printed through System.out by accident goes to standard error instead.
        OutputStream stdout = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
        System.setOut(System.err);
        int status;
        try {
            status = run(args, stdout, Environment.ofProcess());
            stdout.flush();
        } catch (RuntimeException | Error | java.io.IOException e) {
            status = Doors.internalError(e, VerboseLog.requested(Arrays.asList(args).contains("-v"), Environment.ofProcess()),
                    System.err);
        }
        System.exit(status);
    }

    private static int run(String[] argv, OutputStream stdout, Environment env) {
        PrintStream stderr = System.err;
        String version = Version.current();
        InvocationRunner runner = new InvocationRunner(env, version);
        CommandLine command = callerCommand(List.of(argv));
        if (command != null) {
            return new CallerCommands(env, InvocationRunner.config(command, env), InvocationRunner.socket(command, env), version,
                    stdout, stderr, runner).run(command);
        }
        return runner.run(List.of(argv), System.in, stdout, stderr, TerminalPrompt.terminals());
    }

    /** The command line when it names a command only this process runs; else null (a usage error is the runner's to tell). */
    private static CommandLine callerCommand(List<String> argv) {
        try {
            CommandLine command = CommandLine.parse(argv);
            return command.word() != null && Route.CALLER_COMMANDS.contains(command.word()) ? command : null;
        } catch (UsageException e) {
            return null;
        }
    }
}
