package dev.latchkey.caller;

import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.door.Arguments;
import dev.latchkey.daemon.door.CommandLine;
import dev.latchkey.daemon.door.Commands;
import dev.latchkey.daemon.door.Doors;
import dev.latchkey.daemon.door.ExitCodes;
import dev.latchkey.daemon.door.UsageException;
import dev.latchkey.daemon.door.VerboseLog;
import dev.latchkey.daemon.terminal.TerminalPrompt;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The commands only the caller's own process runs ({@link dev.latchkey.daemon.door.Route#CALLER_COMMANDS}):
 * {@code daemon} starts, stops and asks after the daemon itself; {@code exec} runs a command with
 * tokens in its environment and {@code scan} looks for tokens in files and git, both reading the
 * tokens through {@code runner} as {@code latchkey get} does. Their failures are told as every
 * front door's are.
 */
final class CallerCommands {
    private final Environment env;
    private final Path config;
    private final Path socket;
    private final String version;
    private final OutputStream stdout;
    private final PrintStream stderr;
    private final InvocationRunner runner;

    CallerCommands(Environment env, Path config, Path socket, String version, OutputStream stdout, PrintStream stderr,
                   InvocationRunner runner) {
        this.env = env;
        this.config = config;
        this.socket = socket;
        this.version = version;
        this.stdout = stdout;
        this.stderr = stderr;
        this.runner = runner;
    }

    int run(CommandLine command) {
        try {
            return switch (command.word()) {
                case "daemon" -> new DaemonCommand(env, config, socket, version, stdout, stderr).run(
                        new Arguments(Commands.named("daemon"), command.rest()));
                case "exec" -> new ExecCommand(env, config, heldTokens(command), stderr).run(command.rest());
                case "scan" -> new ScanCommand(env, config, heldTokens(command), stdout, stderr, stderrIsTerminal())
                        .run(command.rest());
                default -> throw new UsageException("unknown command `" + command.word() + "` (see `latchkey --help`)");
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stderr.println("latchkey: interrupted");
            return ExitCodes.FAILURE;
        } catch (Exception e) {
            return Doors.told(e, command.word(), stderr, VerboseLog.requested(command.verbose(), env));
        }
    }

    /** Reads tokens with the global options {@code command} was given (its config, socket, -v, --no-daemon). */
    private HeldTokens heldTokens(CommandLine command) {
        List<String> options = new ArrayList<>();
        if (command.config() != null) {
            options.addAll(List.of("--config", command.config()));
        }
        if (command.socket() != null) {
            options.addAll(List.of("--socket", command.socket()));
        }
        if (command.noDaemon()) {
            options.add("--no-daemon");
        }
        if (command.verbose()) {
            options.add("-v");
        }
        return new HeldTokens(runner, options, stderr, stderrIsTerminal());
    }

    private static boolean stderrIsTerminal() {
        return TerminalPrompt.terminals().contains(2);
    }
}
