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

    /** {@code socket} null: there is never a daemon to ask. */
    DaemonLink(Path socket, PrintStream diagnostics) {
        this.socket = socket;
        this.diagnostics = diagnostics;
        this.gone = socket == null;
    }

    /** Whether requests may still go to the daemon. */
    boolean available() {
        return !gone;
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
            return Optional.of(client.exchange(request, args));
        } catch (ConnectException notRunning) {
            gone = true;
            return Optional.empty();
        } catch (IOException e) {
            gone = true;
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
