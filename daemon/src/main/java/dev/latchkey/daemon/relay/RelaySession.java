package dev.latchkey.daemon.relay;

import dev.latchkey.daemon.service.Caller;
import dev.latchkey.daemon.service.Services;
import dev.latchkey.daemon.transport.ProtocolSession;
import dev.latchkey.daemon.transport.RequestHandler;
import dev.latchkey.daemon.transport.ServiceRouter;
import dev.latchkey.protocol.Dialect;
import dev.latchkey.protocol.Incoming;
import dev.latchkey.protocol.LineReader;
import dev.latchkey.protocol.RequestLine;
import dev.latchkey.protocol.Response;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * The daemon's end of one slot's pipes, for as long as the daemon holds them open: each
 * {@linkplain RelayFrames.Announce announce} opens a session for a caller, and each cargo line
 * after it is answered as that caller's own provider would answer it, through a
 * {@link ServiceRouter#forRelayedCaller} router and a cargo {@link ProtocolSession}; what the
 * router prints for the user goes back as notices. A line only the caller can serve, or one that
 * comes while the daemon is stopping, is handed back to it; a caller whose files are not where
 * the daemon's are is declined whole.
 */
final class RelaySession {
    private final Services services;
    private final String version;
    private final UnaryOperator<RequestHandler> tracking;
    private final BooleanSupplier stopping;

    /**
     * @param tracking wraps each session's handler, so that its requests count as the daemon's activity
     * @param stopping whether the daemon is stopping; new requests are then handed back
     */
    RelaySession(Services services, String version, UnaryOperator<RequestHandler> tracking, BooleanSupplier stopping) {
        this.services = services;
        this.version = version;
        this.tracking = tracking;
        this.stopping = stopping;
    }

    /** Serves the pipes until the relays writing to {@code in} (the pipe {@code requests}) have all closed it. */
    void serve(InputStream in, OutputStream out, Path requests) throws IOException {
        LineReader reader = new LineReader(in);
        Session session = null;
        while (true) {
            int length = reader.readLine();
            if (length == LineReader.END_OF_STREAM) {
                return;
            }
            if (length >= 0 && RelayFrames.isFrame(reader.buffer(), length)) {
                String frame = new String(reader.buffer(), 0, length, StandardCharsets.UTF_8);
                reader.wipe(length);
                session = open(frame, out, requests);
                continue;
            }
            if (session == null) {
                reader.wipe(length); // what a relay killed before it opened its session left behind
                continue;
            }
            Incoming incoming = ProtocolSession.read(reader, length);
            if (incoming != null) {
                session.answer(incoming, out);
            }
        }
    }

    /** Opens a caller's session, or refuses one this daemon cannot read (a relay of another version). */
    private Session open(String frame, OutputStream out, Path requests) throws IOException {
        RelayFrames.Announce announce;
        try {
            announce = RelayFrames.parseAnnounce(frame);
        } catch (RelayFrames.MalformedFrameException e) {
            writeLine(out, RelayFrames.REFUSED);
            return null;
        }
        Path directory;
        Path config;
        try {
            directory = Path.of(announce.workingDirectory());
            config = announce.config() == null ? null : Path.of(announce.config());
        } catch (InvalidPathException e) {
            // Not quoted: the paths are whatever the relay sent.
            return refuse(out, "its working directory or config file is not a valid file name (" + e.getReason() + ")");
        }
        if (!directory.isAbsolute() || (config != null && !config.isAbsolute())) {
            return refuse(out, "its working directory or config file is not an absolute path");
        }
        if (!services.sharesLocations(announce.locations())) {
            // The caller's files are elsewhere: answered here, it would be told of the daemon's.
            writeLine(out, RelayFrames.ELSEWHERE);
            return null;
        }
        writeLine(out, RelayFrames.ready(announce.nonce()));
        PrintStream notices = new PrintStream(new NoticeLines(out), true, StandardCharsets.UTF_8);
        ServiceRouter router = ServiceRouter.forRelayedCaller(services, directory, config, relaying(announce.pid(), requests),
                notices);
        RequestHandler handler = tracking.apply(router);
        return new Session(router, handler, new ProtocolSession(Dialect.CARGO, version, handler));
    }

    /**
     * Refuses a session whose announce this daemon can read but not serve, telling the relay why
     * in a notice first; the relay then serves the session itself.
     */
    private static Session refuse(OutputStream out, String why) throws IOException {
        writeLine(out, RelayFrames.notice("latchkey: the daemon cannot serve this relayed session: " + why
                + "; this process serves it instead"));
        writeLine(out, RelayFrames.REFUSED);
        return null;
    }

    /**
     * Who relays, for the audit log: the process whose pid the relay gave, once {@code /proc} shows
     * it holding this slot's pipe open (so no process can pass for another); else unknown, as on a
     * system without {@code /proc}.
     */
    static Caller relaying(Long pid, Path requests) {
        if (pid == null) {
            return Caller.UNKNOWN;
        }
        try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(Path.of("/proc", pid.toString(), "fd"))) {
            for (Path descriptor : descriptors) {
                if (Files.isSameFile(descriptor, requests)) {
                    return Caller.ofPid(pid, null);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone already, or no /proc here
        }
        return Caller.UNKNOWN;
    }

    /** One caller's session. */
    private final class Session {
        private final ServiceRouter router;
        private final RequestHandler handler;
        private final ProtocolSession session;
        private boolean toldBrokenConfig;

        Session(ServiceRouter router, RequestHandler handler, ProtocolSession session) {
            this.router = router;
            this.handler = handler;
            this.session = session;
        }

        void answer(Incoming incoming, OutputStream out) throws IOException {
            if (!(incoming instanceof RequestLine line)) {
                session.answer(incoming, out);
                return;
            }
            if (stopping.getAsBoolean() || router.needsTheCaller(line)) {
                ProtocolSession.wipeToken(line.request());
                writeLine(out, RelayFrames.SERVE_IN_CALLER);
                return;
            }
            Response response = session.respond(line);
            if (router.sawBrokenConfig() && !toldBrokenConfig) {
                toldBrokenConfig = true;
                writeLine(out, RelayFrames.BROKEN_CONFIG);
            }
            session.reply(line, response, out);
        }
    }

    private static void writeLine(OutputStream out, String frame) throws IOException {
        out.write(frame.concat("\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Turns each line printed for the user into a notice frame, written at once, before the answer. */
    private static final class NoticeLines extends OutputStream {
        private final OutputStream out;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        NoticeLines(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            if (b != '\n') {
                line.write(b);
                return;
            }
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            writeLine(out, RelayFrames.notice(text));
        }
    }
}
