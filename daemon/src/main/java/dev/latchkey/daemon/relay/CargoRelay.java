package dev.latchkey.daemon.relay;

import dev.latchkey.client.SocketDirectory;
import dev.latchkey.daemon.VerboseLog;
import dev.latchkey.daemon.cli.ExitCodes;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.config.Locations;
import dev.latchkey.daemon.service.Services;
import dev.latchkey.protocol.LineReader;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code latchkey --cargo-plugin} while a daemon runs: cargo's lines go to the daemon as they
 * came, and the daemon's answers, already in cargo's dialect, go to cargo as they come. This is the
 * path of every cargo request, so it loads no JSON library, no TOML, no store and no config: only
 * JDK classes and a few of latchkey's own, and it talks to the daemon over the named pipes of
 * {@link RelaySlots}.
 *
 * <p>It hands the session back to this process (the full provider) when the daemon cannot serve
 * it or must not: no daemon, {@code LATCHKEY_NO_DAEMON}, token variables in this environment
 * (which only this process can see), every slot busy, a request the daemon says only the caller
 * can serve (a login that must ask at the terminal, {@code --no-daemon} in its args), or a daemon
 * that goes away or stops answering. Nothing is lost either way: a line is handed back with the
 * input after it, and whether the daemon got it. A daemon whose files are elsewhere than this
 * process's (another {@code CARGO_HOME}, {@code HOME} or XDG directory) declines the session, and
 * this process serves it without the daemon.
 */
public final class CargoRelay {
    /** How long the daemon may take to open a session: the client library's connect timeout. */
    private static final long OPEN_NANOS = 5_000_000_000L;
    /** How long it may take to answer: the client library's call timeout (a keychain may ask the user to unlock it). */
    private static final long ANSWER_NANOS = 60_000_000_000L;
    /** cargo's hello, which {@code Hello.line(Dialect.CARGO, ...)} writes too; that class would load the JSON library. */
    static final byte[] CARGO_HELLO = "{\"v\":[1]}\n".getBytes(StandardCharsets.US_ASCII);

    private final Environment env;
    private final InputStream stdin;
    private final OutputStream stdout;
    private final PrintStream stderr;
    /** {@code LATCHKEY_LOG}: say on stderr why a session is relayed or not. */
    private final boolean verbose;

    public CargoRelay(Environment env, InputStream stdin, OutputStream stdout, PrintStream stderr) {
        this.env = env;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.verbose = env.enabled(VerboseLog.VARIABLE);
    }

    /** How a relayed session ended. */
    public sealed interface Outcome {
    }

    /** The daemon answered everything; the process exits with {@code status}. */
    public record Served(int status) implements Outcome {
    }

    /** Nothing was read or written: this process serves the session from the start. */
    public record NotRelayed() implements Outcome {
    }

    /**
     * Nothing was read or written, and the daemon keeps its files where this process's environment
     * does not: this process serves the session from the start, without asking the daemon.
     */
    public record Declined() implements Outcome {
    }

    /**
     * The hello has been sent and this process serves the rest: {@code rest}, which starts with
     * the line the daemon did not answer. {@code lostDaemon} is null when the daemon handed that line
     * back; otherwise the line was sent to a daemon that then went away, and it says how.
     * {@code sawBrokenConfig}: the daemon found the config file broken for an earlier line.
     */
    public record HandedBack(InputStream rest, String lostDaemon, boolean sawBrokenConfig) implements Outcome {
    }

