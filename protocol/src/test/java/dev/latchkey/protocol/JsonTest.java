package dev.latchkey.protocol;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Jackson's pooled buffers: reused between lines, and never holding a token once a line is done. */
class JsonTest {
    private static final String TOKEN = "tok-POOLED-3f9c";

    @Test
    void aBufferGivenBackIsWipedBeforeAnyoneElseGetsIt() {
        Json.WipingRecycler recycler = new Json.WipingRecycler();
        byte[] bytes = TOKEN.getBytes(StandardCharsets.UTF_8);
        char[] chars = TOKEN.toCharArray();
        recycler.releaseByteBuffer(0, bytes);
        recycler.releaseCharBuffer(0, chars);
        assertEquals(new String(new byte[bytes.length], StandardCharsets.UTF_8), new String(bytes, StandardCharsets.UTF_8));
        assertEquals(new String(new char[chars.length]), new String(chars));
    }

    @Test
    void linesWithTokensStillReadAndWriteRightWhenTheirBuffersAreReused() throws Exception {
        for (int i = 0; i < 1000; i++) {
            String token = TOKEN + i;
            byte[] line = ("{\"v\":1,\"id\":" + i + ",\"registry\":{\"index-url\":\"u\"},\"kind\":\"store\",\"token\":\"" + token + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            RequestLine parsed = assertInstanceOf(RequestLine.class, RequestCodec.parse(line, line.length));
            Request.Store store = assertInstanceOf(Request.Store.class, parsed.request());
            assertEquals(token, store.token().reveal());
            String written = new String(ResponseCodec.write(RequestId.of(i),
                    new Response.Got(Secret.fromString(token), CacheControl.SESSION, null, true, "file"), Dialect.LATCHKEY),
                    StandardCharsets.UTF_8);
            assertTrue(written.contains("\"token\":\"" + token + "\""), written);
        }
    }
}
