package dev.latchkey.caller;

import dev.latchkey.client.ChannelStreams;
import dev.latchkey.client.DaemonSocket;
import dev.latchkey.daemon.terminal.TerminalText;
import dev.latchkey.protocol.MalformedMessageException;
import dev.latchkey.protocol.relay.RelayFrame;
import dev.latchkey.protocol.relay.RelayHeader;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * The program's own relay, in Java: hands this invocation to the daemon as {@code latchkey-relay}
 * does (docs/relay-protocol.md), for when that native relay is not there to do it. It decides
 * nothing about who serves: the daemon answers, or says {@code here}, and then this process serves
 * the invocation itself, from where the daemon left off.
 */
final class DaemonCall {
    /** What the daemon has to say first, its hello, comes at once from a daemon that works. */
    private static final Duration HELLO = Duration.ofSeconds(5);
    /** Silence this long while an answer is owed: the daemon is taken for lost (a keychain may take a while to unlock). */
    private static final Duration SILENCE = Duration.ofSeconds(60);

    /** How a relayed invocation ended. */
    sealed interface Outcome {
    }

    /** The daemon served it; the process exits with {@code status}. */
    record Served(int status) implements Outcome {
    }

    /**
     * This process serves it: from input byte {@code resumedAt} (-1: from the start, nothing was
     * answered), reading {@code input}, for the reason {@code why}.
     */
    record ServeHere(long resumedAt, String why, InputStream input) implements Outcome {
    }

    private DaemonCall() {
    }

    /**
     * Relays the invocation {@code header} describes to the daemon on {@code socket}, with
     * {@code stdin} (not read when it is a terminal), writing what comes back to
     * {@code stdout} and {@code stderr}.
     */
    static Outcome relay(Path socket, RelayHeader header, InputStream stdin, OutputStream stdout, PrintStream stderr) {
        SocketChannel channel;
        try {
            channel = DaemonSocket.connect(socket, HELLO);
        } catch (ConnectException e) {
            return new ServeHere(-1, "no daemon answers on " + socket, stdin);
        } catch (IOException e) {
            // A socket a token must not go to: said, since the user should know why the daemon is not used.
            stderr.println("latchkey: serving in this process instead of the daemon: " + TerminalText.lines(e.getMessage()));
            return new ServeHere(-1, e.getMessage(), stdin);
        }
        StdinTap tap = new StdinTap(header.terminals().contains(0) ? InputStream.nullInputStream() : stdin);
        Watchdog watchdog = new Watchdog(channel);
        try {
            // Not the streams of Channels: on Java 17 their reads and writes share one lock.
            OutputStream toDaemon = ChannelStreams.output(channel);
            toDaemon.write(header.encode());
            tap.start(toDaemon);
            InputStream fromDaemon = new BufferedInputStream(ChannelStreams.input(channel));
            watchdog.arm(HELLO);
            if (!skipLine(fromDaemon)) {
                return lost(tap, -1, watchdog.expired() ? "the latchkey daemon did not say hello within " + HELLO.toSeconds() + " s"
                        : "the latchkey daemon went away before its hello", stderr);
            }
            return follow(fromDaemon, tap, watchdog, stdout, stderr);
        } catch (IOException e) {
            return lost(tap, -1, "the latchkey daemon could not be reached (" + e.getMessage() + ")", stderr);
        } finally {
            watchdog.disarm();
            DaemonSocket.closeQuietly(channel);
        }
    }

