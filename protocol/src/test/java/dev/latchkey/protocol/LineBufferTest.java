package dev.latchkey.protocol;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lines framed as their bytes arrive, by {@link LineReader}'s rules, an over-long line answered at the limit. */
class LineBufferTest {

    @Test
    void givesEachWholeLineAndWaitsForTheRestOfOne() {
        LineBuffer lines = new LineBuffer();
        put(lines, "{\"a\":1}\r\n{\"b\":2}\n{\"c\"");
        assertEquals("{\"a\":1}", next(lines));
        assertEquals("{\"b\":2}", next(lines));
        assertEquals(LineBuffer.NEED_MORE, lines.next());
        assertTrue(lines.inLine(), "part of a line is held");
        put(lines, ":3}\n");
        assertEquals("{\"c\":3}", next(lines));
        assertEquals(LineBuffer.NEED_MORE, lines.next());
        assertFalse(lines.inLine());
    }

    @Test
    void linesArrivingOneByteAtATimeComeOutWhole() {
        LineBuffer lines = new LineBuffer();
        String text = "{\"a\":1}\r\n" + "x".repeat(20_000) + "\n\nz";
        List<String> got = new ArrayList<>();
        for (byte b : text.getBytes(StandardCharsets.US_ASCII)) {
            lines.space(1).put(b);
            lines.filled(1);
            for (int n = lines.next(); n != LineBuffer.NEED_MORE; n = lines.next()) {
                got.add(new String(lines.line(), 0, n, StandardCharsets.US_ASCII));
            }
        }
        assertEquals(List.of("{\"a\":1}", "x".repeat(20_000), ""), got);
        int last = lines.last();
        assertEquals("z", new String(lines.line(), 0, last, StandardCharsets.US_ASCII), "a last line without newline counts");
        assertEquals(LineReader.END_OF_STREAM, lines.last());
    }

    @Test
    void aLineOverTheLimitIsAnsweredAsSoonAsItPassesItAndItsRestIsDroppedAsItComes() {
        LineBuffer lines = new LineBuffer();
        put(lines, "{\"v\":1}\n");
        assertEquals("{\"v\":1}", next(lines));
        int taken = 0;
        int answer = LineBuffer.NEED_MORE;
        while (answer == LineBuffer.NEED_MORE) {
            ByteBuffer space = lines.space(4096);
            int n = space.remaining();
            while (space.hasRemaining()) {
                space.put((byte) 'a');
            }
            lines.filled(n);
            taken += n;
            answer = lines.next();
        }
        assertEquals(LineReader.TOO_LONG, answer);
        assertTrue(taken <= LineReader.MAX_LINE + 2, "answered at the limit, after " + taken + " bytes");
        assertTrue(lines.skipping() && lines.inLine());
        assertEquals(16 * 1024, lines.space(16 * 1024).remaining(), "the rest is read in large reads, the buffer kept for them");
        for (int i = 0; i < 1000; i++) { // 4 MB more of it: dropped as it comes, the buffer stays one line's worth
            ByteBuffer space = lines.space(4096);
            assertTrue(space.remaining() > 0);
            int n = space.remaining();
            space.position(space.position() + n);
            lines.filled(n);
            assertEquals(LineBuffer.NEED_MORE, lines.next());
        }
        put(lines, "aaa\nnext\n");
        assertEquals("next", next(lines), "the rest of the over-long line was dropped, the next one is whole");
        assertFalse(lines.skipping());
    }

    @Test
    void linesOfExactlyTheLimitAreKeptWithOrWithoutCarriageReturnAndOneByteMoreIsNot() {
        LineBuffer lines = new LineBuffer();
        String max = "m".repeat(LineReader.MAX_LINE);
        put(lines, max + "\n");
        assertEquals(LineReader.MAX_LINE, lines.next());
        put(lines, max + "\r\n");
        assertEquals(LineReader.MAX_LINE, lines.next());
        assertEquals(List.of(LineReader.TOO_LONG), put(lines, max + "\rx\nlast\n"),
                "a \\r that does not end the line is one byte too many, told before its newline came");
        assertEquals("last", next(lines));
        assertEquals(List.of(), put(lines, max + "xy"));
        assertEquals(LineReader.TOO_LONG, lines.next());
        assertEquals(LineReader.END_OF_STREAM, lines.last(), "the rest of an over-long line ends with the stream: no line of its own");
    }

    @Test
    void whatWasGivenOutOrDroppedIsWiped() {
        LineBuffer lines = new LineBuffer();
        put(lines, "secret-one\nsecret-two");
        assertEquals("secret-one", next(lines));
        assertEquals(LineBuffer.NEED_MORE, lines.next());
        String held = new String(lines.line(), StandardCharsets.US_ASCII);
        assertFalse(held.contains("secret-one"), "the line given out is gone from the buffer");
        lines.wipe();
        assertFalse(new String(lines.line(), StandardCharsets.US_ASCII).contains("secret-two"));
        assertFalse(lines.inLine());
    }

    /** Puts {@code text} in, taking what {@link LineBuffer#next()} says when there is no room left, as a socket's reader would; what it said. */
    private static List<Integer> put(LineBuffer lines, String text) {
        List<Integer> said = new ArrayList<>();
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        int at = 0;
        while (at < bytes.length) {
            ByteBuffer space = lines.space(bytes.length - at);
            int n = Math.min(space.remaining(), bytes.length - at);
            space.put(bytes, at, n);
            lines.filled(n);
            at += n;
            if (at < bytes.length && !space.hasRemaining()) {
                int length = lines.next();
                assertTrue(length == LineBuffer.NEED_MORE || length == LineReader.TOO_LONG, "no whole line was held: " + length);
                if (length != LineBuffer.NEED_MORE) {
                    said.add(length);
                }
            }
        }
        return said;
    }

    private static String next(LineBuffer lines) {
        int length = lines.next();
        assertTrue(length >= 0, "a whole line: " + length);
        return new String(lines.line(), 0, length, StandardCharsets.US_ASCII);
    }
}
