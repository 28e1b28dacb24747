package dev.latchkey.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hello lines of cargo's credential-provider protocol and of docs/protocol.md, both directions. */
class HelloTest {

    @Test
    void cargosHelloIsExactlyTheBareVersionList() {
        assertEquals("{\"v\":[1]}\n", new String(Hello.line(Dialect.CARGO, "9.9.9"), StandardCharsets.UTF_8));
    }

    @Test
    void latchkeysHelloNamesTheServer() {
        assertEquals("{\"v\":[1],\"server\":\"latchkey/0.1.0\"}\n",
                new String(Hello.line(Dialect.LATCHKEY, "0.1.0"), StandardCharsets.UTF_8));
    }

    @Test
    void parsesBothHellos() {
        Hello cargo = parse("{\"v\":[1]}");
        assertEquals(List.of(1), cargo.versions());
        assertNull(cargo.server());
        assertTrue(cargo.speaks(1));

        Hello latchkey = parse("{\"v\":[1],\"server\":\"latchkey/0.1.0\"}");
        assertEquals("latchkey/0.1.0", latchkey.server());
        assertTrue(latchkey.speaks(1));
    }

    @Test
    void acceptsWhatCargoAcceptsExtraFieldsAndAnyOrder() {
        assertTrue(parse("{\"v\":[1,2],\"extra\":\"x\"}").speaks(1));
        assertTrue(parse("{\"v\":[2,1]}").speaks(1));
        assertTrue(parse("{\"extra\":{\"a\":[1]},\"v\":[1]}").speaks(1));
    }

    @Test
    void aHelloWithoutVersionOneParsesButDoesNotSpeakIt() {
        Hello other = parse("{\"v\":[998, 999]}");
        assertEquals(List.of(998, 999), other.versions());
        assertFalse(other.speaks(1));
        assertFalse(parse("{\"v\":[]}").speaks(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"v\":1}", "{\"v\":\"1\"}", "{\"v\":[\"1\"]}", "{\"v\":[1.0]}", "{}", "{\"server\":\"latchkey/1\"}",
        "[1]", "", "latchkey starting...", "{\"v\":[1]", "{\"v\":[1],\"server\":2}"})
    void rejectsWhatCargoRejects(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        assertThrows(MalformedMessageException.class, () -> Hello.parse(bytes, bytes.length));
    }

    private static Hello parse(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        try {
            return Hello.parse(bytes, bytes.length);
        } catch (MalformedMessageException e) {
            throw new AssertionError(e.getMessage() + " <- " + line, e);
        }
    }
}
