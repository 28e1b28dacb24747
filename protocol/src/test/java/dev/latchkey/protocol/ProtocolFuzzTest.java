package dev.latchkey.protocol;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The protocol codec under hostile bytes (Jazzer). Without {@code JAZZER_FUZZ} each target runs
 * once per file of its seed corpus ({@code src/test/resources/.../ProtocolFuzzTestInputs/TARGET/}),
 * crashing inputs found by fuzzing included; {@code scripts/fuzz SECONDS} fuzzes each for real.
 *
 * <p>Every target checks: nothing but the documented failure escapes; every line written is one
 * line that the codec reads back to the same thing; no answer quotes the token of the line it
 * answers.
 */
class ProtocolFuzzTest {
    /** Tokens shorter than this turn up in a message by chance ("string" in "must be a string"), so only longer ones are traced. */
    static final int TRACEABLE_TOKEN = 12;

    private static final JsonFactory PLAIN_JSON = new JsonFactory();

    @FuzzTest
    @Timeout(10)
    @DictionaryFile(resourcePath = "requests.dict")
    void requestLine(byte[] line) {
        Incoming incoming = RequestCodec.parse(line, line.length);
        if (incoming instanceof Incoming.Rejected rejected) {
            assertEquals(ErrorKind.BAD_REQUEST, rejected.failure().kind());
            Response answer = readBack(ResponseCodec.write(rejected.id(), rejected.failure(), Dialect.LATCHKEY), rejected.id());
            assertEquals(rejected.failure(), answer);
            readBack(ResponseCodec.write(rejected.id(), rejected.failure(), Dialect.CARGO), null);
            sentToken(line).ifPresent(token -> assertFalse(quotes(rejected.failure(), token),
                    "the answer to a bad line quotes the token it held"));
            return;
        }
        RequestLine request = (RequestLine) incoming;
        // What a client writes for this request, the server reads back as the same request, byte for byte.
        byte[] written = RequestCodec.write(request);
        assertOneLine(written);
        Incoming again = RequestCodec.parse(written, written.length - 1);
        RequestLine reread = assertInstanceOf(RequestLine.class, again, () -> "a written request is rejected: " + again);
        assertArrayEquals(written, RequestCodec.write(reread), "a request changes when written and read again");
        wipe(request);
        wipe(reread);
    }

    @FuzzTest
    @Timeout(10)
    @DictionaryFile(resourcePath = "responses.dict")
    void responseLine(byte[] line) {
        ResponseCodec.ResponseLine parsed;
        try {
            parsed = ResponseCodec.parse(line, line.length);
        } catch (MalformedMessageException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
            return;
        }
        // A client that relays an answer (the cargo provider relaying the daemon's) writes it back unchanged.
        byte[] written = ResponseCodec.write(parsed.id(), parsed.response(), Dialect.LATCHKEY);
        Response reread = readBack(written, parsed.id());
        assertArrayEquals(written, ResponseCodec.write(parsed.id(), reread, Dialect.LATCHKEY),
                "an answer changes when written and read again");
        readBack(ResponseCodec.write(parsed.id(), parsed.response(), Dialect.CARGO), null);
        wipe(parsed.response());
        wipe(reread);
    }

    @FuzzTest
    @Timeout(10)
    @DictionaryEntries({"{\"v\":[", "\"server\":", "\"latchkey/"})
    void hello(byte[] line) {
        try {
            Hello hello = Hello.parse(line, line.length);
            assertTrue(hello.versions() != null);
        } catch (MalformedMessageException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
        }
    }

    /**
     * Line framing over a stream that hands out its bytes in chunks of any size: the lines come out
     * as a plain split on {@code \n} says (a trailing {@code \r} dropped, over-long lines reported
     * as such), and each line buffer is wiped for the next.
     */
    @FuzzTest
    @Timeout(10)
    void lineFraming(byte[] input) throws IOException {
        byte[] stream = expand(input);
        int chunk = input.length == 0 ? 1 : 1 + (input[0] & 0xff);
        LineReader reader = new LineReader(new ChunkedStream(stream, chunk));
        List<byte[]> expected = split(stream);
        for (byte[] line : expected) {
            int length = reader.readLine();
            if (line.length > LineReader.MAX_LINE) {
                assertEquals(LineReader.TOO_LONG, length);
            } else {
                assertEquals(line.length, length);
                assertArrayEquals(line, Arrays.copyOf(reader.buffer(), length));
                reader.wipe(length);
            }
        }
        assertEquals(LineReader.END_OF_STREAM, reader.readLine());
    }

