package dev.latchkey.it;

import dev.latchkey.protocol.ErrorKind;
import dev.latchkey.protocol.MalformedMessageException;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.ResponseCodec;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One store or erase of a registry's token, as the crash and concurrency tests send them to
 * {@code latchkey stdio}: {@code token} null is an erase. Registries are named {@code NAME} with
 * the index URL {@link #indexUrl}, so both cargo's file (keyed by name) and latchkey's (by URL) hold them.
 */
record TokenOperation(String registry, String token) {

    static String indexUrl(String registry) {
        return "sparse+http://127.0.0.1:9/" + registry + "/";
    }

    /** The request line, without its newline, into {@code store}. */
    String requestLine(long id, String store) {
        String kind = token == null ? "erase" : "store";
        return "{\"v\":1,\"id\":" + id + "," + registryField(registry) + ",\"kind\":\"" + kind + "\""
                + (token == null ? "" : ",\"token\":\"" + token + "\"") + ",\"store\":\"" + store + "\"}";
    }

    /**
     * Checks the answer to this operation: a store is stored, an erase erased or found nothing
     * (which leaves the state as it was); anything else fails the test.
     */
    void checkAnswer(String line, long id) {
        ResponseCodec.ResponseLine answer = parse(line);
        assertEquals(id, answer.id().number(), () -> "answers come in request order: " + line);
        Response response = answer.response();
        if (token != null) {
            assertInstanceOf(Response.Stored.class, response, line);
        } else if (!(response instanceof Response.Erased)
                && !(response instanceof Response.Failure f && f.kind() == ErrorKind.NOT_FOUND)) {
            fail("an erase is answered erased or not-found: " + line);
        }
    }

    /** The state after this operation: {@code before} with this registry's token set or removed. */
    void applyTo(Map<String, String> state) {
        if (token == null) {
            state.remove(registry);
        } else {
            state.put(registry, token);
        }
    }

    /**
     * What latchkey says it holds, asked over {@code stdio} (a {@code latchkey stdio} process): a
     * {@code list} of {@code store}, and a {@code get} of each of {@code registries}, which must agree
     * with each other. Registry name to token.
     */
    static Map<String, String> heldAccordingToLatchkey(LatchkeyProcess stdio, String store, Collection<String> registries) {
        stdio.send("{\"v\":1,\"id\":0,\"kind\":\"list\",\"args\":[\"--store\",\"" + store + "\"]}");
        Response listed = parse(stdio.readLine()).response();
        Set<String> names = new HashSet<>();
        assertInstanceOf(Response.Listed.class, listed, () -> "list works on the file as it was left: " + listed)
                .entries().forEach(entry -> names.add(entry.name()));
        Map<String, String> held = new HashMap<>();
        long id = 1;
        for (String registry : registries) {
            stdio.send("{\"v\":1,\"id\":" + id++ + "," + registryField(registry) + ",\"kind\":\"get\",\"args\":[\"--store\",\""
                    + store + "\"]}");
            Response got = parse(stdio.readLine()).response();
            if (got instanceof Response.Got token) {
                held.put(registry, token.token().reveal());
            } else if (!(got instanceof Response.Failure f && f.kind() == ErrorKind.NOT_FOUND)) {
                fail("get works on the file as it was left: " + got);
            }
        }
        Set<String> listedOfThese = new HashSet<>(names);
        listedOfThese.retainAll(new HashSet<>(registries));
        assertEquals(held.keySet(), listedOfThese, "list and get agree on which registries hold a token");
        return held;
    }

    private static String registryField(String registry) {
        return "\"registry\":{\"index-url\":\"" + indexUrl(registry) + "\",\"name\":\"" + registry + "\"}";
    }

    static ResponseCodec.ResponseLine parse(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        try {
            return ResponseCodec.parse(bytes, bytes.length);
        } catch (MalformedMessageException e) {
            return fail("not a protocol answer (" + e.getMessage() + "): " + line);
        }
    }
}