    public Outcome serve() {
        if (env.enabled("LATCHKEY_NO_DAEMON")) {
            return notRelayed("LATCHKEY_NO_DAEMON is set");
        }
        if (Services.holdTokens(env.variables())) {
            return notRelayed("this environment holds token variables, which only this process can see");
        }
        Locations locations = new Locations(env);
        Path socket = locations.socket();
        RelaySlots slots = new RelaySlots(socket);
        if (!Files.exists(slots.alive())) {
            return notRelayed("no daemon's relay in ".concat(slots.directory().toString()));
        }
        FileChannel lock = null;
        try {
            Session session = null;
            try {
                // The same rule as for the socket: a token goes only to the user's own daemon. The full
                // provider checks the directory again, and says what is wrong with it.
                SocketDirectory.verify(socket.getParent());
                if (!daemonAlive(slots)) {
                    return notRelayed("the daemon that made ".concat(slots.directory().toString()).concat(" is gone"));
                }
                for (int slot = 0; slot < RelaySlots.COUNT && session == null; slot++) {
                    lock = claim(slots.lock(slot));
                    if (lock != null) {
                        session = Session.open(slots, slot, announce(locations), stderr);
                        if (session == null) {
                            return notRelayed("the daemon did not open a session in time, or refused it");
                        }
                        if (session.declined) {
                            say("not relayed, nor asked over the socket: the daemon keeps its files elsewhere than this process "
                                    + "(its HOME, CARGO_HOME or XDG directories differ)");
                            return new Declined();
                        }
                        if (verbose) {
                            say("relayed to the daemon through slot ".concat(String.valueOf(slot)).concat(" of ")
                                    .concat(slots.directory().toString()));
                        }
                    }
                }
            } catch (IOException e) {
                return notRelayed(String.valueOf(e.getMessage()));
            }
            if (session == null) {
                return notRelayed("every slot is busy"); // the socket takes this one
            }
            try {
                return relay(session);
            } catch (IOException e) {
                // cargo stopped reading: the provider would end the same way
                stderr.println("latchkey: ".concat(String.valueOf(e.getMessage())));
                return new Served(ExitCodes.FAILURE);
            }
        } finally {
            close(lock);
        }
    }

    /** Serving in this process from the start, and, with {@code LATCHKEY_LOG}, saying why. */
    private NotRelayed notRelayed(String why) {
        say("not relayed: ".concat(why));
        return new NotRelayed();
    }

    /** A line of {@link dev.latchkey.daemon.VerboseLog} when {@code LATCHKEY_LOG} is set (that class itself is not loaded here). */
    private void say(String message) {
        if (verbose) {
            stderr.println(VerboseLog.PREFIX.concat(message));
        }
    }

    /** A daemon holds {@code alive} locked while it serves; one that died left it unlocked. */
    private static boolean daemonAlive(RelaySlots slots) throws IOException {
        try (FileChannel alive = FileChannel.open(slots.alive(), StandardOpenOption.READ)) {
            FileLock probe = alive.tryLock(0, Long.MAX_VALUE, true);
            if (probe != null) {
                probe.release();
                return false;
            }
            return true;
        } catch (NoSuchFileException e) {
            return false; // the daemon stopped just now
        }
    }

    /** The slot's lock, held until the process ends; null when another relay holds it. */
    private static FileChannel claim(Path lockFile) throws IOException {
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
        if (channel.tryLock() == null) {
            channel.close();
            return null;
        }
        return channel;
    }

    private RelayFrames.Announce announce(Locations locations) {
        String config = env.get("LATCHKEY_CONFIG").isPresent() ? env.expand(env.get("LATCHKEY_CONFIG").get()).toString() : null;
        String nonce = Long.toHexString(System.nanoTime()).concat(Long.toHexString(System.currentTimeMillis()));
        return new RelayFrames.Announce(nonce, ownPid(), env.workingDirectory().toString(), config,
                locations.signature());
    }

