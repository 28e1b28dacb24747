package dev.latchkey.daemon.door;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.PrettyPrinter;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.RecyclerPool;
import dev.latchkey.protocol.WipingRecycler;

import java.io.IOException;

/**
 * JSON as other tools' helper protocols carry it (docker's credentials, python-keyring's
 * {@code --output json}), with jackson-core's streaming API: strict on input (duplicate names,
 * depth, string length), and every buffer that held a document, ours and Jackson's, wiped once
 * the parser or generator is done with it, since these documents hold secrets.
 */
public final class HelperJson {
    /** The longest document taken, and the longest string in one. */
    public static final int MAX_DOCUMENT = 64 * 1024;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(8)
                    .maxStringLength(MAX_DOCUMENT)
                    .maxNumberLength(32)
                    .build())
            .recyclerPool(new WipedBuffers())
            .build();

    private HelperJson() {
    }

    /** A parser over the first {@code length} of {@code chars}, which the caller decoded (strictly) and wipes after. */
    public static JsonParser parser(char[] chars, int length) throws IOException {
        return FACTORY.createParser(chars, 0, length);
    }

    /** Writes one document. */
    public interface Document {
        void write(JsonGenerator generator) throws IOException;
    }

    /**
     * The document {@code document} writes, then a newline, as UTF-8 in a fresh array the caller
     * owns and should wipe once written; {@code printer} sets the separators (null: compact).
     */
    public static byte[] line(PrettyPrinter printer, Document document) throws IOException {
        WipeableBuffer out = new WipeableBuffer();
        try {
            try (JsonGenerator generator = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
                if (printer != null) {
                    generator.setPrettyPrinter(printer);
                }
                document.write(generator);
            }
            out.write('\n');
            return out.takeBytes();
        } finally {
            out.wipe();
        }
    }

    /** Not pooled: each parser or generator has buffers of its own, wiped when it gives them back. */
    private static final class WipedBuffers implements RecyclerPool<BufferRecycler> {
        private static final long serialVersionUID = 1L;

        @Override
        public BufferRecycler acquirePooled() {
            return new WipingRecycler();
        }

        @Override
        public void releasePooled(BufferRecycler recycler) {
            // dropped: the buffers were wiped as they came back
        }
    }
}
