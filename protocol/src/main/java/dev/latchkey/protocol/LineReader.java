package dev.latchkey.protocol;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into protocol lines of at most {@link #MAX_LINE} bytes (requests), or of a
 * larger limit its reader sets (answers).
 *
 * <p>A longer line is read to its end and dropped, so one bad line costs the connection nothing:
 * the caller answers it with {@code bad-request} and goes on with the next. The line buffer is
 * reused and can be wiped, since lines carry tokens. It starts small and grows to the longest
 * line read so far. A buffer outgrown is wiped. For a reader that must not wait for its bytes
 * (the daemon's socket), {@link LineBuffer} frames lines by the same rules. The JDK's
 * {@code BufferedReader} does neither (it holds any line whole, and its buffers cannot be wiped),
 * which is why this exists, not speed.
 */
public final class LineReader {
    /** The longest line the protocol accepts, terminator excluded. */
    public static final int MAX_LINE = 64 * 1024;
    public static final int END_OF_STREAM = -1;
    public static final int TOO_LONG = -2;

    private final InputStream in;
    private final int maxLine;
    private static final int FIRST_LINE_BUFFER = 1024;

    private byte[] line = new byte[FIRST_LINE_BUFFER];
    private final byte[] chunk = new byte[4096];
    private int chunkPos;
    private int chunkEnd;
    /** Bytes taken from the stream as lines so far, terminators included. */
    private long consumed;

    /** Lines of at most {@link #MAX_LINE} bytes: requests. */
    public LineReader(InputStream in) {
        this(in, MAX_LINE);
    }

    /** Lines of at most {@code maxLine} bytes: a client reading answers, which a long list makes longer than any request. */
    public LineReader(InputStream in, int maxLine) {
        this.in = in;
        this.maxLine = maxLine;
    }

    /**
     * Reads the next line into {@link #buffer()}. Returns its length without {@code \n} or a
     * trailing {@code \r}; {@link #TOO_LONG} for a line over the limit (now skipped);
     * {@link #END_OF_STREAM} when the stream ended with no further bytes. A last line without a
     * terminator still counts as a line.
     */
    public int readLine() throws IOException {
        int length = 0;
        boolean overflow = false;
        boolean sawAny = false;
        while (true) {
            if (chunkPos == chunkEnd) {
                int n = in.read(chunk, 0, chunk.length);
                if (n < 0) {
                    if (!sawAny) {
                        return END_OF_STREAM;
                    }
                    break;
                }
                chunkPos = 0;
                chunkEnd = n;
                continue;
            }
            sawAny = true;
            byte b = chunk[chunkPos++];
            consumed++;
            if (b == '\n') {
                break;
            }
            if (overflow) {
                continue;
            }
            if (length == maxLine) {
                // A trailing \r may still make a line of exactly maxLine bytes valid, so the limit
                // is checked on the byte after it rather than by reading one byte ahead.
                if (b == '\r' && peekNewline()) {
                    continue;
                }
                overflow = true;
                continue;
            }
            if (length == line.length) {
                grow();
            }
            line[length++] = b;
        }
        Arrays.fill(chunk, 0, chunkPos, (byte) 0);
        if (overflow) {
            Arrays.fill(line, (byte) 0);
            return TOO_LONG;
        }
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        return length;
    }

    private void grow() {
        byte[] larger = Arrays.copyOf(line, Math.min(maxLine, line.length * 2));
        Arrays.fill(line, (byte) 0);
        line = larger;
    }

    private boolean peekNewline() throws IOException {
        if (chunkPos == chunkEnd) {
            int n = in.read(chunk, 0, chunk.length);
            if (n <= 0) {
                return true; // a \r at the very end of the stream: the line ended there
            }
            chunkPos = 0;
            chunkEnd = n;
        }
        return chunk[chunkPos] == '\n';
    }

    /** How many bytes of the stream the lines read so far took, terminators included. */
    public long consumed() {
        return consumed;
    }

    /** The bytes of the line last read. Valid until the next {@link #readLine()} or {@link #wipe(int)}; the array may be replaced by a larger one then. */
    public byte[] buffer() {
        return line;
    }

    /** Overwrites the line last read, which may hold a token. */
    public void wipe(int length) {
        Arrays.fill(line, 0, Math.max(0, length), (byte) 0);
    }

    /**
     * {@code before}, then what has not been read as a line yet (the bytes already taken from the
     * stream, then the stream): for handing the rest of the input, and a line put back in front of
     * it, to another reader. Those bytes may hold a token, so each is wiped here once it has been
     * read from the returned stream.
     */
    public InputStream rest(byte[] before) {
        byte[] buffered = Arrays.copyOfRange(chunk, chunkPos, chunkEnd);
        Arrays.fill(chunk, (byte) 0);
        chunkPos = chunkEnd;
        return new SequenceInputStream(new WipingInput(before), new SequenceInputStream(new WipingInput(buffered), in));
    }

    /** Bytes in memory, each wiped once read. */
    private static final class WipingInput extends ByteArrayInputStream {
        WipingInput(byte[] bytes) {
            super(bytes);
        }

        @Override
        public synchronized int read() {
            int start = pos;
            int b = super.read();
            if (b >= 0) {
                buf[start] = 0;
            }
            return b;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            int start = pos;
            int n = super.read(b, off, len);
            if (n > 0) {
                Arrays.fill(buf, start, start + n, (byte) 0);
            }
            return n;
        }
    }

    /** Whether a line holds only spaces and tabs: such a line is no request, and gets no answer. */
    public static boolean isBlank(byte[] buffer, int length) {
        for (int i = 0; i < length; i++) {
            if (buffer[i] != ' ' && buffer[i] != '\t') {
                return false;
            }
        }
        return true;
    }
}
