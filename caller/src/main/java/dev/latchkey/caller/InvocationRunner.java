package dev.latchkey.caller;

import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.config.Locations;
import dev.latchkey.daemon.door.CommandLine;
import dev.latchkey.daemon.door.Doors;
import dev.latchkey.daemon.door.ExitCodes;
import dev.latchkey.daemon.door.HandBack;
import dev.latchkey.daemon.door.Invocation;
import dev.latchkey.daemon.door.Route;
import dev.latchkey.daemon.door.UsageException;
import dev.latchkey.daemon.doors.FrontDoors;
import dev.latchkey.daemon.service.Services;
import dev.latchkey.daemon.terminal.TerminalText;
import dev.latchkey.protocol.relay.RelayHeader;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Runs one invocation of a front door, given as the program's arguments and standard streams:
 * offers it to the daemon, which serves it or leaves it here ({@link Route} decides), and otherwise
 * serves it in this process with the same front door. The program's own invocation goes through
 * here ({@link Main}), and so do those that {@code exec} and {@code scan} make to read tokens, so
 * that a running daemon answers them as it answers {@code latchkey get}.
 */
final class InvocationRunner {
    private final Environment env;
    private final String version;
    /** Made when an invocation is first served here, then kept for the next. */
    private Services services;
    private Path servicesConfig;

    InvocationRunner(Environment env, String version) {
        this.env = env;
        this.version = version;
    }

    /**
     * Runs {@code argv}, reading {@code stdin} and writing {@code stdout} and {@code stderr};
     * {@code terminals} are the file descriptors (0, 1, 2) among those streams that are a terminal.
     * Returns the exit status.
     */
    int run(List<String> argv, InputStream stdin, OutputStream stdout, PrintStream stderr, Set<Integer> terminals) {
        CommandLine command;
        try {
            command = CommandLine.parse(argv);
        } catch (UsageException e) {
            stderr.println("latchkey: " + TerminalText.lines(e.getMessage()));
            stderr.println("try `latchkey --help`");
            return ExitCodes.USAGE;
        }
        Path socket = socket(command, env);
        Path config = config(command, env);
        InputStream input = stdin;
        String toldHere = Route.toldToServeHere(command, env);
        if (command.handback() == null && toldHere != null) {
            command = command.handedBack(-1, toldHere);
        }
        if (command.handback() == null) {
            Optional<RelayHeader> header = RelayHeader.of(version, argv, env.workingDirectory().toString(), env.variables(),
                    terminals);
            if (header.isEmpty()) {
                command = command.handedBack(-1, "an argument, the working directory or a variable holds a line break, "
                        + "which the relay cannot carry");
            } else {
                DaemonCall.Outcome outcome = DaemonCall.relay(socket, header.get(), stdin, stdout, stderr);
                if (outcome instanceof DaemonCall.Served served) {
                    return served.status();
                }
                DaemonCall.ServeHere here = (DaemonCall.ServeHere) outcome;
                command = command.handedBack(here.resumedAt(), here.why());
                input = here.input();
            }
        }
        Services served = services(config);
        Invocation invocation = Invocation.inCaller(command, input, stdout, stderr, env, terminals, served, version);
        int status;
        try {
            status = Doors.run(FrontDoors.of(command), invocation);
        } catch (HandBack e) {
            throw new IllegalStateException("a front door handed an invocation back to the caller's own process", e);
        }
        Autostart.afterServing(command, env, config, socket, served, stderr);
        return status;
    }

    /** The daemon's socket: {@code --socket}, else where {@link Locations} puts it. */
    static Path socket(CommandLine command, Environment env) {
        return command.socket() != null ? env.expand(command.socket()) : new Locations(env).socket();
    }

    /** The config file {@code --config} or {@code LATCHKEY_CONFIG} names; null: the default one. */
    static Path config(CommandLine command, Environment env) {
        return command.config() != null ? env.expand(command.config()) : env.expandedPath("LATCHKEY_CONFIG");
    }

    private Services services(Path config) {
        if (services == null || !Objects.equals(servicesConfig, config)) {
            services = new Services(env, config, version);
            servicesConfig = config;
        }
        return services;
    }
}