    /**
     * This process's pid, for the daemon's audit log, from {@code /proc/self} (Linux; elsewhere
     * unknown): {@link ProcessHandle} would do it anywhere, but its first use costs some 15 ms.
     */
    private static Long ownPid() {
        try {
            return Long.valueOf(Files.readSymbolicLink(Path.of("/proc/self")).toString());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private Outcome relay(Session session) throws IOException {
        stdout.write(CARGO_HELLO);
        stdout.flush();
        LineReader input = new LineReader(stdin);
        boolean sawBrokenConfig = false;
        try (session) {
            while (true) {
                int length = input.readLine();
                if (length == LineReader.END_OF_STREAM) {
                    return new Served(sawBrokenConfig ? ExitCodes.USAGE : ExitCodes.OK);
                }
                if (length >= 0 && LineReader.isBlank(input.buffer(), length)) {
                    continue; // no request, so no answer, here as in the provider
                }
                byte[] line = sendable(input, length);
                if (length >= 0 && RelayFrames.isFrame(line, length)) {
                    // Not a request cargo would send, but it would read as a frame: the provider answers it.
                    return new HandedBack(input.rest(line), null, sawBrokenConfig);
                }
                if (!session.send(line)) {
                    // The daemon did not get it (gone, or too slow before): this process serves it.
                    return new HandedBack(input.rest(line), null, sawBrokenConfig);
                }
                while (true) {
                    Answer answer = session.answer();
                    if (answer.lost() != null) {
                        return new HandedBack(input.rest(line), answer.lost(), sawBrokenConfig);
                    }
                    String frame = answer.frame();
                    if (frame == null) {
                        Arrays.fill(line, (byte) 0);
                        session.copyAnswerTo(stdout);
                        break;
                    }
                    if (frame.equals(RelayFrames.BROKEN_CONFIG)) {
                        sawBrokenConfig = true;
                    } else if (frame.equals(RelayFrames.SERVE_IN_CALLER)) {
                        return new HandedBack(input.rest(line), null, sawBrokenConfig);
                    } else {
                        String text = noticeText(frame);
                        if (text == null) {
                            return new HandedBack(input.rest(line), "the latchkey daemon sent a line the relay cannot read",
                                    sawBrokenConfig);
                        }
                        stderr.println(text);
                    }
                }
            }
        }
    }

    private static String noticeText(String frame) {
        try {
            return RelayFrames.noticeText(frame);
        } catch (RelayFrames.MalformedFrameException e) {
            return null;
        }
    }

    /** The line as it goes to the daemon, {@code \n} ended; a line too long to keep goes as a line too long too. */
    private static byte[] sendable(LineReader input, int length) {
        if (length == LineReader.TOO_LONG) {
            // The line itself is gone (it may have held a token); the daemon answers any line this
            // long as the provider answers this one.
            byte[] filler = new byte[LineReader.MAX_LINE + 2];
            Arrays.fill(filler, (byte) 'x');
            filler[filler.length - 1] = '\n';
            return filler;
        }
        byte[] line = Arrays.copyOf(input.buffer(), length + 1);
        line[length] = '\n';
        input.wipe(length);
        return line;
    }

    /** What came back for a request: a frame (its text), the answer (no frame), or how the daemon was lost. */
    private record Answer(String frame, String lost) {
    }

    private static void close(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // the lock goes with the process anyway
            }
        }
    }

    /**
     * One open session on a slot: the two pipes, and a watchdog that ends a wait the daemon does
     * not end in time. A blocked open or read of a named pipe cannot be interrupted, so the
     * watchdog ends it by opening the other end itself (an open waits only for a partner) and, for
     * a read, writing an empty line into it.
     */
    private static final class Session implements AutoCloseable {
        private static final int READY = 0;
        private static final int REFUSED = 1;
        private static final int RETRY = 2;
        private static final int ELSEWHERE = 3;

        private final RelaySlots slots;
        private final int slot;
        private final Watchdog watchdog;
        private FileOutputStream requests;
        private FileInputStream answers;
        private final AnswerReader reader = new AnswerReader();
        /** The daemon declined the session: its files are elsewhere. The session is closed. */
        private boolean declined;

        private Session(RelaySlots slots, int slot) {
            this.slots = slots;
            this.slot = slot;
            this.watchdog = new Watchdog(this);
        }

