package dev.latchkey.daemon.relay;

import java.nio.charset.StandardCharsets;

/**
 * The lines of a relayed cargo session besides cargo's own, written and read with JDK classes
 * only: the relay runs in the provider process cargo starts for every request, which must not
 * pay for a JSON library. Each is a JSON object on one line, always written in one layout, and
 * starts with {@code {"relay":}, which no answer does ({@code {"Ok":} and {@code {"Err":} do).
 *
 * <pre>
 * relay → daemon  {"relay":2,"nonce":"N","pid":P,"cwd":"/dir","config":"/file","locations":"L"}
 *                                                                          opens a session (pid, config only when known)
 * daemon → relay  {"relay":"ready","nonce":"N"}                            the session is open
 * daemon → relay  {"relay":"refused"}                                      an announce it cannot read (another version)
 * daemon → relay  {"relay":"elsewhere"}                                    the caller's files are not where the daemon's are:
 *                                                                          it serves the session itself, without the daemon
 * daemon → relay  {"relay":"notice","text":"..."}                          a line for the caller's stderr
 * daemon → relay  {"relay":"serve-in-caller"}                              this request needs the caller: it serves it, and the rest
 * daemon → relay  {"relay":"broken-config"}                                the config file is broken: the caller exits 2 at the end
 * </pre>
 *
 * Every other line the daemon sends is the answer to the request just relayed, byte for byte
 * what the provider would have written had it served the request itself.
 */
final class RelayFrames {
    /**
     * The version of this format; a daemon refuses a session of another version. 2: the announce
     * carries the caller's {@link dev.latchkey.daemon.config.Locations#signature() locations}.
     */
    static final int VERSION = 2;

    private static final byte[] PREFIX = "{\"relay\":".getBytes(StandardCharsets.UTF_8);
    private static final String ANNOUNCE = "{\"relay\":" + VERSION + ",\"nonce\":";
    private static final String READY = "{\"relay\":\"ready\",\"nonce\":";
    private static final String NOTICE = "{\"relay\":\"notice\",\"text\":";
    static final String REFUSED = "{\"relay\":\"refused\"}";
    static final String SERVE_IN_CALLER = "{\"relay\":\"serve-in-caller\"}";
    static final String BROKEN_CONFIG = "{\"relay\":\"broken-config\"}";
    static final String ELSEWHERE = "{\"relay\":\"elsewhere\"}";

    private RelayFrames() {
    }

