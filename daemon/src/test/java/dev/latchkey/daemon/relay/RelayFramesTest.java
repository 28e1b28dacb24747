package dev.latchkey.daemon.relay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.latchkey.protocol.Dialect;
import dev.latchkey.protocol.Hello;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay's frames are written and read without a JSON library, so they are checked against
 * one: what the relay writes, a JSON parser reads as the same values, and strings a JSON writer
 * escapes, the relay reads back as they were.
 */
class RelayFramesTest {
    /** Everything a string can make hard: quotes, backslashes, control characters, non-ASCII, a surrogate pair. */
    private static final String AWKWARD = "a \"quoted\" \\path\\ with\ttab\nnewline \u0001\u001f\u007f é ✓ 😀 /slash/";

    @Test
    void anAnnounceIsJsonWithTheFieldsItCarries() throws Exception {
        String line = RelayFrames.announce(new RelayFrames.Announce("n0nce", 4242L, "/home/me/" + AWKWARD, "/etc/" + AWKWARD,
                "/home/me\0/home/me/.cargo\0" + AWKWARD));
        assertFalse(line.contains("\n") || line.contains("\t"), "one line, control characters escaped: " + line);
        Map<String, Object> fields = parse(line);
        assertEquals(2, fields.get("relay"));
        assertEquals("n0nce", fields.get("nonce"));
        assertEquals(4242, fields.get("pid"));
        assertEquals("/home/me/" + AWKWARD, fields.get("cwd"));
        assertEquals("/etc/" + AWKWARD, fields.get("config"));
        assertEquals("/home/me\0/home/me/.cargo\0" + AWKWARD, fields.get("locations"));
    }

    @Test
    void anAnnounceReadsBackAsWritten() throws Exception {
        RelayFrames.Announce withConfig = new RelayFrames.Announce("1f", 7L, "/home/user/project/" + AWKWARD, "/cfg/" + AWKWARD,
                "/h\0/h/.cargo");
        RelayFrames.Announce without = new RelayFrames.Announce("2e", null, "/home/user/project", null, "/h");
        assertEquals(withConfig, RelayFrames.parseAnnounce(RelayFrames.announce(withConfig)));
        assertEquals(without, RelayFrames.parseAnnounce(RelayFrames.announce(without)));
        assertEquals("{\"relay\":2,\"nonce\":\"2e\",\"cwd\":\"/home/user/project\",\"locations\":\"/h\"}",
                RelayFrames.announce(without));
    }

    @Test
    void stringsEscapedByAJsonWriterReadBack() throws Exception {
        // Jackson escapes some characters the relay writes as they are, and the other way round:
        // each reads the other's. \/ and \\uXXXX for a plain letter are valid JSON too.
        String byJackson = "{\"relay\":\"notice\",\"text\":\"" + escapedByJackson(AWKWARD) + "\"}";
        assertEquals(AWKWARD, RelayFrames.noticeText(byJackson));
        assertEquals("a/b", RelayFrames.noticeText("{\"relay\":\"notice\",\"text\":\"a\\/\\u0062\"}"));
        assertEquals("\b\f", RelayFrames.noticeText("{\"relay\":\"notice\",\"text\":\"\\b\\f\"}"));
    }

    @Test
    void aNoticeAndAReadyFrameCarryTheirString() throws Exception {
        String notice = RelayFrames.notice("latchkey: warning: " + AWKWARD);
        assertEquals(Map.of("relay", "notice", "text", "latchkey: warning: " + AWKWARD), parse(notice));
        assertEquals("latchkey: warning: " + AWKWARD, RelayFrames.noticeText(notice));
        assertNull(RelayFrames.readyNonce(notice));

        String ready = RelayFrames.ready("abc123");
        assertEquals(Map.of("relay", "ready", "nonce", "abc123"), parse(ready));
        assertEquals("abc123", RelayFrames.readyNonce(ready));
        assertNull(RelayFrames.noticeText(ready));
    }

    @Test
    void theFixedFramesAreJson() throws Exception {
        assertEquals(Map.of("relay", "serve-in-caller"), parse(RelayFrames.SERVE_IN_CALLER));
        assertEquals(Map.of("relay", "broken-config"), parse(RelayFrames.BROKEN_CONFIG));
        assertEquals(Map.of("relay", "refused"), parse(RelayFrames.REFUSED));
        assertEquals(Map.of("relay", "elsewhere"), parse(RelayFrames.ELSEWHERE));
    }