        /**
         * Opens the slot's pipes and the session on them; null when the daemon does not open it in
         * time. The daemon may still be closing the slot's last session when this one begins: the
         * pipes are then briefly without a partner, which ends this attempt, and the next succeeds.
         * Why the daemon refused a session, when it says, is printed on {@code stderr}. A session
         * the daemon declined is returned {@link #declined}, closed.
         */
        static Session open(RelaySlots slots, int slot, RelayFrames.Announce announce, PrintStream stderr) throws IOException {
            Session session = new Session(slots, slot);
            long giveUp = System.nanoTime() + OPEN_NANOS;
            session.watchdog.arm(Watchdog.OPENING_REQUESTS, giveUp);
            session.watchdog.start();
            byte[] opening = ("\n".concat(RelayFrames.announce(announce)).concat("\n")).getBytes(StandardCharsets.UTF_8);
            while (System.nanoTime() - giveUp < 0) {
                session.watchdog.arm(Watchdog.OPENING_REQUESTS, giveUp);
                try {
                    session.requests = new FileOutputStream(slots.requests(slot).toFile());
                    if (session.watchdog.expired()) {
                        break;
                    }
                    session.watchdog.arm(Watchdog.OPENING_ANSWERS, giveUp);
                    session.answers = new FileInputStream(slots.answers(slot).toFile());
                    if (session.watchdog.expired()) {
                        break;
                    }
                    // The leading newline ends whatever a relay killed mid-line left in the pipe.
                    session.requests.write(opening);
                    session.watchdog.arm(Watchdog.READING_ANSWERS, giveUp);
                    int ready = session.awaitReady(announce.nonce(), stderr);
                    if (ready == READY) {
                        session.watchdog.disarm();
                        return session;
                    }
                    if (ready == REFUSED) {
                        break;
                    }
                    if (ready == ELSEWHERE) {
                        session.declined = true;
                        session.close();
                        return session;
                    }
                } catch (IOException e) {
                    // no partner on a pipe just now; try again
                }
                session.closePipes();
                if (session.watchdog.expired()) {
                    break;
                }
                pause();
            }
            session.close();
            return null;
        }

        private static void pause() {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /**
         * Reads until the daemon says whether this session is open; what came before was a dead
         * relay's. A notice just before a refusal says why, and goes to {@code stderr}.
         */
        private int awaitReady(String nonce, PrintStream stderr) throws IOException {
            String why = null;
            while (true) {
                int length = reader.read(answers);
                if (length < 0 || watchdog.expired()) {
                    return RETRY;
                }
                if (RelayFrames.isFrame(reader.buffer(), length)) {
                    String frame = new String(reader.buffer(), 0, length, StandardCharsets.UTF_8);
                    if (frame.equals(RelayFrames.REFUSED)) {
                        if (why != null) {
                            stderr.println(why);
                        }
                        return REFUSED;
                    }
                    if (frame.equals(RelayFrames.ELSEWHERE)) {
                        return ELSEWHERE;
                    }
                    why = noticeText(frame);
                    try {
                        if (nonce.equals(RelayFrames.readyNonce(frame))) {
                            return READY;
                        }
                    } catch (RelayFrames.MalformedFrameException e) {
                        return REFUSED;
                    }
                } else {
                    why = null;
                }
                reader.wipe();
            }
        }

        /** Sends one request line; false when the daemon did not get it: it is gone, or timed out before. */
        boolean send(byte[] line) {
            if (watchdog.expired()) {
                return false;
            }
            try {
                requests.write(line);
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        /** The next line from the daemon, as a frame or as the answer, which is then copied with {@link #copyAnswerTo}. */
        Answer answer() {
            if (watchdog.expired()) {
                return new Answer(null, "the latchkey daemon did not answer in time");
            }
            watchdog.arm(Watchdog.READING_ANSWERS, System.nanoTime() + ANSWER_NANOS);
            int length;
            try {
                length = reader.read(answers);
            } catch (IOException e) {
                return new Answer(null, "the latchkey daemon went away (".concat(String.valueOf(e.getMessage())).concat(")"));
            } finally {
                watchdog.disarm();
            }
            if (length < 0) {
                return new Answer(null, "the latchkey daemon went away before answering");
            }
            if (length == 0) {
                // The daemon sends no empty line: this is the watchdog's, and the answer is late.
                return new Answer(null, "the latchkey daemon did not answer within 60 s");
            }
            if (!RelayFrames.isFrame(reader.buffer(), length)) {
                return new Answer(null, null);
            }
            String frame = new String(reader.buffer(), 0, length, StandardCharsets.UTF_8);
            reader.wipe();
            return new Answer(frame, null);
        }

        void copyAnswerTo(OutputStream out) throws IOException {
            try {
                out.write(reader.buffer(), 0, reader.length());
                out.write('\n');
                out.flush();
            } finally {
                reader.wipe();
            }
        }

        private void closePipes() {
            try {
                if (requests != null) {
                    requests.close();
                }
                if (answers != null) {
                    answers.close();
                }
            } catch (IOException e) {
                // closed either way
            }
            requests = null;
            answers = null;
            reader.wipe();
        }

        /** Ends the session: the daemon reads the end of the input and closes its side. */
        @Override
        public void close() {
            watchdog.disarm();
            closePipes();
        }
    }

    /** One line from the daemon at a time, of any length, in a buffer wiped after each. */
    private static final class AnswerReader {
        private byte[] line = new byte[8192];
        private int length;

        /** Reads up to the next {@code \n}; returns the line's length, or -1 at the end of the input. */
        int read(InputStream in) throws IOException {
            length = 0;
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    return length;
                }
                if (length == line.length) {
                    byte[] bigger = Arrays.copyOf(line, line.length * 2);
                    Arrays.fill(line, (byte) 0);
                    line = bigger;
                }
                line[length++] = (byte) b;
            }
            return -1;
        }

        byte[] buffer() {
            return line;
        }

        int length() {
            return length;
        }

        void wipe() {
            Arrays.fill(line, 0, length, (byte) 0);
            length = 0;
        }
    }