    /** Thrown for a frame line this format does not describe; the message never quotes the line. */
    static final class MalformedFrameException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedFrameException(String message) {
            super(message);
        }
    }

    /**
     * What opens a session: which session, the relaying process (null: unknown), from which
     * directory, with which config file (null: none named), and where the caller's environment
     * puts latchkey's and cargo's files ({@link dev.latchkey.daemon.config.Locations#signature()}).
     */
    record Announce(String nonce, Long pid, String workingDirectory, String config, String locations) {
    }

    /** Whether the first {@code length} bytes of {@code line} are a frame rather than an answer or a request. */
    static boolean isFrame(byte[] line, int length) {
        if (length < PREFIX.length) {
            return false;
        }
        for (int i = 0; i < PREFIX.length; i++) {
            if (line[i] != PREFIX[i]) {
                return false;
            }
        }
        return true;
    }

    static String announce(Announce announce) {
        StringBuilder s = new StringBuilder(ANNOUNCE);
        quote(s, announce.nonce());
        if (announce.pid() != null) {
            s.append(",\"pid\":").append(announce.pid().longValue());
        }
        s.append(",\"cwd\":");
        quote(s, announce.workingDirectory());
        if (announce.config() != null) {
            s.append(",\"config\":");
            quote(s, announce.config());
        }
        s.append(",\"locations\":");
        quote(s, announce.locations());
        return s.append('}').toString();
    }

    static Announce parseAnnounce(String line) throws MalformedFrameException {
        Cursor c = new Cursor(line);
        c.expect(ANNOUNCE);
        String nonce = c.string();
        Long pid = c.skip(",\"pid\":") ? c.number() : null;
        c.expect(",\"cwd\":");
        String cwd = c.string();
        String config = null;
        if (c.skip(",\"config\":")) {
            config = c.string();
        }
        c.expect(",\"locations\":");
        String locations = c.string();
        c.expect("}");
        c.end();
        return new Announce(nonce, pid, cwd, config, locations);
    }

    static String ready(String nonce) {
        StringBuilder s = new StringBuilder(READY);
        quote(s, nonce);
        return s.append('}').toString();
    }

    /** The nonce of a ready frame; null when {@code line} is another frame. */
    static String readyNonce(String line) throws MalformedFrameException {
        return line.startsWith(READY) ? only(line, READY) : null;
    }

    static String notice(String text) {
        StringBuilder s = new StringBuilder(NOTICE);
        quote(s, text);
        return s.append('}').toString();
    }

    /** The text of a notice frame; null when {@code line} is another frame. */
    static String noticeText(String line) throws MalformedFrameException {
        return line.startsWith(NOTICE) ? only(line, NOTICE) : null;
    }

    /** The one string after {@code prefix}, then {@code }}. */
    private static String only(String line, String prefix) throws MalformedFrameException {
        Cursor c = new Cursor(line);
        c.expect(prefix);
        String value = c.string();
        c.expect("}");
        c.end();
        return value;
    }

    /** Appends {@code value} as a JSON string: quotes, backslashes and control characters escaped. */
    static void quote(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (ch < 0x20 || ch == 0x7f) {
                        out.append("\\u00").append(Character.forDigit(ch >> 4, 16)).append(Character.forDigit(ch & 0xf, 16));
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Reads a frame left to right. */
    private static final class Cursor {
        private final String line;
        private int at;

        Cursor(String line) {
            this.line = line;
        }

        void expect(String literal) throws MalformedFrameException {
            if (!skip(literal)) {
                throw new MalformedFrameException("a relay frame is not laid out as expected at column " + (at + 1));
            }
        }

        boolean skip(String literal) {
            if (line.startsWith(literal, at)) {
                at += literal.length();
                return true;
            }
            return false;
        }

        void end() throws MalformedFrameException {
            if (at != line.length()) {
                throw new MalformedFrameException("unexpected data after a relay frame at column " + (at + 1));
            }
        }

        /** A positive decimal integer. */
        Long number() throws MalformedFrameException {
            int start = at;
            while (at < line.length() && at - start < 18 && line.charAt(at) >= '0' && line.charAt(at) <= '9') {
                at++;
            }
            if (at == start || line.charAt(start) == '0') {
                throw new MalformedFrameException("a number in a relay frame is not a positive integer at column " + (start + 1));
            }
            return Long.parseLong(line, start, at, 10);
        }

        /** A JSON string, with every escape JSON has. */
        String string() throws MalformedFrameException {
            expect("\"");
            StringBuilder value = new StringBuilder();
            while (at < line.length()) {
                char ch = line.charAt(at++);
                if (ch == '"') {
                    return value.toString();
                }
                if (ch != '\\') {
                    value.append(ch);
                    continue;
                }
                if (at == line.length()) {
                    break;
                }
                char escaped = line.charAt(at++);
                switch (escaped) {
                    case '"', '\\', '/' -> value.append(escaped);
                    case 'b' -> value.append('\b');
                    case 'f' -> value.append('\f');
                    case 'n' -> value.append('\n');
                    case 'r' -> value.append('\r');
                    case 't' -> value.append('\t');
                    case 'u' -> value.append(hex4());
                    default -> throw new MalformedFrameException("unknown escape in a relay frame at column " + at);
                }
            }
            throw new MalformedFrameException("a string in a relay frame does not end");
        }

        private char hex4() throws MalformedFrameException {
            if (at + 4 > line.length()) {
                throw new MalformedFrameException("a \\u escape in a relay frame is cut short");
            }
            int value = 0;
            for (int i = 0; i < 4; i++) {
                int digit = Character.digit(line.charAt(at++), 16);
                if (digit < 0) {
                    throw new MalformedFrameException("a \\u escape in a relay frame is not hexadecimal at column " + at);
                }
                value = value * 16 + digit;
            }
            return (char) value;
        }
    }
}
