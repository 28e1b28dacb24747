package dev.latchkey.caller;

import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.door.CommandLine;
import dev.latchkey.daemon.door.Doors;
import dev.latchkey.daemon.door.ExitCodes;
import dev.latchkey.daemon.door.UsageException;
import dev.latchkey.daemon.door.VerboseLog;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The commands only the caller's own process runs ({@link dev.latchkey.daemon.door.Route#CALLER_COMMANDS}):
 * {@code daemon} starts, stops and asks after the daemon itself. Their failures are told as every
 * front door's are.
 */
final class CallerCommands {
    private final Environment env;
    private final Path config;
    private final Path socket;
    private final String version;
    private final OutputStream stdout;
    private final PrintStream stderr;

    CallerCommands(Environment env, Path config, Path socket, String version, OutputStream stdout, PrintStream stderr) {
        this.env = env;
        this.config = config;
        this.socket = socket;
        this.version = version;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    int run(CommandLine command) {
        try {
            return switch (command.word()) {
                case "daemon" -> new DaemonCommand(env, config, socket, version, stdout, stderr).run(
                        new dev.latchkey.daemon.door.Arguments(command.rest()));
                default -> throw new UsageException("unknown command `" + command.word() + "` (see `latchkey --help`)");
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stderr.println("latchkey: interrupted");
            return ExitCodes.FAILURE;
        } catch (Exception e) {
            return Doors.told(e, stderr, VerboseLog.requested(command.verbose(), env));
        }
    }
}
