package dev.latchkey.daemon.door;

import java.util.Locale;

/**
 * A registry's {@code host[:port]} as the other tools' helper protocols name it (docker's server,
 * pip's netloc, an npm registry URL's authority), checked before it becomes part of a key: a DNS
 * name (letters, digits, '-', '_', dot-separated labels), an IPv4 address, or an IPv6 address in
 * brackets; then an optional port 1 to 65535. The host is lower-cased, since host names are
 * case-insensitive and one registry must come to one key. {@code port} is {@link #NO_PORT} when
 * none was given; a default port is kept as written (docker tells {@code R:443} from {@code R}).
 */
public record HostPort(String host, int port) {
    public static final int NO_PORT = -1;
    private static final int MAX_LENGTH = 261; // 253 for a DNS name, ':' and five digits, and brackets

    /** Why {@code text} is no {@code host[:port]}, as a phrase to follow its subject ("has a port that..."), or null when it is one. */
    public static String problem(String text) {
        Object parsed = parseOrProblem(text);
        return parsed instanceof String problem ? problem : null;
    }

    /** {@code text} as a host and port; only for a text {@link #problem} has no problem with. */
    public static HostPort parse(String text) {
        Object parsed = parseOrProblem(text);
        if (parsed instanceof String problem) {
            throw new IllegalArgumentException("the host " + problem);
        }
        return (HostPort) parsed;
    }

    /** {@code host} or {@code host:port}. */
    @Override
    public String toString() {
        return port == NO_PORT ? host : host + ":" + port;
    }

    private static Object parseOrProblem(String text) {
        if (text.isEmpty()) {
            return "is empty";
        }
        if (text.length() > MAX_LENGTH) {
            return "is longer than a host name and port can be";
        }
        String host;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                return "has a '[' without its ']'";
            }
            String address = text.substring(1, close);
            if (address.indexOf(':') < 0 || !allOf(address, "0123456789abcdefABCDEF:.")) {
                return "has something in brackets that is not an IPv6 address";
            }
            host = text.substring(0, close + 1);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    return "has something after the bracketed address that is not a port";
                }
                port = rest.substring(1);
            }
        } else {
            int colon = text.indexOf(':');
            if (colon >= 0 && text.indexOf(':', colon + 1) >= 0) {
                return "has more than one ':' (an IPv6 address goes in brackets)";
            }
            host = colon < 0 ? text : text.substring(0, colon);
            port = colon < 0 ? null : text.substring(colon + 1);
            if (host.isEmpty()) {
                return "has no host name";
            }
            for (String label : host.split("\\.", -1)) {
                if (label.isEmpty()) {
                    return "has an empty part in its host name (two dots, or a dot at an end)";
                }
                if (label.length() > 63 || !isLabel(label)) {
                    return "has a character a host name cannot hold";
                }
            }
        }
        int number = NO_PORT;
        if (port != null) {
            if (port.isEmpty() || port.length() > 5 || !allOf(port, "0123456789") || (number = Integer.parseInt(port)) < 1
                    || number > 65535) {
                return "has a port that is not a number from 1 to 65535";
            }
        }
        return new HostPort(host.toLowerCase(Locale.ROOT), number);
    }

    // Hand-written rather than regular expressions: a host is checked on every read a client's
    // fresh process serves (docs/architecture.md, the cold path).

    private static boolean allOf(String text, String allowed) {
        for (int i = 0; i < text.length(); i++) {
            if (allowed.indexOf(text.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Letters, digits, '-' and '_', ASCII only. */
    private static boolean isLabel(String label) {
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return false;
            }
        }
        return !label.isEmpty();
    }
}
