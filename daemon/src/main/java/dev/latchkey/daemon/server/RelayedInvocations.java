package dev.latchkey.daemon.server;

import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.config.Locations;
import dev.latchkey.daemon.door.CommandLine;
import dev.latchkey.daemon.door.Doors;
import dev.latchkey.daemon.door.HandBack;
import dev.latchkey.daemon.door.Invocation;
import dev.latchkey.daemon.door.Route;
import dev.latchkey.daemon.door.UsageException;
import dev.latchkey.daemon.doors.FrontDoors;
import dev.latchkey.daemon.service.Caller;
import dev.latchkey.daemon.service.Services;
import dev.latchkey.protocol.MalformedMessageException;
import dev.latchkey.protocol.relay.RelayFrame;
import dev.latchkey.protocol.relay.RelayHeader;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Serves the invocations callers relay to the daemon (docs/relay-protocol.md): each on a thread of
 * its own, since a front door reads its input as it comes (cargo sends its request only after the
 * greeting). The header is read, {@link Route} decides whether the daemon serves the caller, and
 * the invocation's front door runs here as it would have in the caller, its streams carried by
 * frames. A door that needs the caller hands the invocation back, from the last point it marked.
 */
public final class RelayedInvocations {
    /** Relayed invocations served at once; one more is left to its caller, which serves itself. */
    static final int MAX_AT_ONCE = 64;
    /** A caller sends its header at once: one that has not within this is cut off (it holds a thread). */
    private static final long HEADER_SECONDS = 10;
    /** How long a connection the loop let go of may take to leave the loop's selector. */
    private static final long DEREGISTER_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final Services services;
    private final String version;
    private final Path socket;
    private final String locations;
    private final Environment daemonEnvironment;
    private final IdleTimer idle;
    private final Consumer<String> log;
    private final Semaphore places = new Semaphore(MAX_AT_ONCE);
    private final AtomicInteger threadCount = new AtomicInteger();
    private final ThreadPoolExecutor threads = new ThreadPoolExecutor(0, MAX_AT_ONCE, 5, TimeUnit.SECONDS,
            new SynchronousQueue<>(), task -> {
                Thread thread = new Thread(task, "latchkey-relayed-" + threadCount.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "latchkey-relay-deadlines");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean stopping;

    /**
     * @param services the daemon's services
     * @param socket   the socket the daemon listens on, as {@code -v} names it
     * @param idle     told when an invocation is being served
     */
    public RelayedInvocations(Services services, String version, Path socket, IdleTimer idle, Consumer<String> log) {
        this.services = services;
        this.version = version;
        this.socket = socket;
        this.daemonEnvironment = services.environment();
        this.locations = new Locations(daemonEnvironment).signature();
        this.idle = idle;
        this.log = log;
    }

    /** Takes no new invocation: each one coming is handed back to its caller. */
    void stop() {
        stopping = true;
    }

    /**
     * Serves the relayed invocation on {@code channel}, whose first line the loop has read and
     * after which it had {@code buffered}; {@code ended} is told once the connection is closed.
     */
    void serve(SocketChannel channel, byte[] buffered, Supplier<Caller> caller, Runnable ended) {
        if (!places.tryAcquire()) {
            // Not blocking yet, but a fresh answer of one line fits the socket's buffer.
            try {
                channel.write(ByteBuffer.wrap(("here " + Route.busy() + "\n").getBytes(StandardCharsets.UTF_8)));
            } catch (IOException e) {
                // gone already: it serves itself either way
            }
            close(channel, buffered);
            ended.run();
            return;
        }
        threads.execute(() -> {
            try {
                run(channel, buffered, caller);
            } catch (Error e) {
                // Out of memory, say: a daemon that goes on half-broken makes every caller wait for it.
                log.accept("a relayed invocation failed with " + e.getClass().getName() + "; the daemon exits so that callers serve themselves");
                Runtime.getRuntime().halt(70);
            } finally {
                close(channel, buffered);
                places.release();
                ended.run();
            }
        });
    }

    private void run(SocketChannel channel, byte[] buffered, Supplier<Caller> caller) {
        FrameOutput frames = null;
        try {
            blocking(channel);
            // One thread reads and writes this connection, so the streams of Channels (one lock for both) do.
            InputStream in = new BufferedInputStream(new SequenceInputStream(new ByteArrayInputStream(buffered),
                    Channels.newInputStream(channel)));
            frames = new FrameOutput(Channels.newOutputStream(channel));
            RelayHeader header = readHeader(in, channel);
            if (header == null) {
                return; // cut off
            }
            CommandLine command = CommandLine.parse(header.args());
            String why = stopping ? Route.stopping()
                    : Route.leftToCaller(header, command, callerEnvironment(header), version, locations, socket);
            if (why != null) {
                frames.here(why);
                return;
            }
            serve(header, command, in, frames, caller);
        } catch (MalformedMessageException | UsageException | InvalidPathException e) {
            here(frames, Route.unreadable(e.getMessage()));
        } catch (IOException e) {
            // the caller went away: nothing to tell it
        }
    }

    private void serve(RelayHeader header, CommandLine command, InputStream in, FrameOutput frames, Supplier<Caller> caller)
            throws IOException {
        OutputStream out = new BufferedOutputStream(frames.stdout(), 64 * 1024);
        PrintStream err = new PrintStream(new BufferedOutputStream(frames.stderr(), 8 * 1024), true, StandardCharsets.UTF_8);
        Invocation invocation = Invocation.inDaemon(command, new FrameInput(in), out, err, callerEnvironment(header),
                header.tokenVariables(), header.terminals(), services, caller, frames::done, version, socket);
        idle.begin();
        try {
            int status = Doors.run(FrontDoors.of(command), invocation);
            out.flush();
            err.flush();
            frames.exit(status);
        } catch (HandBack e) {
            frames.here(e.getMessage());
        } finally {
            idle.end();
        }
    }

    /** The caller's environment as its header tells it; without a HOME of its own, the daemon's (same user). */
    private Environment callerEnvironment(RelayHeader header) {
        String home = header.environment().get("HOME");
        return new Environment(header.environment(), Path.of(header.workingDirectory()),
                home != null && !home.isEmpty() ? Path.of(home) : daemonEnvironment.home());
    }

    /** The header, read within {@link #HEADER_SECONDS}; null when the caller took longer and was cut off. */
    private RelayHeader readHeader(InputStream in, SocketChannel channel) throws IOException, MalformedMessageException {
        ScheduledFuture<?> deadline = deadlines.schedule(() -> closeQuietly(channel), HEADER_SECONDS, TimeUnit.SECONDS);
        try {
            return RelayHeader.readAfterFirstLine(in);
        } catch (IOException e) {
            if (deadline.isDone()) {
                log.accept("cut off a relayed invocation whose header did not come within " + HEADER_SECONDS + " s");
                return null;
            }
            throw e;
        } finally {
            deadline.cancel(false);
        }
    }

    /** The loop cancelled the channel's key; it leaves the loop's selector at the loop's next select. */
    private static void blocking(SocketChannel channel) throws IOException {
        long giveUp = System.nanoTime() + DEREGISTER_NANOS;
        while (true) {
            try {
                channel.configureBlocking(true);
                return;
            } catch (IllegalBlockingModeException e) {
                if (System.nanoTime() - giveUp > 0) {
                    throw new IOException("the connection did not leave the loop's selector", e);
                }
                Thread.onSpinWait();
            }
        }
    }

    private void here(FrameOutput frames, String why) {
        if (frames == null) {
            return;
        }
        try {
            frames.here(why);
        } catch (IOException e) {
            // gone: it serves itself either way
        }
    }

    private static void close(SocketChannel channel, byte[] buffered) {
        Arrays.fill(buffered, (byte) 0);
        closeQuietly(channel);
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closed either way
        }
    }

    /** The caller's stdin, from its {@code in} frames up to its {@code end}. */
    private static final class FrameInput extends InputStream {
        private final InputStream frames;
        private byte[] block = new byte[0];
        private int at;
        private boolean ended;

        FrameInput(InputStream frames) {
            this.frames = frames;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (at == block.length) {
                if (ended || !nextBlock()) {
                    return -1;
                }
            }
            int n = Math.min(len, block.length - at);
            System.arraycopy(block, at, b, off, n);
            Arrays.fill(block, at, at + n, (byte) 0); // stdin may hold a token
            at += n;
            return n;
        }

        private boolean nextBlock() throws IOException {
            RelayFrame frame;
            try {
                frame = RelayFrame.read(frames);
            } catch (MalformedMessageException e) {
                throw new IOException("the caller sent a frame it may not: " + e.getMessage(), e);
            }
            if (frame instanceof RelayFrame.Input input) {
                block = input.bytes();
                at = 0;
                return true;
            }
            ended = true;
            if (frame == null || frame instanceof RelayFrame.End) {
                return false;
            }
            throw new IOException("the caller sent a frame it may not in its stdin");
        }
    }

    /**
     * The frames the daemon sends a caller, each written whole, from whichever thread. Output frames
     * wait in a buffer for the {@code done}, {@code exit} or {@code here} that follows them, and go
     * with it in one write: a daemon that dies just after cannot leave its caller holding output
     * without the mark that says it was a whole answer, which the caller needs to resume (every
     * door reads its input before it answers, and a session marks each answer done).
     */
    private static final class FrameOutput {
        private final OutputStream channel;

        FrameOutput(OutputStream channel) {
            this.channel = new BufferedOutputStream(channel, 64 * 1024);
        }

        OutputStream stdout() {
            return new Framing(true);
        }

        OutputStream stderr() {
            return new Framing(false);
        }

        synchronized void done(long consumed) throws IOException {
            RelayFrame.writeDone(channel, consumed);
            channel.flush();
        }

        synchronized void exit(int status) throws IOException {
            RelayFrame.writeExit(channel, status);
            channel.flush();
        }

        synchronized void here(String why) throws IOException {
            RelayFrame.writeHere(channel, why);
            channel.flush();
        }

        private synchronized void block(boolean stdout, byte[] b, int off, int len) throws IOException {
            if (stdout) {
                RelayFrame.writeOutput(channel, b, off, len);
            } else {
                RelayFrame.writeError(channel, b, off, len);
            }
        }

        /** One of the caller's output streams: each write is a frame (callers buffer, and write on flush). */
        private final class Framing extends OutputStream {
            private final boolean stdout;

            Framing(boolean stdout) {
                this.stdout = stdout;
            }

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                block(stdout, b, off, len);
            }
        }
    }
}
