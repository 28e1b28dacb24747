package dev.latchkey.protocol;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Line framing of docs/protocol.md: {@code \n} or {@code \r\n}, at most 64 KiB, an over-long line skipped. */
class LineReaderTest {

    @Test
    void splitsOnNewlineAndDropsATrailingCarriageReturn() throws IOException {
        LineReader reader = reader("first\r\nsecond\nthird\r\n");
        assertEquals("first", next(reader));
        assertEquals("second", next(reader));
        assertEquals("third", next(reader));
        assertEquals(LineReader.END_OF_STREAM, reader.readLine());
    }

    @Test
    void aReaderOfAnswersTakesLongerLinesUpToItsOwnLimit() throws IOException {
        String answer = "x".repeat(LineReader.MAX_LINE + 1000);
        byte[] input = (answer + "\n" + answer + "y\nnext\n").getBytes(StandardCharsets.UTF_8);
        LineReader reader = new LineReader(new ByteArrayInputStream(input), LineReader.MAX_LINE + 1000);
        assertEquals(answer.length(), reader.readLine());
        assertEquals(LineReader.TOO_LONG, reader.readLine(), "one byte over its own limit");
        assertEquals("next", next(reader));
        assertEquals(LineReader.TOO_LONG, new LineReader(new ByteArrayInputStream(input)).readLine(), "a request's limit");
    }

    @Test
    void keepsACarriageReturnInsideALine() throws IOException {
        LineReader reader = reader("a\rb\n");
        assertEquals("a\rb", next(reader));
    }

    @Test
    void aLastLineWithoutNewlineStillCounts() throws IOException {
        LineReader reader = reader("one\ntwo");
        assertEquals("one", next(reader));
        assertEquals("two", next(reader));
        assertEquals(LineReader.END_OF_STREAM, reader.readLine());
        assertEquals(LineReader.END_OF_STREAM, reader.readLine());
    }

    @Test
    void emptyLinesHaveLengthZero() throws IOException {
        LineReader reader = reader("\n\r\n\nx\n");
        assertEquals(0, reader.readLine());
        assertEquals(0, reader.readLine());
        assertEquals(0, reader.readLine());
        assertEquals("x", next(reader));
        assertEquals(LineReader.END_OF_STREAM, reader.readLine());
    }

    @Test
    void anEmptyStreamEndsAtOnce() throws IOException {
        assertEquals(LineReader.END_OF_STREAM, reader("").readLine());
    }

    @Test
    void aLineOfExactly64KiBIsAccepted() throws IOException {
        String max = filler(LineReader.MAX_LINE);
        LineReader reader = reader(max + "\n" + max + "\r\n" + max);
        for (int i = 0; i < 3; i++) {
            int length = reader.readLine();
            assertEquals(LineReader.MAX_LINE, length);
            assertEquals(max, new String(reader.buffer(), 0, length, StandardCharsets.US_ASCII));
        }
        assertEquals(LineReader.END_OF_STREAM, reader.readLine());
    }

    @Test
    void oneByteMoreIsTooLongAndTheNextLineStillReads() throws IOException {
        LineReader reader = reader(filler(LineReader.MAX_LINE + 1) + "\nnext\n" + filler(LineReader.MAX_LINE) + "x\r\nlast\n");
        assertEquals(LineReader.TOO_LONG, reader.readLine());
        assertEquals("next", next(reader));
        assertEquals(LineReader.TOO_LONG, reader.readLine());
        assertEquals("last", next(reader));
        assertEquals(LineReader.END_OF_STREAM, reader.readLine());
    }

    @Test
    void aOneMebibyteLineIsSkippedWhole() throws IOException {
        LineReader reader = reader(filler(1024 * 1024) + "\n{\"v\":1}\n");
        assertEquals(LineReader.TOO_LONG, reader.readLine());
        assertEquals("{\"v\":1}", next(reader));
        assertEquals(LineReader.END_OF_STREAM, reader.readLine());
    }

    @Test
    void aTooLongLastLineWithoutNewlineIsTooLongThenTheStreamEnds() throws IOException {
        LineReader reader = reader(filler(LineReader.MAX_LINE + 10));
        assertEquals(LineReader.TOO_LONG, reader.readLine());
        assertEquals(LineReader.END_OF_STREAM, reader.readLine());
    }

    @Test
    void readsLinesThatArriveOneByteAtATime() throws IOException {
        byte[] bytes = ("{\"a\":1}\r\n" + filler(20_000) + "\nz").getBytes(StandardCharsets.US_ASCII);
        InputStream trickle = new InputStream() {
            private int pos;

            @Override
            public int read() {
                return pos < bytes.length ? bytes[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos == bytes.length) {
                    return -1;
                }
                b[off] = bytes[pos++];
                return 1;
            }
        };
        LineReader reader = new LineReader(trickle);
        assertEquals("{\"a\":1}", next(reader));
        assertEquals(20_000, reader.readLine());
        assertEquals("z", next(reader));
        assertEquals(LineReader.END_OF_STREAM, reader.readLine());
    }

    @Test
    void wipeClearsTheLineJustRead() throws IOException {
        LineReader reader = reader("token-abc\n");
        int length = reader.readLine();
        reader.wipe(length);
        byte[] zeros = new byte[length];
        assertEquals(Arrays.toString(zeros), Arrays.toString(Arrays.copyOf(reader.buffer(), length)));
    }

    @Test
    void theRestIsALinePutBackThenWhatWasNotReadYet() throws IOException {
        LineReader reader = reader("first\nsecond\nthird");
        assertEquals("first", next(reader));
        byte[] putBack = "again\n".getBytes(StandardCharsets.UTF_8);
        LineReader rest = new LineReader(reader.rest(putBack));
        assertEquals("again", next(rest));
        assertEquals("second", next(rest));
        assertEquals("third", next(rest));
        assertEquals(LineReader.END_OF_STREAM, rest.readLine());
        assertEquals(0, putBack[0], "bytes put back are wiped once read: they may hold a token");
    }

    @Test
    void theRestOfAStreamReadInSmallPiecesIsWhole() throws IOException {
        InputStream trickle = new InputStream() {
            private final byte[] data = "a\nbc\nd".getBytes(StandardCharsets.UTF_8);
            private int at;

            @Override
            public int read() {
                return at < data.length ? data[at++] : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                int n = read();
                if (n < 0) {
                    return -1;
                }
                b[off] = (byte) n;
                return 1;
            }
        };
        LineReader reader = new LineReader(trickle);
        assertEquals("a", next(reader));
        assertEquals("bc\nd", new String(reader.rest(new byte[0]).readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void aLineOfSpacesAndTabsIsBlank() {
        byte[] line = " \t \tx".getBytes(StandardCharsets.US_ASCII);
        assertTrue(LineReader.isBlank(line, 0));
        assertTrue(LineReader.isBlank(line, 4));
        assertFalse(LineReader.isBlank(line, 5));
        assertFalse(LineReader.isBlank("\r".getBytes(StandardCharsets.US_ASCII), 1));
    }

    private static LineReader reader(String text) {
        return new LineReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String next(LineReader reader) throws IOException {
        int length = reader.readLine();
        if (length < 0) {
            throw new AssertionError("expected a line, got " + length);
        }
        return new String(reader.buffer(), 0, length, StandardCharsets.US_ASCII);
    }

    private static String filler(int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(length);
        for (int i = 0; i < length; i++) {
            out.write('a' + i % 26);
        }
        return out.toString(StandardCharsets.US_ASCII);
    }
}