    /**
     * Ends a wait on a pipe that the daemon leaves unanswered past its deadline. It sleeps until
     * the deadline and is woken early only for an earlier one, which a session never sets: in a
     * relayed request that goes well it does not run at all (each wake would cost the request a
     * switch between threads).
     */
    private static final class Watchdog extends Thread {
        static final int IDLE = 0;
        static final int OPENING_REQUESTS = 1;
        static final int OPENING_ANSWERS = 2;
        static final int READING_ANSWERS = 3;

        private final Session session;
        private volatile int phase = IDLE;
        private volatile long deadline;
        private volatile long sleepingUntil = Long.MAX_VALUE;
        private volatile boolean expired;
        /** The phase whose wait was ended; once the deadline has passed, every later one is ended too. */
        private int unblocked = IDLE;

        Watchdog(Session session) {
            super("latchkey-relay-watchdog");
            this.session = session;
            setDaemon(true);
        }

        void arm(int phase, long deadline) {
            this.deadline = deadline;
            this.phase = phase;
            if (expired || deadline - sleepingUntil < 0) {
                LockSupport.unpark(this);
            }
        }

        void disarm() {
            phase = IDLE;
        }

        boolean expired() {
            return expired;
        }

        @Override
        public void run() {
            while (true) {
                int watched = phase;
                long until = deadline;
                long now = System.nanoTime();
                boolean waiting = watched != IDLE && watched != unblocked;
                if (waiting && (expired || now - until >= 0)) {
                    expired = true;
                    unblocked = watched;
                    unblock(watched);
                    continue;
                }
                long target = waiting ? until : now + ANSWER_NANOS;
                sleepingUntil = target;
                if (phase != watched || (waiting && deadline - target < 0)) {
                    continue; // armed again meanwhile
                }
                LockSupport.parkNanos(this, target - now);
            }
        }

        /** Opens the other end of the pipe the session waits on, which ends the wait. */
        private void unblock(int watched) {
            try {
                if (watched == OPENING_REQUESTS) {
                    new FileInputStream(session.slots.requests(session.slot).toFile()).close();
                } else {
                    try (FileOutputStream answers = new FileOutputStream(session.slots.answers(session.slot).toFile())) {
                        answers.write('\n');
                    }
                }
            } catch (IOException e) {
                // the pipe is gone with the daemon, and so is the wait
            }
        }
    }
}
