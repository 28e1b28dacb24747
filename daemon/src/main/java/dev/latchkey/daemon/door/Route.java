package dev.latchkey.daemon.door;

import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.config.Locations;
import dev.latchkey.protocol.relay.RelayHeader;

import java.nio.file.Path;
import java.util.Set;

/**
 * Where an invocation is served: by the daemon, or by the process the client started (the
 * caller). The reasons are written for the caller, which prints them with {@code -v}. Every rule that leaves an invocation to its caller is here; the callers
 * ({@code latchkey-relay}, the program's own relay) implement none, they only find whether a
 * daemon answers (docs/relay-protocol.md). What the caller's process does, the daemon must not do
 * in its place: see its environment's tokens, read files it keeps elsewhere, ask at its terminal.
 */
public final class Route {
    /** The commands that only the caller's own process runs: they start or stop the daemon, or run other programs. */
    public static final Set<String> CALLER_COMMANDS = Set.of("daemon", "exec", "scan");
    /**
     * The front doors that only ever ask for logins (git's, docker's, pip's, pnpm's), never for a
     * registry's token: the {@code env} store, which reads the caller's token variables, keeps no
     * logins, so those variables do not keep such an invocation from the daemon.
     */
    private static final Set<String> LOGIN_DOORS = Set.of("git-credential", "docker-credential", "keyring", "npm-token");

    private Route() {
    }

    /**
     * Why the daemon leaves the invocation {@code header} describes to its caller, or null when the
     * daemon serves it. {@code caller} is the caller's environment as the header tells it;
     * {@code daemonLocations} the daemon's own {@link Locations#signature()}.
     */
    public static String leftToCaller(RelayHeader header, CommandLine command, Environment caller, String daemonVersion,
                                      String daemonLocations, Path daemonSocket) {
        if (!daemonVersion.equals(header.version())) {
            return "the daemon runs latchkey " + daemonVersion + ", the caller " + header.version()
                    + "; `latchkey daemon stop` lets the next request start one of the caller's version";
        }
        String told = toldToServeHere(command, caller);
        if (told != null) {
            return told;
        }
        if (command.word() != null && CALLER_COMMANDS.contains(command.word())) {
            return "`latchkey " + command.word() + "` runs in the caller's own process";
        }
        if (!header.tokenVariables().isEmpty() && (command.word() == null || !LOGIN_DOORS.contains(command.word()))) {
            return "this process's environment holds token variables (" + String.join(", ", header.tokenVariables())
                    + "), which only it can see";
        }
        if (!new Locations(caller).signature().equals(daemonLocations)) {
            return "the daemon on " + daemonSocket + " keeps its files elsewhere than this process (its HOME, CARGO_HOME or "
                    + "XDG directories differ)";
        }
        return null;
    }

    /**
     * Why an invocation is told to be served by its caller ({@code --no-daemon}, {@code LATCHKEY_NO_DAEMON}),
     * or null. The caller asks this before offering the invocation to the daemon at all.
     */
    public static String toldToServeHere(CommandLine command, Environment caller) {
        return command.noDaemon() || caller.enabled("LATCHKEY_NO_DAEMON") ? "told to serve here (--no-daemon or LATCHKEY_NO_DAEMON)" : null;
    }

    /** A relayed invocation whose header the daemon cannot read: the caller, which wrote it, knows what it meant. */
    public static String unreadable(String problem) {
        return "the daemon could not read the relayed invocation: " + problem;
    }

    /** The daemon serves as many relayed invocations at once as it can. */
    public static String busy() {
        return "the daemon is serving as many relayed invocations as it serves at once";
    }

    /** The daemon is stopping: it answers what it has, and takes nothing new. */
    public static String stopping() {
        return "the daemon is stopping";
    }

    /** A front door in the daemon needs the person at the caller's terminal ({@code forWhat}), which only the caller has. */
    public static HandBack needsTerminal(String forWhat) {
        return new HandBack(forWhat + " needs the caller's terminal");
    }

    /** A request whose own arguments ask to be served by the caller (cargo's {@code credential-provider} arguments). */
    public static HandBack toldByRequest() {
        return new HandBack("told to serve here (--no-daemon in the request's arguments)");
    }
}