    /** Writes what the daemon sends until it says how the invocation ends, or is lost. */
    private static Outcome follow(InputStream fromDaemon, StdinTap tap, Watchdog watchdog, OutputStream stdout, PrintStream stderr) {
        long resumePoint = -1;
        long writtenSinceDone = 0;
        while (true) {
            RelayFrame frame;
            try {
                watchdog.arm(SILENCE);
                frame = RelayFrame.read(fromDaemon);
            } catch (IOException | MalformedMessageException e) {
                frame = null;
            }
            try {
                if (frame == null) {
                    if (writtenSinceDone > 0) {
                        stderr.println("latchkey: the daemon went away in the middle of an answer; run the command again");
                        return new Served(4);
                    }
                    return lost(tap, resumePoint, watchdog.expired()
                            ? "the latchkey daemon did not answer within " + SILENCE.toSeconds() + " s" : "the latchkey daemon went away", stderr);
                } else if (frame instanceof RelayFrame.Output output) {
                    stdout.write(output.bytes());
                    stdout.flush();
                    writtenSinceDone += output.bytes().length;
                    Arrays.fill(output.bytes(), (byte) 0); // it may be a token that `latchkey get` printed
                } else if (frame instanceof RelayFrame.Error error) {
                    stderr.write(error.bytes());
                    stderr.flush();
                    writtenSinceDone += error.bytes().length;
                } else if (frame instanceof RelayFrame.Done done) {
                    resumePoint = done.consumed();
                    tap.answeredUpTo(resumePoint);
                    writtenSinceDone = 0;
                } else if (frame instanceof RelayFrame.Exit exit) {
                    return new Served(exit.status());
                } else if (frame instanceof RelayFrame.Here here) {
                    return serveHere(tap, resumePoint, here.why());
                } else {
                    return serveHere(tap, resumePoint, "the daemon sent a frame only a caller sends");
                }
            } catch (IOException e) {
                // our own stdout is gone: the caller stopped listening, as it would have anyway
                return new Served(4);
            }
        }
    }

    /** The daemon failed this invocation: this process serves it, and says so, since something is wrong with the daemon. */
    private static Outcome lost(StdinTap tap, long resumePoint, String why, PrintStream stderr) {
        stderr.println("latchkey: serving in this process instead of the daemon: " + TerminalText.lines(why));
        return serveHere(tap, resumePoint, why);
    }

    private static Outcome serveHere(StdinTap tap, long resumePoint, String why) {
        return new ServeHere(resumePoint, why, tap.replayFrom(Math.max(resumePoint, 0)));
    }

