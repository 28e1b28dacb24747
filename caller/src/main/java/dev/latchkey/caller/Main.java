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
import dev.latchkey.daemon.door.VerboseLog;
import dev.latchkey.daemon.service.Services;
import dev.latchkey.daemon.service.Version;
import dev.latchkey.daemon.terminal.TerminalPrompt;
import dev.latchkey.daemon.terminal.TerminalText;
import dev.latchkey.protocol.relay.RelayHeader;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code latchkey} program, the caller's side: it offers the invocation to the daemon, which
 * serves it or leaves it here ({@link dev.latchkey.daemon.door.Route} decides), and otherwise runs
 * the same front door in this process. {@code latchkey-relay} makes that offer before a JVM is
 * started, and starts this program only when the daemon left the invocation here
 * ({@code --handback=WHY}); then it is not offered again.
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
        CommandLine command;
        try {
            command = CommandLine.parse(List.of(argv));
        } catch (UsageException e) {
            stderr.println("latchkey: " + TerminalText.lines(e.getMessage()));
            stderr.println("try `latchkey --help`");
            return ExitCodes.USAGE;
        }
        String version = Version.current();
        Path socket = command.socket() != null ? env.expand(command.socket()) : new Locations(env).socket();
        Path config = command.config() != null ? env.expand(command.config()) : env.expandedPath("LATCHKEY_CONFIG");
        if (command.word() != null && Route.CALLER_COMMANDS.contains(command.word())) {
            return new CallerCommands(env, config, socket, version, stdout, stderr).run(command);
        }
        Set<Integer> terminals = TerminalPrompt.terminals();
        InputStream stdin = System.in;
        if (command.handback() == null && Route.toldToServeHere(command, env) != null) {
            command = command.handedBack(-1, Route.toldToServeHere(command, env));
        }
        if (command.handback() == null) {
            Optional<RelayHeader> header = RelayHeader.of(version, List.of(argv), env.workingDirectory().toString(),
                    env.variables(), terminals);
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
                stdin = here.input();
            }
        }
        Services services = new Services(env, config, version);
        Invocation invocation = Invocation.inCaller(command, stdin, stdout, stderr, env, terminals, services, version);
        int status;
        try {
            status = Doors.run(Doors.forWord(command.word()), invocation);
        } catch (HandBack e) {
            throw new IllegalStateException("a front door handed an invocation back to the caller's own process", e);
        }
        Autostart.afterServing(command, env, config, socket, services, stderr);
        return status;
    }
}