    @Test
    void framesAreToldApartFromAnswersAndRequests() {
        for (String frame : new String[] {RelayFrames.SERVE_IN_CALLER, RelayFrames.notice("x"), RelayFrames.ready("n"),
                RelayFrames.announce(new RelayFrames.Announce("n", 1L, "/", null, "/h")), RelayFrames.ELSEWHERE}) {
            assertTrue(isFrame(frame), frame);
        }
        for (String line : new String[] {"{\"Ok\":{\"kind\":\"get\"}}", "{\"Err\":{\"kind\":\"not-found\"}}",
                "{\"v\":1,\"kind\":\"get\"}", "{\"relay\"", "", " {\"relay\":1}"}) {
            assertFalse(isFrame(line), line);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"relay\":1,\"nonce\":\"n\",\"cwd\":\"/\"}",
        "{\"relay\":3,\"nonce\":\"n\",\"cwd\":\"/\",\"locations\":\"/h\"}",
        "{\"relay\":2,\"nonce\":\"n\",\"cwd\":\"/\"}",
        "{\"relay\":2,\"cwd\":\"/\",\"nonce\":\"n\",\"locations\":\"/h\"}",
        "{\"relay\":2,\"nonce\":\"n\",\"cwd\":\"/\",\"locations\":\"/h\"} ",
        "{\"relay\":2,\"nonce\":\"n\",\"cwd\":\"/}",
        "{\"relay\":2,\"nonce\":\"n\",\"cwd\":\"/\\x\",\"locations\":\"/h\"}",
        "{\"relay\":2,\"nonce\":\"n\",\"cwd\":\"/\\u12\",\"locations\":\"/h\"}",
        "{\"relay\":2,\"nonce\":\"n\",\"cwd\":\"/\\u12zz\",\"locations\":\"/h\"}",
        "{\"relay\":2,\"nonce\":\"n\",\"cwd\":\"/\",\"config\":7,\"locations\":\"/h\"}",
        "{\"relay\":2,\"nonce\":\"n\",\"cwd\":\"/\",\"locations\":7}",
        "{\"relay\":2,\"nonce\":\"n\",\"cwd\":\"/\\",
        "{\"relay\":2,\"nonce\":\"n\",\"pid\":0,\"cwd\":\"/\",\"locations\":\"/h\"}",
        "{\"relay\":2,\"nonce\":\"n\",\"pid\":-1,\"cwd\":\"/\",\"locations\":\"/h\"}",
        "{\"relay\":2,\"nonce\":\"n\",\"pid\":\"1\",\"cwd\":\"/\",\"locations\":\"/h\"}"
    })
    void anAnnounceOfAnotherShapeIsRefusedWithoutQuotingIt(String line) {
        RelayFrames.MalformedFrameException e = assertThrows(RelayFrames.MalformedFrameException.class,
                () -> RelayFrames.parseAnnounce(line));
        assertFalse(e.getMessage().contains("nonce"), e.getMessage());
    }

    @Test
    void theRelaysHelloIsCargosHello() {
        // CargoRelay writes cargo's hello itself, to keep the JSON library out of the relay.
        assertEquals(new String(Hello.line(Dialect.CARGO, "any"), StandardCharsets.UTF_8),
                new String(CargoRelay.CARGO_HELLO, StandardCharsets.UTF_8));
    }

    private static boolean isFrame(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return RelayFrames.isFrame(bytes, bytes.length);
    }

    private static String escapedByJackson(String value) throws Exception {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.writeString(value);
        }
        String quoted = out.toString();
        return quoted.substring(1, quoted.length() - 1);
    }

    private static Map<String, Object> parse(String line) throws Exception {
        Map<String, Object> fields = new LinkedHashMap<>();
        try (JsonParser p = new JsonFactory().createParser(line)) {
            assertEquals(JsonToken.START_OBJECT, p.nextToken());
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                fields.put(name, value == JsonToken.VALUE_NUMBER_INT ? (Object) p.getIntValue() : p.getText());
            }
            assertNull(p.nextToken(), "one object, nothing after it");
        }
        return fields;
    }
}
