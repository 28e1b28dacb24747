package dev.latchkey.client;

import dev.latchkey.protocol.Hello;
import dev.latchkey.protocol.LineReader;
import dev.latchkey.protocol.MalformedMessageException;
import dev.latchkey.protocol.Request;
import dev.latchkey.protocol.RequestCodec;
import dev.latchkey.protocol.RequestId;
import dev.latchkey.protocol.RequestLine;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.ResponseCodec;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One protocol connection, shared by any number of threads: each request gets its own {@code id},
 * requests are written one whole line at a time and may be in flight together, and a reader
 * thread hands each answer to the caller whose {@code id} it carries.
 */
final class Connection implements Closeable {
    /** The server turned this connection away (another user's daemon, too many clients); {@link #failure} says why. */
    static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient Response.Failure failure;

        Refused(Response.Failure failure) {
            super(failure.message());
            this.failure = failure;
        }

        Response.Failure failure() {
            return failure;
        }
    }

    private final String peer;
    private final OutputStream out;
    private final Runnable abort;
    private final Closeable closer;
    private final Map<Long, Call> calls = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile IOException end;
    private volatile Refused refusal;

    /** A request waiting for its answer. */
    private static final class Call {
        final CompletableFuture<Response> answer = new CompletableFuture<>();
        volatile boolean written;
    }

    private Connection(String peer, OutputStream out, Runnable abort, Closeable closer) {
        this.peer = peer;
        this.out = out;
        this.abort = abort;
        this.closer = closer;
    }

    /**
     * Reads the server's hello within {@code timeout} and starts reading answers.
     *
     * @param peer   who is at the other end, for messages
     * @param abort  ends blocked reads and writes at once (closes the channel, kills the process)
     * @param closer the orderly end of the connection
     */
    static Connection open(String peer, InputStream in, OutputStream out, Runnable abort, Closeable closer,
                           Duration timeout) throws IOException {
        LineReader reader = new LineReader(in);
        AtomicBoolean expired = new AtomicBoolean();
        ScheduledFuture<?> deadline = Deadlines.after(timeout, () -> {
            expired.set(true);
            abort.run();
        });
        try {
            int length = reader.readLine();
            if (length < 0) {
                throw new ConnectionLostException(peer + " closed the connection before saying hello", null, false);
            }
            Hello hello = Hello.parse(reader.buffer(), length);
            if (!hello.speaks(RequestCodec.VERSION)) {
                throw new IOException(peer + " does not speak protocol version 1 (it offers " + hello.versions() + ")");
            }
        } catch (MalformedMessageException e) {
            abort.run();
            throw new IOException(peer + " is not a latchkey server: " + e.getMessage(), e);
        } catch (IOException e) {
            abort.run();
            if (expired.get()) {
                throw new InterruptedIOException(peer + " did not say hello within " + seconds(timeout));
            }
            throw e;
        } finally {
            deadline.cancel(false);
        }
        Connection connection = new Connection(peer, out, abort, closer);
        Thread thread = new Thread(() -> connection.readAnswers(reader), "latchkey-client-reader");
        thread.setDaemon(true);
        thread.start();
        return connection;
    }

    /** Whether requests can still be sent here. */
    boolean isOpen() {
        return end == null && refusal == null;
    }

    /**
     * Sends one request and waits for its answer, a {@link Response.Failure} included.
     *
     * @throws Refused                when the server refuses the connection instead
     * @throws ConnectionLostException when the connection ends first
     * @throws InterruptedIOException when no answer comes within {@code timeout}
     */
    Response call(Request request, List<String> args, Duration timeout) throws IOException {
        long id = ids.incrementAndGet();
        Call call = new Call();
        calls.put(id, call);
        ScheduledFuture<?> deadline = Deadlines.after(timeout, () -> expire(call, timeout));
        try {
            if (refusal != null) {
                throw refusal;
            }
            if (end != null) {
                throw new ConnectionLostException(end.getMessage(), end, false);
            }
            byte[] line = RequestCodec.write(new RequestLine(RequestId.of(id), args, request));
            try {
                synchronized (out) {
                    out.write(line);
                    out.flush();
                }
                call.written = true;
            } catch (IOException e) {
                // The server is gone. The reader thread finds that out too, after the last line it sent
                // (a refusal says why), and ends the connection; until then this call waits like any other.
            } finally {
                Arrays.fill(line, (byte) 0);
            }
            return call.answer.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + peer);
        } catch (ExecutionException e) {
            IOException cause = (IOException) e.getCause();
            if (!call.written && cause instanceof ConnectionLostException lost && lost.requestSent()) {
                throw new ConnectionLostException(lost.getMessage(), lost, false); // a line cut short is never served
            }
            throw cause;
        } finally {
            calls.remove(id);
            deadline.cancel(false);
        }
    }

    private void expire(Call call, Duration timeout) {
        if (call.answer.completeExceptionally(new InterruptedIOException(peer + " did not answer within " + seconds(timeout)))
                && !call.written) {
            // Even the request could not be written: the connection is wedged, and ending it frees the writer.
            end(new ConnectionLostException(peer + " stopped reading requests", null, false));
        }
    }

    private void readAnswers(LineReader reader) {
        try {
            while (true) {
                int length = reader.readLine();
                if (length == LineReader.END_OF_STREAM) {
                    throw new ConnectionLostException(peer + " closed the connection", null, true);
                }
                if (length == LineReader.TOO_LONG) {
                    throw new ConnectionLostException(peer + " sent a line longer than " + LineReader.MAX_LINE + " bytes", null, true);
                }
                ResponseCodec.ResponseLine line;
                try {
                    line = ResponseCodec.parse(reader.buffer(), length);
                } finally {
                    reader.wipe(length);
                }
                deliver(line);
            }
        } catch (MalformedMessageException e) {
            end(new ConnectionLostException(peer + " sent an answer that cannot be read: " + e.getMessage(), e, true));
        } catch (ConnectionLostException e) {
            end(e);
        } catch (IOException e) {
            end(new ConnectionLostException(peer + " is gone (" + e.getMessage() + ")", e, true));
        }
    }

    private void deliver(ResponseCodec.ResponseLine line) {
        if (line.id() == null) {
            // We always send an id, so an answer without one is about the connection itself: the
            // server refuses it (another user's daemon, too many clients). Every call gets it.
            if (line.response() instanceof Response.Failure failure) {
                Refused refused = new Refused(failure);
                refusal = refused;
                calls.values().forEach(call -> call.answer.completeExceptionally(refused));
            }
            return;
        }
        Call call = line.id().number() == null ? null : calls.get(line.id().number());
        if ((call == null || !call.answer.complete(line.response())) && line.response() instanceof Response.Got got) {
            got.token().wipe(); // the caller gave up waiting: nobody will wipe it
        }
    }

    private void end(IOException cause) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        end = cause;
        abort.run();
        for (Call call : calls.values()) {
            Refused refused = refusal;
            call.answer.completeExceptionally(refused != null ? refused : cause);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            closer.close();
        } finally {
            end(new ConnectionLostException("the connection to " + peer + " was closed by this client", null, true));
        }
    }

    private static String seconds(Duration timeout) {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    }
}
