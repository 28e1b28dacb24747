package dev.latchkey.daemon.door.latchkey;

import dev.latchkey.daemon.door.HandBack;
import dev.latchkey.daemon.door.Invocation;
import dev.latchkey.daemon.service.Batch;
import dev.latchkey.protocol.Dialect;
import dev.latchkey.protocol.ErrorKind;
import dev.latchkey.protocol.Hello;
import dev.latchkey.protocol.Incoming;
import dev.latchkey.protocol.LineReader;
import dev.latchkey.protocol.Request;
import dev.latchkey.protocol.RequestCodec;
import dev.latchkey.protocol.RequestId;
import dev.latchkey.protocol.RequestLine;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.ResponseCodec;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * The protocol loop of the line-based front doors (cargo's provider protocol, latchkey's on stdin):
 * say hello, then read a line, answer it, flush, until the input ends. Lines are answered in order.
 * A bad line gets a {@code bad-request} answer and the loop goes on; nothing a client sends ends
 * the session early. The daemon's socket, which must never wait on one client, frames its lines
 * itself and answers each through {@link #read(byte[], int)} and {@link #answer} here.
 */
public final class ProtocolSession {
    /** How the answer to a request that hit a bug begins: what the fuzz tests look for. */
    public static final String INTERNAL_ERROR = "latchkey failed on this request because of a bug";

    private final Dialect dialect;
    private final String version;
    private final RequestHandler handler;

    public ProtocolSession(Dialect dialect, String version, RequestHandler handler) {
        this.dialect = dialect;
        this.version = version;
        this.handler = handler;
    }

    /**
     * Serves {@code invocation}'s input to its end: the hello (unless the daemon sent it already,
     * for a resumed invocation), then one answer per request line, each flushed and marked
     * answered (the relay's resume point) before the next line is read.
     */
    public void serve(Invocation invocation) throws IOException, HandBack {
        LineReader reader = new LineReader(invocation.in());
        OutputStream out = invocation.out();
        if (!invocation.resumed()) {
            out.write(Hello.line(dialect, version));
        }
        invocation.answered(0);
        while (true) {
            int length = reader.readLine();
            if (length == LineReader.END_OF_STREAM) {
                return;
            }
            Incoming incoming = read(reader, length);
            if (incoming != null) {
                answer(incoming, out, Batch.ALONE);
                invocation.answered(reader.consumed());
            }
        }
    }

    /**
     * What the line {@code reader} just read ({@code length}: its length, or
     * {@link LineReader#TOO_LONG}) asks: a request, a line to reject, or null for a blank line, which
     * is no request and gets no answer. The line's bytes are wiped.
     */
    public static Incoming read(LineReader reader, int length) {
        return read(reader.buffer(), length);
    }

    /** The same for a line at the start of {@code line}, from whichever reader framed it; its bytes are wiped. */
    public static Incoming read(byte[] line, int length) {
        if (length == LineReader.TOO_LONG) {
            return new Incoming.Rejected(null, Response.Failure.badRequest("the line is longer than " + LineReader.MAX_LINE
                    + " bytes and was discarded; send one JSON request per line"));
        }
        if (LineReader.isBlank(line, length)) {
            return null;
        }
        Incoming incoming = RequestCodec.parse(line, length);
        Arrays.fill(line, 0, length, (byte) 0);
        return incoming;
    }

    /**
     * Answers {@code incoming} with the handler's response, or with why it was rejected;
     * {@code batch}: what it carries down from the transport that read it.
     *
     * @throws HandBack when the handler leaves the request to the caller; its token is wiped
     */
    public void answer(Incoming incoming, OutputStream out, Batch batch) throws IOException, HandBack {
        if (incoming instanceof Incoming.Rejected rejected) {
            send(out, rejected.id(), rejected.failure());
            return;
        }
        RequestLine line = (RequestLine) incoming;
        Response response;
        try {
            response = respond(line, batch);
        } catch (HandBack e) {
            wipeToken(line.request());
            throw e;
        }
        reply(line, response, out);
    }

    /**
     * The handler's answer. Handlers never throw; one that does anyway has a bug, and this request
     * is answered as failed rather than the connection (and in stdio mode the process) ending. The
     * exception's message is left out: it may quote what the request held.
     */
    public Response respond(RequestLine line, Batch batch) throws HandBack {
        try {
            return handler.handle(line, batch);
        } catch (RuntimeException e) {
            return Response.Failure.of(ErrorKind.OTHER, INTERNAL_ERROR + " (" + e.getClass().getName()
                    + "); the connection is still usable. Please report it, with the request's kind and `latchkey doctor`");
        }
    }

    /** Writes {@code response} as the answer to {@code line}; then the tokens in both are wiped, also when the client went away. */
    public void reply(RequestLine line, Response response, OutputStream out) throws IOException {
        try {
            send(out, line.id(), response);
        } finally {
            wipeToken(line.request());
            if (response instanceof Response.Got got) {
                got.token().wipe();
            }
        }
    }

    private void send(OutputStream out, RequestId id, Response response) throws IOException {
        byte[] bytes = ResponseCodec.write(id, response, dialect);
        try {
            out.write(bytes);
            out.flush();
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** The token a request carries, if any, is no longer needed. */
    public static void wipeToken(Request request) {
        if (request instanceof Request.Store store && store.token() != null) {
            store.token().wipe();
        }
        if (request instanceof Request.Rotate rotate && rotate.token() != null) {
            rotate.token().wipe();
        }
    }
}
