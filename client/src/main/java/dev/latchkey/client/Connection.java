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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One protocol connection, shared by any number of threads: each request gets its own {@code id},
 * requests are written one whole line at a time and may be in flight together, and each answer
 * goes to the caller whose {@code id} it carries.
 *
 * <p>There is no reader thread: one of the callers waiting reads the answers (the leader) and
 * hands the others theirs; when its own has come it passes the reading on to a caller still
 * waiting. A caller alone on its connection, the usual case, so reads its own answer, and a call
 * costs the two wake-ups of the round trip instead of three.
 *
 * <p>Timeouts: a caller waiting for the leader gives up on its own at its deadline. The leader and
 * a caller stuck writing are blocked in the stream, which only ending the connection frees: a
 * watch looks at every open connection {@link #WATCH_PERIOD_MILLIS} apart and ends the one where
 * such a call is past its deadline. Its other calls get {@link ConnectionLostException}.
 */
final class Connection implements Closeable {
    /**
     * The longest answer line read: a list of every token a user keeps is longer than any request
     * may be (thousands of tokens), and still bounded, since a peer could send without end.
     */
    static final int MAX_ANSWER = 64 * 1024 * 1024;
    /** How far apart the watch for stuck calls looks: how late past its deadline a call may end. */
    static final long WATCH_PERIOD_MILLIS = 100;
    private static final Set<Connection> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Deadlines.every(Duration.ofMillis(WATCH_PERIOD_MILLIS), () -> OPEN.forEach(connection -> {
            try {
                connection.endIfStuck();
            } catch (RuntimeException e) {
                // an exception would end the watch for every connection; this one is looked at again
            }
        }));
    }

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

    /** A request waiting for its answer; all but {@link #writing} guarded by {@link #lock}. */
    private final class Call {
        final Condition ready = lock.newCondition();
        final long deadline;
        final Duration timeout;
        volatile boolean writing;
        boolean written;
        boolean waiting;
        Response answer;
        IOException failure;

        Call(Duration timeout) {
            this.timeout = timeout;
            this.deadline = System.nanoTime() + timeout.toNanos();
        }

        boolean done() {
            return answer != null || failure != null;
        }

        void fail(IOException cause) {
            if (!done()) {
                failure = cause;
                ready.signal();
            }
        }

        InterruptedIOException timedOut() {
            return new InterruptedIOException(peer + " did not answer within " + seconds(timeout));
        }
    }

    private final String peer;
    private final LineReader reader;
    private final OutputStream out;
    private final Runnable abort;
    private final Closeable closer;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Long, Call> calls = new HashMap<>(); // guarded by lock
    private long lastId; // guarded by lock
    private Call leader; // guarded by lock: the call whose thread reads the answers
    private IOException end; // guarded by lock
    private Refused refusal; // guarded by lock

    private Connection(String peer, LineReader reader, OutputStream out, Runnable abort, Closeable closer) {
        this.peer = peer;
        this.reader = reader;
        this.out = out;
        this.abort = abort;
        this.closer = closer;
    }

    /**
     * Reads the server's hello within {@code timeout}.
     *
     * @param peer   who is at the other end, for messages
     * @param abort  ends blocked reads and writes at once (closes the channel, kills the process)
     * @param closer the orderly end of the connection
     */
    static Connection open(String peer, InputStream in, OutputStream out, Runnable abort, Closeable closer,
                           Duration timeout) throws IOException {
        LineReader reader = new LineReader(in, MAX_ANSWER);
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
        Connection connection = new Connection(peer, reader, out, abort, closer);
        OPEN.add(connection);
        return connection;
    }

    /** Whether requests can still be sent here. */
    boolean isOpen() {
        lock.lock();
        try {
            return end == null && refusal == null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends one request and waits for its answer, a {@link Response.Failure} included.
     *
     * @throws Refused                when the server refuses the connection instead
     * @throws ConnectionLostException when the connection ends first
     * @throws InterruptedIOException when no answer comes within {@code timeout}
     */
    Response call(Request request, List<String> args, Duration timeout) throws IOException {
        Call call = new Call(timeout);
        long id;
        lock.lock();
        try {
            if (refusal != null) {
                throw refusal;
            }
            if (end != null) {
                throw new ConnectionLostException(end.getMessage(), end, false);
            }
            id = ++lastId;
            calls.put(id, call);
        } finally {
            lock.unlock();
        }
        try {
            send(call, RequestCodec.write(new RequestLine(RequestId.of(id), args, request)));
            return answer(call);
        } finally {
            lock.lock();
            try {
                calls.remove(id);
            } finally {
                lock.unlock();
            }
        }
    }

    private void send(Call call, byte[] line) {
        call.writing = true;
        try {
            synchronized (out) {
                out.write(line);
                out.flush();
            }
            lock.lock();
            try {
                call.written = true;
            } finally {
                lock.unlock();
            }
        } catch (IOException e) {
            // The server is gone. Reading finds that out too, after the last line it sent (a refusal
            // says why), and ends the connection; until then this call waits like any other.
        } finally {
            call.writing = false;
            Arrays.fill(line, (byte) 0);
        }
    }

    /** Waits for the answer to {@code call}, reading the answers itself while no other caller does. */
    private Response answer(Call call) throws IOException {
        lock.lock();
        try {
            while (!call.done() && leader != null) {
                long left = call.deadline - System.nanoTime();
                if (left <= 0) {
                    call.fail(call.timedOut());
                    break;
                }
                call.waiting = true;
                try {
                    call.ready.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    call.fail(new InterruptedIOException("interrupted while waiting for " + peer));
                } finally {
                    call.waiting = false;
                }
            }
            if (call.done()) {
                return result(call);
            }
            leader = call;
        } finally {
            lock.unlock();
        }
        readUntilAnswered(call);
        lock.lock();
        try {
            return result(call);
        } finally {
            lock.unlock();
        }
    }

    /** The answer, or the failure; guarded by lock. A leader that leaves passes the reading on. */
    private Response result(Call call) throws IOException {
        if (leader == call) {
            leader = null;
        }
        if (leader == null) {
            for (Call other : calls.values()) {
                if (other.waiting && !other.done()) {
                    other.ready.signal();
                    break;
                }
            }
        }
        if (call.answer != null) {
            return call.answer;
        }
        if (!call.written && call.failure instanceof ConnectionLostException lost && lost.requestSent()) {
            throw new ConnectionLostException(lost.getMessage(), lost, false); // a line cut short is never served
        }
        throw call.failure;
    }

    /** As the leader: reads answers and hands them out until {@code call}'s has come or the connection ends. */
    private void readUntilAnswered(Call call) {
        try {
            while (true) {
                ResponseCodec.ResponseLine line = readAnswer();
                Refused refused;
                lock.lock();
                try {
                    deliver(line);
                    refused = refusal;
                    if (call.done() && refused == null) {
                        return;
                    }
                } finally {
                    lock.unlock();
                }
                if (refused != null) {
                    end(refused); // the server closes a connection it refuses
                    return;
                }
            }
        } catch (MalformedMessageException e) {
            end(new ConnectionLostException(peer + " sent an answer that cannot be read: " + e.getMessage(), e, true));
        } catch (ConnectionLostException e) {
            end(e);
        } catch (IOException e) {
            end(new ConnectionLostException(peer + " is gone (" + e.getMessage() + ")", e, true));
        } catch (RuntimeException e) {
            // A bug here must not leave the connection with a leader that reads no more, its callers waiting.
            end(new ConnectionLostException("reading the answer of " + peer + " failed (" + e.getClass().getName() + ")", e, true));
        }
    }

    private ResponseCodec.ResponseLine readAnswer() throws IOException, MalformedMessageException {
        int length = reader.readLine();
        if (length == LineReader.END_OF_STREAM) {
            throw new ConnectionLostException(peer + " closed the connection", null, true);
        }
        if (length == LineReader.TOO_LONG) {
            throw new ConnectionLostException(peer + " sent a line longer than " + MAX_ANSWER + " bytes", null, true);
        }
        try {
            return ResponseCodec.parse(reader.buffer(), length);
        } finally {
            reader.wipe(length);
        }
    }

    /** Guarded by lock. */
    private void deliver(ResponseCodec.ResponseLine line) {
        if (line.id() == null) {
            // We always send an id, so an answer without one is about the connection itself: the
            // server refuses it (another user's daemon, too many clients). Every call gets it.
            if (line.response() instanceof Response.Failure failure) {
                refusal = new Refused(failure);
                calls.values().forEach(call -> call.fail(refusal));
            }
            return;
        }
        Call call = line.id().number() == null ? null : calls.get(line.id().number());
        if (call != null && !call.done()) {
            call.answer = line.response();
            call.ready.signal();
        } else if (line.response() instanceof Response.Got got) {
            got.token().wipe(); // the caller gave up waiting: nobody will wipe it
        }
    }

    /**
     * Ends this connection when its reading or a write has been blocked past a call's deadline
     * (the server stopped answering, or reading); that call times out.
     */
    private void endIfStuck() {
        long now = System.nanoTime();
        Call stuck = null;
        lock.lock();
        try {
            for (Call call : calls.values()) {
                if (!call.done() && now - call.deadline >= 0 && (call == leader || call.writing)) {
                    stuck = call;
                    call.fail(call.timedOut());
                }
            }
        } finally {
            lock.unlock();
        }
        if (stuck != null) {
            end(new ConnectionLostException(peer + " did not answer within " + seconds(stuck.timeout)
                    + " and the connection to it was closed", null, stuck.written));
        }
    }

    private void end(IOException cause) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        OPEN.remove(this);
        lock.lock();
        try {
            end = cause;
            IOException failure = refusal != null ? refusal : cause;
            calls.values().forEach(call -> call.fail(failure));
        } finally {
            lock.unlock();
        }
        abort.run();
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
