package dev.latchkey.daemon.door;

import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.service.Caller;
import dev.latchkey.daemon.service.Services;
import dev.latchkey.daemon.terminal.TerminalPrompt;
import dev.latchkey.protocol.Secret;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One run of the {@code latchkey} program as a front door sees it, wherever it is served: its
 * command line, its standard streams, the caller's environment (variables and working directory),
 * who the caller is, and the services to answer from. In the daemon the streams are the relay's
 * frames and the environment is the part of the caller's the relay sent; in the caller's own
 * process they are its own.
 */
public final class Invocation {
    /** Told each time a door has answered all of its input up to a byte count; the relay's {@code done} frames. */
    @FunctionalInterface
    public interface Progress {
        /** In the caller's own process, where nothing waits for the marks. A class, not a lambda: see docs/architecture.md, "The cold path". */
        Progress NONE = new Progress() {
            @Override
            public void answered(long consumed) {
            }
        };

        void answered(long consumed) throws IOException;
    }

    private final CommandLine command;
    private final InputStream in;
    private final OutputStream out;
    private final PrintStream err;
    private final Environment env;
    /** The token variables the caller holds that the daemon cannot read (the relay names them); empty in the caller. */
    private final Set<String> withheldTokenVariables;
    private final Set<Integer> terminals;
    private final Services services;
    private final Supplier<Caller> callerLookup;
    private final Progress progress;
    private final String version;
    /** Null in the caller's process; the daemon's socket when the daemon serves. */
    private final Path daemonSocket;
    private final VerboseLog verbose;
    private Caller caller;

    private Invocation(CommandLine command, InputStream in, OutputStream out, PrintStream err, Environment env,
                       Set<String> withheldTokenVariables, Set<Integer> terminals, Services services, Supplier<Caller> callerLookup,
                       Progress progress, String version, Path daemonSocket) {
        this.command = command;
        this.in = in;
        this.out = out;
        this.err = err;
        this.env = env;
        this.withheldTokenVariables = Set.copyOf(withheldTokenVariables);
        this.terminals = Set.copyOf(terminals);
        this.services = services;
        this.callerLookup = callerLookup;
        this.progress = progress;
        this.version = version;
        this.daemonSocket = daemonSocket;
        this.verbose = VerboseLog.to(err, VerboseLog.requested(command.verbose(), env));
    }

    /** An invocation served in the caller's own process, whose parent is the one who asks. */
    public static Invocation inCaller(CommandLine command, InputStream in, OutputStream out, PrintStream err, Environment env,
                                      Set<Integer> terminals, Services services, String version) {
        return new Invocation(command, in, out, err, env, Set.of(), terminals, services, PARENT_OF_THIS_PROCESS, Progress.NONE,
                version, null);
    }

    /**
     * An invocation a caller relayed to the daemon listening on {@code socket}; {@code env} is what
     * the relay sent of the caller's environment, {@code withheldTokenVariables} the token variables
     * it said are set, whose values only the caller has.
     */
    public static Invocation inDaemon(CommandLine command, InputStream in, OutputStream out, PrintStream err, Environment env,
                                      Set<String> withheldTokenVariables, Set<Integer> terminals, Services services,
                                      Supplier<Caller> caller, Progress progress, String version, Path socket) {
        return new Invocation(command, in, out, err, env, withheldTokenVariables, terminals, services, caller, progress, version,
                socket);
    }

    /**
     * A class rather than the method reference {@code Caller::parentOfThisProcess}: linking one
     * costs a fresh JVM a few milliseconds, on the path of every request served without a daemon.
     */
    private static final Supplier<Caller> PARENT_OF_THIS_PROCESS = new Supplier<>() {
        @Override
        public Caller get() {
            return Caller.parentOfThisProcess();
        }
    };

    public CommandLine command() {
        return command;
    }

    /** The command's own arguments, to be consumed as it reads its options. */
    public Arguments arguments() {
        return new Arguments(Commands.named(command.word()), command.rest());
    }

    /**
     * The caller's stdin.
     *
     * @throws HandBack in the daemon when the caller's stdin is a terminal: what a person types
     *                  there is read by the caller's own process (the relays do not read a terminal)
     */
    public InputStream in() throws HandBack {
        if (!inCaller() && isTerminal(0)) {
            throw Route.needsTerminal("reading what is typed at the terminal");
        }
        return in;
    }

    public OutputStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    /** The caller's environment: its variables (in the daemon, those the relay sends) and working directory. */
    public Environment environment() {
        return env;
    }

    /** The token variables the caller holds and this process cannot read: in the daemon, those the relay named; none in the caller. */
    public Set<String> withheldTokenVariables() {
        return withheldTokenVariables;
    }

    /** Whether the caller's file descriptor {@code fd} (0, 1, 2) is a terminal. */
    public boolean isTerminal(int fd) {
        return terminals.contains(fd);
    }

    public Services services() {
        return services;
    }

    /** The config file the command line or {@code LATCHKEY_CONFIG} names, in the caller's terms; null: the default one. */
    public Path config() {
        return command.config() != null ? env.expand(command.config()) : env.expandedPath("LATCHKEY_CONFIG");
    }

    /** Who asks, for the audit log; looked up when first needed. */
    public Caller caller() {
        if (caller == null) {
            caller = callerLookup.get();
        }
        return caller;
    }

    public VerboseLog verbose() {
        return verbose;
    }

    public String version() {
        return version;
    }

    /** Whether this runs in the caller's own process (which has the caller's terminal), rather than in the daemon. */
    public boolean inCaller() {
        return daemonSocket == null;
    }

    /** Who serves, as {@code -v} says it. */
    public String servedBy() {
        if (daemonSocket != null) {
            return "answered by the daemon on " + daemonSocket;
        }
        return "served in this process" + (command.handback() != null ? " (" + command.handback() + ")" : "");
    }

    /** Whether the daemon answered part of the input already: the door's greeting is sent, and its input starts after that part. */
    public boolean resumed() {
        return command.resumed();
    }

    /** Everything read up to input byte {@code consumed} is answered and its output written. */
    public void answered(long consumed) throws IOException {
        out.flush();
        err.flush();
        progress.answered(consumed);
    }

    /**
     * Asks the person at the caller's terminal for a secret, without echo; null when the caller
     * has no terminal.
     *
     * @throws HandBack in the daemon, which has no terminal of the caller's
     */
    public Secret askAtTerminal(String prompt, String forWhat) throws HandBack, IOException {
        if (!inCaller()) {
            throw Route.needsTerminal(forWhat);
        }
        return TerminalPrompt.readSecret(prompt);
    }
}
