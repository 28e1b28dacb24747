package dev.latchkey.protocol;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.RecyclerPool;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;

/** The one JSON configuration of the protocol: strict limits on input, no pooled buffers. */
final class Json {
    /** Requests are flat; anything nested deeper than this is hostile or broken. */
    static final int MAX_DEPTH = 16;

    // Jackson's buffers are pooled, and each is wiped as it comes back to the pool: between requests
    // no buffer holds a token, and a busy daemon does not allocate some 16 KB for every line.
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(LineReader.MAX_LINE)
                    .maxNumberLength(32)
                    .build())
            .recyclerPool(new WipingPool())
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
     * Parsers' and generators' buffers, shared, wiped when given back. Lock-free: every request of
     * every connection takes a recycler and gives it back twice (its parse, its answer), and
     * Jackson's bounded pool, a queue under one lock, had the daemon's connections waiting on each
     * other. At most {@link #SLOTS} are kept; one given back to a full pool is left to the GC, wiped.
     */
    static final class WipingPool implements RecyclerPool<BufferRecycler> {
        private static final long serialVersionUID = 1L;
        static final int SLOTS = 64;
        private final AtomicReferenceArray<BufferRecycler> slots = new AtomicReferenceArray<>(SLOTS);

        @Override
        public BufferRecycler acquirePooled() {
            int first = start();
            for (int i = 0; i < SLOTS; i++) {
                BufferRecycler kept = slots.getAndSet((first + i) & (SLOTS - 1), null);
                if (kept != null) {
                    return kept;
                }
            }
            return new WipingRecycler();
        }

        @Override
        public void releasePooled(BufferRecycler recycler) {
            int first = start();
            for (int i = 0; i < SLOTS; i++) {
                if (slots.compareAndSet((first + i) & (SLOTS - 1), null, recycler)) {
                    return;
                }
            }
        }

        @Override
        public int pooledCount() {
            int kept = 0;
            for (int i = 0; i < SLOTS; i++) {
                kept += slots.get(i) != null ? 1 : 0;
            }
            return kept;
        }

        /** Where a thread begins to look: threads spread over the slots instead of all racing for the first. */
        private static int start() {
            return (int) Thread.currentThread().getId() * 7 & (SLOTS - 1);
        }
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
