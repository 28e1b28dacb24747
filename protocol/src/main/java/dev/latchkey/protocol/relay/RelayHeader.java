package dev.latchkey.protocol.relay;

import dev.latchkey.protocol.MalformedMessageException;
import dev.latchkey.protocol.TokenVariables;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a caller tells the daemon about an invocation it hands over (docs/relay-protocol.md): its
 * latchkey version (a daemon of another version leaves the invocation to it), its arguments, working directory, the variables of its environment that say where its files are and
 * how it runs, the names (never the values) of the token variables it holds, and which of its
 * standard streams are terminals. {@code latchkey-relay} (C) writes the same lines.
 */
public record RelayHeader(String version, List<String> args, String workingDirectory, Map<String, String> environment,
                          Set<String> tokenVariables, Set<Integer> terminals) {
    /** The line that opens a relayed invocation on the daemon's socket. */
    public static final String FIRST_LINE = "latchkey-relay 1";
    static final int MAX_LINE = 64 * 1024;
    static final int MAX_HEADER = 256 * 1024;
    static final int MAX_ARGS = 1024;

    public RelayHeader {
        args = List.copyOf(args);
        environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        tokenVariables = Set.copyOf(tokenVariables);
        terminals = Set.copyOf(terminals);
    }

    /**
     * Whether the variable {@code name} is sent with an invocation: the ones that decide where
     * latchkey's and cargo's files are, latchkey's own switches, and the index URLs cargo takes from
     * the environment. Nothing else: an environment may hold other secrets.
     */
    public static boolean isSent(String name) {
        return name.equals("HOME") || name.equals("CARGO_HOME") || name.startsWith("XDG_")
                || name.equals("LATCHKEY_CONFIG") || name.equals("LATCHKEY_LOG") || name.equals("LATCHKEY_NO_DAEMON")
                || name.equals("LATCHKEY_SOCKET") || name.equals("LATCHKEY_AUTOSTART")
                || (name.startsWith(TokenVariables.PREFIX) && name.endsWith("_INDEX")
                    && name.length() > TokenVariables.PREFIX.length() + "_INDEX".length());
    }

    /**
     * The header for an invocation made in {@code env}: the variables {@link #isSent sent}, and the
     * token variables named. Empty when a value holds a newline, which the frames cannot carry:
     * the caller then serves the invocation itself.
     */
    public static Optional<RelayHeader> of(String version, List<String> args, String workingDirectory, Map<String, String> env,
                                                     Set<Integer> terminals) {
        Map<String, String> sent = new LinkedHashMap<>();
        Set<String> tokens = new TreeSet<>();
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            if (TokenVariables.isTokenVariable(e.getKey())) {
                if (!e.getValue().isEmpty()) {
                    tokens.add(e.getKey());
                }
            } else if (isSent(e.getKey())) {
                sent.put(e.getKey(), e.getValue());
            }
        }
        RelayHeader header = new RelayHeader(version, args, workingDirectory, sent, tokens, terminals);
        return header.sendable() ? Optional.of(header) : Optional.empty();
    }

    private boolean sendable() {
        if (args.size() > MAX_ARGS || version.indexOf('\n') >= 0 || workingDirectory.indexOf('\n') >= 0) {
            return false;
        }
        for (String arg : args) {
            if (arg.indexOf('\n') >= 0) {
                return false;
            }
        }
        for (Map.Entry<String, String> e : environment.entrySet()) {
            if (e.getKey().indexOf('\n') >= 0 || e.getKey().indexOf('=') >= 0 || e.getValue().indexOf('\n') >= 0) {
                return false;
            }
        }
        return true;
    }

    /** The header's lines, from the first to the empty one that ends it. */
    public byte[] encode() {
        StringBuilder s = new StringBuilder(FIRST_LINE).append('\n');
        s.append("version ").append(version).append('\n');
        for (String arg : args) {
            s.append("arg ").append(arg).append('\n');
        }
        s.append("cwd ").append(workingDirectory).append('\n');
        for (Map.Entry<String, String> e : environment.entrySet()) {
            s.append("env ").append(e.getKey()).append('=').append(e.getValue()).append('\n');
        }
        for (String name : tokenVariables) {
            s.append("has ").append(name).append('\n');
        }
        for (Integer fd : terminals) {
            s.append("tty ").append(fd).append('\n');
        }
        return s.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads the header's lines after the first (which whoever framed the connection's first line
     * has read), up to and including the empty line that ends it.
     *
     * @throws MalformedMessageException for anything the protocol does not describe; the message quotes none of it
     */
    public static RelayHeader readAfterFirstLine(InputStream in) throws IOException, MalformedMessageException {
        List<String> args = new ArrayList<>();
        String version = null;
        String cwd = null;
        Map<String, String> env = new LinkedHashMap<>();
        Set<String> tokens = new TreeSet<>();
        Set<Integer> terminals = new TreeSet<>();
        int total = 0;
        while (true) {
            String line = FrameLines.read(in, MAX_LINE);
            if (line == null) {
                throw new MalformedMessageException("the relayed invocation's header ended before its empty line");
            }
            total += line.length() + 1;
            if (total > MAX_HEADER) {
                throw new MalformedMessageException("the relayed invocation's header is longer than " + MAX_HEADER + " bytes");
            }
            if (line.isEmpty()) {
                break;
            }
            int space = line.indexOf(' ');
            String key = space < 0 ? line : line.substring(0, space);
            String value = space < 0 ? "" : line.substring(space + 1);
            switch (key) {
                case "arg" -> {
                    if (args.size() == MAX_ARGS) {
                        throw new MalformedMessageException("the relayed invocation has more than " + MAX_ARGS + " arguments");
                    }
                    args.add(value);
                }
                case "version" -> version = value;
                case "cwd" -> cwd = value;
                case "env" -> {
                    int equals = value.indexOf('=');
                    if (equals <= 0 || !isSent(value.substring(0, equals))) {
                        throw new MalformedMessageException("an env line of the relayed invocation names no variable the protocol sends");
                    }
                    env.put(value.substring(0, equals), value.substring(equals + 1));
                }
                case "has" -> {
                    if (!TokenVariables.isTokenVariable(value)) {
                        throw new MalformedMessageException("a has line of the relayed invocation names no token variable");
                    }
                    tokens.add(value);
                }
                case "tty" -> {
                    if (!value.equals("0") && !value.equals("1") && !value.equals("2")) {
                        throw new MalformedMessageException("a tty line of the relayed invocation names no standard stream");
                    }
                    terminals.add(Integer.valueOf(value));
                }
                default -> throw new MalformedMessageException("the relayed invocation's header has a line the protocol does not describe");
            }
        }
        if (cwd == null || cwd.isEmpty()) {
            throw new MalformedMessageException("the relayed invocation's header names no working directory");
        }
        if (version == null) {
            throw new MalformedMessageException("the relayed invocation's header names no version");
        }
        return new RelayHeader(version, args, cwd, env, tokens, terminals);
    }
}
