package dev.latchkey.daemon.transport;

import dev.latchkey.client.ConnectionLostException;
import dev.latchkey.client.LatchkeyClient;
import dev.latchkey.protocol.ErrorKind;
import dev.latchkey.protocol.Request;
import dev.latchkey.protocol.Response;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The running daemon this process hands its requests to (SPEC §5, §6). It is looked for on the
 * first request; when none is running, or it stops answering, this process serves the rest of its
 * requests itself. Nothing here reads a config file or opens a store: this is the path every
 * cargo request takes, so it loads only the client library.
 */
final class DaemonLink implements AutoCloseable {
    private final Path socket;
    private final PrintStream diagnostics;
    private LatchkeyClient client;
    private boolean gone;
    /** Why requests do not go to the daemon, once they do not; for {@link VerboseLog}. */
    private String whyNot;

    /** {@code socket} null: there is never a daemon to ask, for the reason {@code whyNone}. */
    DaemonLink(Path socket, String whyNone, PrintStream diagnostics) {
        this.socket = socket;
        this.diagnostics = diagnostics;
        this.gone = socket == null;
        this.whyNot = whyNone;
    }

    /** Whether requests may still go to the daemon. */
    boolean available() {
        return !gone;
    }

    /** Why requests are not handed to the daemon (no daemon runs, it went away, ...); null while they are. */
    String whyNot() {
        return gone ? whyNot : null;
    }

    Path socket() {
        return socket;
    }

    /**
     * Ends the connection. Needed before the process exits: a JVM with a thread still blocked
     * reading a socket takes about 300 ms longer to exit, on a path that cargo takes for every request.
     */
    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
    }

    /** What marks {@link #ELSEWHERE} on the wire, in its {@code caused-by}. */
    private static final String ELSEWHERE_CAUSE = "latchkey:caller-locations-differ";

    /**
     * The daemon's answer to a request whose caller keeps its files elsewhere (another
     * {@code CARGO_HOME}, {@code HOME} or XDG directory): the caller serves it, and all its
     * requests after it, itself. Only latchkey's own callers, which say where their files are, get it.
     */
    static final Response.Failure ELSEWHERE = new Response.Failure(ErrorKind.UNAVAILABLE,
            "this latchkey daemon keeps its files elsewhere than the caller (its HOME, CARGO_HOME or XDG directories differ), "
                    + "so the caller serves the request itself; to have the daemon serve it, start the daemon from the caller's "
                    + "environment", List.of(ELSEWHERE_CAUSE));

    /**
     * The answer to an erase the daemon received and then went away without answering ({@code why}).
     * Only an erase is not sent twice: the daemon may have erased the token before it went, and a
     * second erase here would wrongly say there was nothing to erase.
     */
    static Response.Failure lostWhileErasing(String why) {
        return Response.Failure.of(ErrorKind.UNAVAILABLE, "the latchkey daemon stopped while erasing (" + why
                + "); whether the token was erased is unknown: check with `latchkey list`");
    }

    /** The daemon's answer to {@code request}; empty when this process must serve it. */
    Optional<Response> forward(Request request, List<String> args) {
        if (gone) {
            return Optional.empty();
        }
        if (client == null) {
            client = LatchkeyClient.overSocket(socket).startDaemon(false).build();
        }
        try {
            Response answer = client.exchange(request, args);
            if (answer instanceof Response.Failure failure && failure.causedBy().contains(ELSEWHERE_CAUSE)) {
                gone = true;
                whyNot = "the daemon on " + socket + " keeps its files elsewhere than this process (its HOME, CARGO_HOME or "
                        + "XDG directories differ)";
                client.close();
                return Optional.empty();
            }
            return Optional.of(answer);
        } catch (ConnectException notRunning) {
            gone = true;
            whyNot = "no daemon answers on " + socket;
            return Optional.empty();
        } catch (IOException e) {
            gone = true;
            whyNot = "the daemon on " + socket + " could not be used: " + e.getMessage();
            client.close();
            if (e instanceof ConnectionLostException lost && lost.requestSent()) {
                if (request instanceof Request.Erase) {
                    return Optional.of(lostWhileErasing(e.getMessage()));
                }
                // The client library sent it twice, and lost the daemon both times. Anything but an
                // erase gives the same answer when done again, so it is done here.
                diagnostics.println("latchkey: the latchkey daemon went away while answering this " + request.kind()
                        + " request (" + e.getMessage() + "); serving it in this process instead. The daemon's log "
                        + "(daemon.log in latchkey's state directory) says why it went; `latchkey daemon status`, whether one runs");
                return Optional.empty();
            }
            diagnostics.println("latchkey: serving in this process instead of the daemon: " + e.getMessage());
            return Optional.empty();
        }
    }
}
