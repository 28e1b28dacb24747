package dev.latchkey.protocol;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The protocol's lines as their bytes arrive, for a reader that must never wait for them (the
 * daemon's socket loop), where {@link LineReader} pulls from a stream. Bytes go in with
 * {@link #space(int)} and {@link #filled(int)} as they come; {@link #next()} gives each whole line,
 * with {@link LineReader}'s rules: {@code \n} ends a line and a {@code \r} before it is dropped, a
 * line holds at most {@link LineReader#MAX_LINE} bytes.
 *
 * <p>A line that passes the limit is answered {@link LineReader#TOO_LONG} as soon as it does,
 * not when it ends: a client sending a line of 100 MB is told at once, and the rest of that line,
 * up to its {@code \n}, is dropped as it arrives ({@link #skipping()}), so the buffer never holds
 * more than one line's worth. Every byte given out or dropped is wiped: lines may hold a token.
 */
public final class LineBuffer {
    /** {@link #next()}: no whole line yet. */
    public static final int NEED_MORE = -3;
    /** The most a line takes here: {@link LineReader#MAX_LINE} bytes, a {@code \r}, the {@code \n}. */
    private static final int MOST = LineReader.MAX_LINE + 2;
    private static final int FIRST_SIZE = 1024;

    private byte[] bytes = new byte[FIRST_SIZE];
    private int end; // bytes held: [0, end)
    private int given; // the line last given out, terminator included, at [0, given)
    private int scanned; // [0, scanned) of what is held after the line given out holds no \n
    private boolean skipping;

    /**
     * Where the next bytes read go: at most {@code most} of them, and never more than the line
     * being read can still take (the buffer grows up to one line's worth as it needs to).
     */
    public ByteBuffer space(int most) {
        dropGiven();
        if (end == bytes.length && bytes.length < MOST) {
            byte[] larger = Arrays.copyOf(bytes, Math.min(MOST, bytes.length * 2));
            Arrays.fill(bytes, (byte) 0);
            bytes = larger;
        }
        return ByteBuffer.wrap(bytes, end, Math.min(most, bytes.length - end));
    }

    /** {@code count} bytes were read into the last {@link #space(int)}. */
    public void filled(int count) {
        end += count;
    }

    /**
     * The next whole line, now at the start of {@link #line()}: its length without terminator;
     * {@link LineReader#TOO_LONG} for a line over the limit (dropped, with the rest of it as it
     * comes); {@link #NEED_MORE} when no whole line is held. The line given out before is wiped.
     */
    public int next() {
        dropGiven();
        if (skipping) {
            int newline = indexOfNewline(0);
            if (newline < 0) {
                drop(end); // more of the over-long line, already answered
                return NEED_MORE;
            }
            drop(newline + 1);
            skipping = false;
        }
        int newline = indexOfNewline(scanned);
        if (newline < 0) {
            scanned = end;
            // A line of exactly MAX_LINE bytes may still end in \r\n, so the byte after the limit
            // decides only when it is not that \r.
            if (end > LineReader.MAX_LINE + 1 || end == LineReader.MAX_LINE + 1 && bytes[LineReader.MAX_LINE] != '\r') {
                skipping = true; // first, so that the buffer is kept for reading the rest
                drop(end);
                return LineReader.TOO_LONG;
            }
            return NEED_MORE;
        }
        int length = newline > 0 && bytes[newline - 1] == '\r' ? newline - 1 : newline;
        if (length > LineReader.MAX_LINE) {
            drop(newline + 1);
            return LineReader.TOO_LONG;
        }
        given = newline + 1;
        return length;
    }

    /**
     * At the end of the stream: what is held of an unfinished line, given out as the last line
     * (as {@link LineReader} counts it); {@link LineReader#END_OF_STREAM} when nothing is.
     */
    public int last() {
        dropGiven();
        if (skipping || end == 0) {
            wipe();
            return LineReader.END_OF_STREAM;
        }
        given = end;
        return bytes[end - 1] == '\r' ? end - 1 : end;
    }

    /** The bytes of the line {@link #next()} or {@link #last()} gave out, from index 0. */
    public byte[] line() {
        return bytes;
    }

    /** Whether bytes of a line not yet whole are held, or the rest of an over-long one is still to come. */
    public boolean inLine() {
        return skipping || end > given;
    }

    /** Whether what arrives now is the rest of an over-long line, to be dropped. */
    public boolean skipping() {
        return skipping;
    }

    /**
     * The bytes held after the line given out, taken out whole (for a reader that takes the
     * connection over); the buffer is left empty and wiped.
     */
    public byte[] takeRest() {
        dropGiven();
        byte[] rest = Arrays.copyOf(bytes, end);
        wipe();
        return rest;
    }

    /** Forgets everything held, wiped. */
    public void wipe() {
        Arrays.fill(bytes, 0, end, (byte) 0);
        end = 0;
        given = 0;
        scanned = 0;
        skipping = false;
    }

    private void dropGiven() {
        if (given > 0) {
            drop(given);
        }
    }

    /**
     * Drops the first {@code count} bytes held, wiped. A buffer grown for a long line is given back
     * once empty, unless it is reading past the rest of an over-long one, which comes in large reads.
     */
    private void drop(int count) {
        System.arraycopy(bytes, count, bytes, 0, end - count);
        Arrays.fill(bytes, end - count, end, (byte) 0);
        end -= count;
        scanned = Math.max(0, scanned - count);
        given = 0;
        if (end == 0 && bytes.length > FIRST_SIZE && !skipping) {
            bytes = new byte[FIRST_SIZE];
        }
    }

    private int indexOfNewline(int from) {
        for (int i = from; i < end; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
