package dev.latchkey.protocol.relay;

import dev.latchkey.protocol.MalformedMessageException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The frames that follow a relayed invocation's header (docs/relay-protocol.md): the caller's
 * stdin going to the daemon, and what the daemon sends back for the caller's stdout, stderr and
 * exit status. Byte blocks are counted, so they pass whatever they hold.
 */
public sealed interface RelayFrame {
    /** The most bytes one {@code in}, {@code out} or {@code err} frame carries. */
    int MAX_BLOCK = 1024 * 1024;
    /** The most a caller puts in one {@code in} frame. */
    int MAX_INPUT_BLOCK = 64 * 1024;
    int MAX_LINE = 64 * 1024;

    /** Bytes of the caller's stdin. */
    record Input(byte[] bytes) implements RelayFrame {
    }

    /** The caller's stdin ended. */
    record End() implements RelayFrame {
    }

    /** Bytes for the caller's stdout. */
    record Output(byte[] bytes) implements RelayFrame {
    }

    /** Bytes for the caller's stderr. */
    record Error(byte[] bytes) implements RelayFrame {
    }

    /** Everything read up to input byte {@code consumed} is answered, its output sent. */
    record Done(long consumed) implements RelayFrame {
    }

    /** The invocation is over; the caller exits with {@code status}. */
    record Exit(int status) implements RelayFrame {
    }

    /** The caller serves the invocation itself from the last {@link Done} point, for the reason {@code why}. */
    record Here(String why) implements RelayFrame {
    }

    static void writeInput(OutputStream out, byte[] bytes, int offset, int length) throws IOException {
        writeBlock(out, "in ", bytes, offset, length);
    }

    static void writeEnd(OutputStream out) throws IOException {
        out.write("end\n".getBytes(StandardCharsets.US_ASCII));
    }

    static void writeOutput(OutputStream out, byte[] bytes, int offset, int length) throws IOException {
        writeBlock(out, "out ", bytes, offset, length);
    }

    static void writeError(OutputStream out, byte[] bytes, int offset, int length) throws IOException {
        writeBlock(out, "err ", bytes, offset, length);
    }

    static void writeDone(OutputStream out, long consumed) throws IOException {
        out.write(("done " + consumed + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    static void writeExit(OutputStream out, int status) throws IOException {
        out.write(("exit " + status + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** {@code why} is shown to a person: one line, so any line break in it is made a space. */
    static void writeHere(OutputStream out, String why) throws IOException {
        out.write(("here " + why.replace('\n', ' ').replace('\r', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void writeBlock(OutputStream out, String tag, byte[] bytes, int offset, int length) throws IOException {
        if (length <= 0) {
            return; // a frame carries at least one byte
        }
        int at = offset;
        int left = length;
        while (left > 0) {
            int n = Math.min(left, MAX_INPUT_BLOCK);
            out.write((tag + n + "\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes, at, n);
            at += n;
            left -= n;
        }
    }

    /**
     * The next frame; null when the stream ends between frames.
     *
     * @throws MalformedMessageException for a frame the protocol does not describe; the message quotes none of it
     */
    static RelayFrame read(InputStream in) throws IOException, MalformedMessageException {
        String line = FrameLines.read(in, MAX_LINE);
        if (line == null) {
            return null;
        }
        int space = line.indexOf(' ');
        String tag = space < 0 ? line : line.substring(0, space);
        String value = space < 0 ? "" : line.substring(space + 1);
        return switch (tag) {
            case "in" -> new Input(block(in, value));
            case "end" -> new End();
            case "out" -> new Output(block(in, value));
            case "err" -> new Error(block(in, value));
            case "done" -> new Done(number(value, Long.MAX_VALUE));
            case "exit" -> new Exit((int) number(value, 255));
            case "here" -> new Here(value);
            default -> throw new MalformedMessageException("a relay frame of a kind the protocol does not describe");
        };
    }

    private static byte[] block(InputStream in, String count) throws IOException, MalformedMessageException {
        int n = (int) number(count, MAX_BLOCK);
        if (n == 0) {
            throw new MalformedMessageException("a relay frame carries no bytes");
        }
        byte[] bytes = in.readNBytes(n);
        if (bytes.length != n) {
            Arrays.fill(bytes, (byte) 0);
            throw new MalformedMessageException("the relay's connection ended within a frame");
        }
        return bytes;
    }

    private static long number(String text, long max) throws MalformedMessageException {
        if (text.isEmpty() || text.length() > 19 || (text.length() > 1 && text.charAt(0) == '0')) {
            throw new MalformedMessageException("a relay frame's number is not a plain decimal");
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new MalformedMessageException("a relay frame's number is not a plain decimal");
            }
            value = value * 10 + (c - '0');
            if (value > max || value < 0) {
                throw new MalformedMessageException("a relay frame's number is out of range");
            }
        }
        return value;
    }
}
