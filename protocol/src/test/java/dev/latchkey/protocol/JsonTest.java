package dev.latchkey.protocol;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.util.BufferRecycler;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Jackson's pooled buffers: reused between lines, and never holding a token once a line is done. */
class JsonTest {
    private static final String TOKEN = "tok-POOLED-3f9c";

    @Test
    void aBufferGivenBackIsWipedBeforeAnyoneElseGetsIt() {
        WipingRecycler recycler = new WipingRecycler();
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

    @Test
    void aRecyclerGivenBackIsTheNextOneTakenAndThePoolKeepsAFewAtMost() {
        Json.WipingPool pool = new Json.WipingPool();
        BufferRecycler first = pool.acquirePooled();
        pool.releasePooled(first);
        assertSame(first, pool.acquirePooled(), "reused, not made anew");
        List<BufferRecycler> many = new ArrayList<>();
        for (int i = 0; i < Json.WipingPool.SLOTS * 2; i++) {
            many.add(pool.acquirePooled());
        }
        many.forEach(pool::releasePooled);
        assertEquals(Json.WipingPool.SLOTS, pool.pooledCount(), "the rest were left to the GC");
    }

    @Test
    void threadsTakingAndGivingBackAtOnceNeverShareARecycler() throws Exception {
        Json.WipingPool pool = new Json.WipingPool();
        Set<BufferRecycler> held = ConcurrentHashMap.newKeySet();
        AtomicInteger shared = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 20_000; i++) {
                    BufferRecycler recycler = pool.acquirePooled();
                    if (!held.add(recycler)) {
                        shared.incrementAndGet();
                    }
                    held.remove(recycler);
                    pool.releasePooled(recycler);
                }
            });
            threads.add(thread);
            thread.start();
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(0, shared.get(), "a recycler was held by two threads at once");
        assertTrue(pool.pooledCount() <= 8, "no more kept than were ever out at once: " + pool.pooledCount());
    }
}
