package dev.latchkey.caller.exec;

import dev.latchkey.caller.secrets.SecretMatch;
import dev.latchkey.caller.secrets.SecretMatcher;
import dev.latchkey.daemon.terminal.TerminalText;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Passes bytes on with every secret of a {@link SecretMatcher} (in any of its forms) replaced by
 * {@code <redacted:NAME>}, as they come: each write passes on everything except a tail that could
 * still be the start of a secret, so a finished line goes out as soon as its newline arrives (no
 * form of a secret holds a line break) and a prompt without one still shows. A secret split across
 * writes is masked all the same. {@link #flush()} and {@link #close()} pass on the tail too.
 *
 * <p>Whatever is passed on is flushed downstream at once: this sits between a child process and a
 * terminal, where output held in a buffer is output the user does not see.
 */
public final class MaskingOutputStream extends OutputStream {
    private final OutputStream out;
    private final SecretMatcher secrets;
    private final Map<String, byte[]> replacements = new HashMap<>();
    /** Bytes written and not passed on yet: never more than one write plus the longest form's tail. */
    private byte[] pending = new byte[8192];
    private int length;
    private boolean closed;

    public MaskingOutputStream(OutputStream out, SecretMatcher secrets) {
        this.out = out;
        this.secrets = secrets;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int count) throws IOException {
        if (closed) {
            throw new IOException("the masked stream is closed");
        }
        if (length + count > pending.length) {
            byte[] larger = Arrays.copyOf(pending, Math.max(pending.length * 2, length + count));
            Arrays.fill(pending, (byte) 0);
            pending = larger;
        }
        System.arraycopy(bytes, offset, pending, length, count);
        length += count;
        passOn(true);
    }

    /** Passes on everything written, a tail that might have become a secret included. */
    @Override
    public synchronized void flush() throws IOException {
        if (!closed) {
            passOn(false);
            out.flush();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            flush();
        } finally {
            closed = true;
            Arrays.fill(pending, (byte) 0);
            out.close();
        }
    }

    /**
     * Passes nothing on from now on, and no longer looks at the secrets (which their owner may then
     * wipe): what is held back and whatever is written later is dropped, and a write fails. The
     * stream written to stays open. For output that comes after latchkey has stopped waiting for it.
     */
    public synchronized void abandon() {
        closed = true;
        Arrays.fill(pending, (byte) 0);
        length = 0;
    }

    private void passOn(boolean moreMayFollow) throws IOException {
        int decided = 0;
        int passedOn = 0;
        while (decided < length) {
            SecretMatch match = secrets.at(pending, decided, length, moreMayFollow);
            if (match == SecretMatcher.UNDECIDED) {
                break;
            }
            if (match == null) {
                decided++;
            } else {
                out.write(pending, passedOn, decided - passedOn);
                out.write(replacement(match.name()));
                decided = match.end();
                passedOn = decided;
            }
        }
        out.write(pending, passedOn, decided - passedOn);
        if (decided > 0) {
            System.arraycopy(pending, decided, pending, 0, length - decided);
            Arrays.fill(pending, length - decided, length, (byte) 0);
            length -= decided;
            out.flush();
        }
    }

    private byte[] replacement(String name) {
        return replacements.computeIfAbsent(name,
                n -> ("<redacted:" + TerminalText.line(n) + ">").getBytes(StandardCharsets.UTF_8));
    }
}
