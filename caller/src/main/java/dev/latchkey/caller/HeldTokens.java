package dev.latchkey.caller;

import dev.latchkey.daemon.door.ExitCodes;
import dev.latchkey.protocol.MalformedMessageException;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.ResponseCodec;
import dev.latchkey.protocol.Secret;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The tokens latchkey holds, as {@code exec} and {@code scan} read them: by running
 * {@code latchkey get} and {@code latchkey list --json} through the {@link InvocationRunner}, so
 * that a running daemon answers them and the audit log records each get, as for any other. What a
 * get prints is kept in a {@link SecretOutput} until it is taken as a {@link Secret}. Each
 * invocation says on stderr why it failed; the status it exited with comes back in {@link Unavailable}.
 */
final class HeldTokens {
    private final InvocationRunner runner;
    private final List<String> globalOptions;
    private final PrintStream stderr;
    private final Set<Integer> terminals;

    /**
     * {@code globalOptions}: those of the command that reads the tokens ({@code --config},
     * {@code --socket}, ...), given to each invocation; {@code stderrIsTerminal}: whether
     * {@code stderr} is one. The invocations read no input and print to no terminal but stderr.
     */
    HeldTokens(InvocationRunner runner, List<String> globalOptions, PrintStream stderr, boolean stderrIsTerminal) {
        this.runner = runner;
        this.globalOptions = List.copyOf(globalOptions);
        this.stderr = stderr;
        this.terminals = stderrIsTerminal ? Set.of(2) : Set.of();
    }

    /** An invocation that did not give what was asked; it said why on stderr, and exited with {@link #status}. */
    static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;

        Unavailable(int status) {
            super("latchkey exited with status " + status);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    /**
     * The token for {@code registry} (a name or an index URL) for {@code operation}; {@code forCommand}
     * is the program it is for, which the audit log records, or null.
     */
    Secret get(String registry, Operation operation, String forCommand) throws Unavailable {
        List<String> argv = new ArrayList<>(globalOptions);
        argv.addAll(List.of("get", registry, "--operation", operation.wire()));
        if (forCommand != null) {
            argv.addAll(List.of("--for-command", forCommand));
        }
        try (SecretOutput out = new SecretOutput()) {
            int status = runner.run(argv, InputStream.nullInputStream(), out, stderr, terminals);
            if (status != ExitCodes.OK) {
                throw new Unavailable(status);
            }
            return out.takeLine();
        }
    }

    /** What {@code latchkey list} describes: every token held, never the tokens. */
    List<Response.TokenInfo> list() throws Unavailable {
        List<String> argv = new ArrayList<>(globalOptions);
        argv.addAll(List.of("list", "--json"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = runner.run(argv, InputStream.nullInputStream(), out, stderr, terminals);
        if (status != ExitCodes.OK) {
            throw new Unavailable(status);
        }
        byte[] line = out.toByteArray();
        int length = line.length > 0 && line[line.length - 1] == '\n' ? line.length - 1 : line.length;
        try {
            Response response = ResponseCodec.parse(line, length).response();
            if (response instanceof Response.Listed listed) {
                return listed.entries();
            }
        } catch (MalformedMessageException e) {
            // told below
        }
        stderr.println("latchkey: `latchkey list --json` printed something other than a list of tokens");
        throw new Unavailable(ExitCodes.FAILURE);
    }
}
