package dev.latchkey.protocol;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;

/** The one JSON configuration of the protocol: strict limits on input, no pooled buffers. */
final class Json {
    /** Requests are flat; anything nested deeper than this is hostile or broken. */
    static final int MAX_DEPTH = 16;

    // Pooled buffers would keep copies of tokens alive after a request; unpooled ones die with it.
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(LineReader.MAX_LINE)
                    .maxNumberLength(32)
                    .build())
            .recyclerPool(JsonRecyclerPools.nonRecyclingPool())
            .build();

    private Json() {
    }

    /** A parser over the first {@code length} bytes, once they are known to be strict UTF-8. */
    static JsonParser parser(byte[] bytes, int length) throws IOException, MalformedMessageException {
        int invalid = StrictUtf8.firstInvalid(bytes, length);
        if (invalid >= 0) {
            throw new MalformedMessageException("the line is not valid UTF-8 (byte " + (invalid + 1) + ")");
        }
        return FACTORY.createParser(bytes, 0, length);
    }

    /**
     * Where in the line the parser gave up, as {@code " (column N)"}; empty when it does not say
     * (a limit exceeded has no location). The parser's own message is never used: it can quote the input.
     */
    static String where(JsonProcessingException e) {
        JsonLocation location = e.getLocation();
        return location == null ? "" : " (column " + location.getColumnNr() + ")";
    }

    /** A buffer that one line is written into, which can be wiped once sent. */
    static final class LineBuffer extends ByteArrayOutputStream {
        LineBuffer() {
            super(256);
        }

        JsonGenerator generator() throws IOException {
            return FACTORY.createGenerator(this, JsonEncoding.UTF8);
        }

        /** The line with its {@code \n}, as a copy the caller owns; this buffer is wiped. */
        byte[] finishLine() {
            write('\n');
            byte[] line = toByteArray();
            Arrays.fill(buf, (byte) 0);
            reset();
            return line;
        }
    }
}
