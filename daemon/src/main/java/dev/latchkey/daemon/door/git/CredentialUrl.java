package dev.latchkey.daemon.door.git;

import dev.latchkey.protocol.Secret;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The parts a {@code url=} attribute stands for, split as git's {@code credential_from_url} splits
 * it: {@code PROTOCOL://[USER[:PASSWORD]@]HOST[/PATH]}, the host ending at the first {@code /},
 * {@code ?} or {@code #}; user, password, host and path percent-decoded (never {@code %00}, and
 * {@code +} stays a plus); leading and trailing slashes of the path dropped. Refused as git refuses
 * them: no scheme, a newline in a decoded part. A part git leaves out is null; git always sets the
 * host of a full URL, empty when there is none.
 */
record CredentialUrl(String protocol, String host, String path, String username, Secret password) {

    static CredentialUrl split(byte[] line, int from, int to) throws GitProtocolException {
        int protoEnd = indexOf(line, from, to, "://");
        if (protoEnd <= from) {
            throw new GitProtocolException("the url attribute has no scheme (git sends PROTOCOL://HOST...)");
        }
        int cp = protoEnd + 3;
        int at = indexOf(line, cp, to, "@");
        int colon = indexOf(line, cp, to, ":");
        int slash = cp;
        while (slash < to && line[slash] != '/' && line[slash] != '?' && line[slash] != '#') {
            slash++;
        }
        String username = null;
        Secret password = null;
        int hostStart;
        if (at < 0 || slash <= at) {
            hostStart = cp;
        } else if (colon < 0 || at <= colon) {
            username = part("user name", line, cp, at);
            hostStart = at + 1;
        } else {
            username = part("user name", line, cp, colon);
            password = secretPart(line, colon + 1, at);
            hostStart = at + 1;
        }
        try {
            String protocol = CredentialDescription.text("url", line, from, protoEnd);
            requireOneLine("protocol", protocol);
            String host = part("host", line, hostStart, slash);
            int pathStart = slash;
            while (pathStart < to && line[pathStart] == '/') {
                pathStart++;
            }
            String path = null;
            if (pathStart < to) {
                path = part("path", line, pathStart, to);
                int end = path.length();
                while (end > 1 && path.charAt(end - 1) == '/') {
                    end--;
                }
                path = path.substring(0, end);
            }
            return new CredentialUrl(protocol, host, path, username, password);
        } catch (GitProtocolException | RuntimeException e) {
            if (password != null) {
                password.wipe();
            }
            throw e;
        }
    }

    private static String part(String name, byte[] line, int from, int to) throws GitProtocolException {
        byte[] decoded = decode(line, from, to);
        try {
            String text = CredentialDescription.text("url's " + name, decoded, 0, decoded.length);
            requireOneLine(name, text);
            return text;
        } finally {
            Arrays.fill(decoded, (byte) 0);
        }
    }

    private static Secret secretPart(byte[] line, int from, int to) throws GitProtocolException {
        byte[] decoded = decode(line, from, to);
        try {
            for (byte b : decoded) {
                if (b == '\n') {
                    throw new GitProtocolException("the url attribute has a newline in its password");
                }
            }
            return CredentialDescription.secret("url's password", decoded, 0, decoded.length);
        } finally {
            Arrays.fill(decoded, (byte) 0);
        }
    }

    private static void requireOneLine(String name, String text) throws GitProtocolException {
        if (text.indexOf('\n') >= 0) {
            throw new GitProtocolException("the url attribute has a newline in its " + name);
        }
    }

    /**
     * git's url_decode_mem: {@code %XX} to its byte unless the digits are not hex or the byte is NUL
     * (C strings end there). The caller owns, and wipes, the result.
     */
    private static byte[] decode(byte[] line, int from, int to) {
        byte[] out = new byte[to - from];
        int length = 0;
        int i = from;
        while (i < to) {
            if (line[i] == '%' && i + 3 <= to) {
                int high = Character.digit(line[i + 1] & 0xff, 16);
                int low = Character.digit(line[i + 2] & 0xff, 16);
                if (high >= 0 && low >= 0 && (high | low) != 0) {
                    out[length++] = (byte) (high << 4 | low);
                    i += 3;
                    continue;
                }
            }
            out[length++] = line[i++];
        }
        byte[] decoded = Arrays.copyOf(out, length);
        Arrays.fill(out, (byte) 0);
        return decoded;
    }

    private static int indexOf(byte[] line, int from, int to, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = from; i + n.length <= to; i++) {
            for (int j = 0; j < n.length; j++) {
                if (line[i + j] != n[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