    /**
     * The fuzzer's inputs are short (4 KiB), the line limit is 64 KiB: a byte {@code 0xFE} followed
     * by {@code n} stands for {@code 512 n + 1} bytes {@code 'x'}, so that inputs can reach over the limit.
     */
    private static byte[] expand(byte[] input) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < input.length; i++) {
            // Past three longest lines there is nothing new to see, only time to lose.
            if (input[i] == (byte) 0xFE && i + 1 < input.length && out.size() < 3 * LineReader.MAX_LINE) {
                byte[] run = new byte[512 * (input[++i] & 0xff) + 1];
                Arrays.fill(run, (byte) 'x');
                out.writeBytes(run);
            } else {
                out.write(input[i]);
            }
        }
        return out.toByteArray();
    }

    /** The lines of {@code stream} as the protocol defines them, by the simplest possible reading. */
    private static List<byte[]> split(byte[] stream) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= stream.length; i++) {
            boolean end = i == stream.length;
            if (end && start == stream.length) {
                break;
            }
            if (end || stream[i] == '\n') {
                int stop = i > start && stream[i - 1] == '\r' ? i - 1 : i;
                lines.add(Arrays.copyOfRange(stream, start, stop));
                start = i + 1;
            }
        }
        return lines;
    }

    /** Hands out its bytes at most {@code chunk} at a time, as a socket does. */
    private static final class ChunkedStream extends InputStream {
        private final ByteArrayInputStream bytes;
        private final int chunk;

        ChunkedStream(byte[] data, int chunk) {
            this.bytes = new ByteArrayInputStream(data);
            this.chunk = chunk;
        }

        @Override
        public int read() {
            return bytes.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return bytes.read(b, off, Math.min(len, chunk));
        }
    }

    /** Checks {@code line} is one protocol line, parses it, and checks its id; returns the response. */
    static Response readBack(byte[] line, RequestId expectedId) {
        assertOneLine(line);
        try {
            ResponseCodec.ResponseLine parsed = ResponseCodec.parse(line, line.length - 1);
            assertEquals(expectedId, parsed.id());
            return parsed.response();
        } catch (MalformedMessageException e) {
            return fail("a line the codec wrote does not read back: " + e.getMessage());
        }
    }

    /** Ends with its only {@code \n}: no raw newline can split one answer into two. */
    static void assertOneLine(byte[] line) {
        assertTrue(line.length > 1 && line[line.length - 1] == '\n', "a line ends with \\n");
        for (int i = 0; i < line.length - 1; i++) {
            assertTrue(line[i] != '\n' && line[i] != '\r', "a raw line break inside one line");
        }
    }

    /**
     * The top-level {@code token} of a JSON line, when it is long enough to trace and appears in no
     * other string of the line (where an answer may rightly repeat it, as the id or a registry name).
     */
    static java.util.Optional<String> sentToken(byte[] line) {
        String token = null;
        List<String> others = new ArrayList<>();
        try (JsonParser p = PLAIN_JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return java.util.Optional.empty();
            }
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.FIELD_NAME && p.getParsingContext().getParent().inRoot() && p.currentName().equals("token")) {
                    if (p.nextToken() == JsonToken.VALUE_STRING) {
                        if (token != null) {
                            others.add(token); // a second `token` field: the first one is just another string
                        }
                        token = p.getText();
                    }
                } else if (t == JsonToken.FIELD_NAME || t == JsonToken.VALUE_STRING
                        || t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                    others.add(p.getText());
                }
            }
        } catch (IOException | RuntimeException e) {
            // Broken JSON: what was read up to there is what the codec saw too.
        }
        String traced = token;
        if (traced == null || traced.length() < TRACEABLE_TOKEN || others.stream().anyMatch(s -> s.contains(traced))) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(traced);
    }

    static boolean quotes(Response.Failure failure, String token) {
        return (failure.message() != null && failure.message().contains(token))
                || failure.causedBy().stream().anyMatch(c -> c.contains(token));
    }

    private static void wipe(RequestLine line) {
        if (line.request() instanceof Request.Store store && store.token() != null) {
            store.token().wipe();
        }
    }

    private static void wipe(Response response) {
        if (response instanceof Response.Got got) {
            got.token().wipe();
        }
    }
}
