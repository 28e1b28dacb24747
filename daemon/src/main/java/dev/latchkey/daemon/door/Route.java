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

    /**
     * A request whose answer depends on a token variable of the caller's ({@code why} names it):
     * the relay tells the daemon which are set, never their values, so the daemon serves whatever
     * does not read one (a token found ahead of the env store, a lookup without it, another
     * registry's token, every login) and leaves the rest to the caller, which reads its own environment.
     */
    public static HandBack tokenVariableWithheld(String why) {
        return new HandBack(why);
    }

    /** A request whose own arguments ask to be served by the caller (cargo's {@code credential-provider} arguments). */
    public static HandBack toldByRequest() {
        return new HandBack("told to serve here (--no-daemon in the request's arguments)");
    }
}