    /** Reads past one line (the daemon's hello); false when the stream ends first. */
    private static boolean skipLine(InputStream in) throws IOException {
        int b;
        int length = 0;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                return true;
            }
            if (++length > 64 * 1024) {
                return false;
            }
        }
        return false;
    }

    /**
     * This process's stdin, read on a thread of its own: each chunk goes to the daemon while it
     * serves, and is kept until the daemon says it is answered, so that the rest of the invocation
     * can be served here from where the daemon left off. Kept bytes are wiped once let go of.
     */
    private static final class StdinTap {
        private final InputStream stdin;
        private final java.util.ArrayDeque<byte[]> kept = new java.util.ArrayDeque<>();
        /** Input offset of the first kept byte. */
        private long keptFrom;
        /** Input offset just past the last byte read. */
        private long readUpTo;
        private boolean ended;
        private OutputStream daemon;

        StdinTap(InputStream stdin) {
            this.stdin = stdin;
        }

        void start(OutputStream toDaemon) {
            synchronized (this) {
                daemon = toDaemon;
            }
            Thread pump = new Thread(this::pump, "latchkey-relay-stdin");
            pump.setDaemon(true);
            pump.start();
        }

        private void pump() {
            byte[] buffer = new byte[RelayFrame.MAX_INPUT_BLOCK];
            while (true) {
                int n;
                try {
                    n = stdin.read(buffer);
                } catch (IOException e) {
                    n = -1;
                }
                synchronized (this) {
                    if (n < 0) {
                        ended = true;
                        sendToDaemon(null);
                        notifyAll();
                        java.util.Arrays.fill(buffer, (byte) 0);
                        return;
                    }
                    byte[] chunk = java.util.Arrays.copyOf(buffer, n);
                    java.util.Arrays.fill(buffer, 0, n, (byte) 0);
                    kept.add(chunk);
                    readUpTo += n;
                    sendToDaemon(chunk);
                    notifyAll();
                }
            }
        }

        /** A chunk as an {@code in} frame, or (null) the {@code end}; once the daemon is let go of, nothing. */
        private void sendToDaemon(byte[] chunk) {
            if (daemon == null) {
                return;
            }
            try {
                if (chunk == null) {
                    RelayFrame.writeEnd(daemon);
                } else {
                    RelayFrame.writeInput(daemon, chunk, 0, chunk.length);
                }
                daemon.flush();
            } catch (IOException e) {
                daemon = null; // it went away; what it did not get is kept
            }
        }

        /** The daemon answered the input's first {@code consumed} bytes: they need not be kept. */
        synchronized void answeredUpTo(long consumed) {
            while (!kept.isEmpty() && keptFrom + kept.peekFirst().length <= consumed) {
                byte[] chunk = kept.pollFirst();
                keptFrom += chunk.length;
                java.util.Arrays.fill(chunk, (byte) 0);
            }
        }

        /** The input from byte {@code from} on: what is kept of it, then the rest as it comes. The daemon gets no more. */
        synchronized InputStream replayFrom(long from) {
            daemon = null;
            answeredUpTo(from);
            long skip = from - keptFrom;
            return new InputStream() {
                private long skipLeft = skip;
                private byte[] chunk;
                private int at;

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
                    while (chunk == null || at == chunk.length) {
                        if (!next()) {
                            return -1;
                        }
                    }
                    int n = Math.min(len, chunk.length - at);
                    System.arraycopy(chunk, at, b, off, n);
                    java.util.Arrays.fill(chunk, at, at + n, (byte) 0);
                    at += n;
                    return n;
                }

                private boolean next() throws IOException {
                    synchronized (StdinTap.this) {
                        while (kept.isEmpty() && !ended) {
                            try {
                                StdinTap.this.wait();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                throw new java.io.InterruptedIOException("interrupted while reading stdin");
                            }
                        }
                        if (kept.isEmpty()) {
                            return false;
                        }
                        chunk = kept.pollFirst();
                        keptFrom += chunk.length;
                        at = 0;
                        if (skipLeft > 0) {
                            int skipped = (int) Math.min(skipLeft, chunk.length);
                            java.util.Arrays.fill(chunk, 0, skipped, (byte) 0);
                            at = skipped;
                            skipLeft -= skipped;
                        }
                        return true;
                    }
                }
            };
        }
    }

    /** Closes the connection when the daemon keeps silent past a deadline, which ends the blocked read. */
    private static final class Watchdog {
        private final SocketChannel channel;
        private final Object lock = new Object();
        private long deadline = Long.MAX_VALUE;
        private boolean expired;
        private Thread thread;

        Watchdog(SocketChannel channel) {
            this.channel = channel;
        }

        void arm(Duration timeout) {
            synchronized (lock) {
                deadline = System.nanoTime() + timeout.toNanos();
                if (thread == null) {
                    thread = new Thread(this::watch, "latchkey-relay-watchdog");
                    thread.setDaemon(true);
                    thread.start();
                }
            }
        }

        void disarm() {
            synchronized (lock) {
                deadline = Long.MIN_VALUE; // ends the thread
                lock.notifyAll();
            }
        }

        boolean expired() {
            synchronized (lock) {
                return expired;
            }
        }

        private void watch() {
            synchronized (lock) {
                while (deadline != Long.MIN_VALUE) {
                    long wait = deadline - System.nanoTime();
                    if (wait <= 0) {
                        expired = true;
                        DaemonSocket.closeQuietly(channel);
                        return;
                    }
                    try {
                        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(lock, wait);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }
    }

    /** The header of this process's invocation, or empty when a value cannot be sent. */
    static Optional<RelayHeader> header(String version, java.util.List<String> argv, Path workingDirectory,
                                        java.util.Map<String, String> env, java.util.Set<Integer> terminals) {
        return RelayHeader.of(version, argv, workingDirectory.toString(), env, terminals);
    }
}
