package dev.latchkey.protocol;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The strict UTF-8 check in front of the JSON parser, at its boundaries and against the JDK's decoder. */
class StrictUtf8Test {

    @Test
    void acceptsTheEdgesOfEachSequenceLength() {
        for (String hex : new String[] {"00", "7f", "c280", "dfbf", "e0a080", "ed9fbf", "ee8080", "efbfbf", "f0908080",
            "f48fbfbf", "41c3a9e4b8adf09f9880"}) {
            assertEquals(-1, check(hex), hex);
        }
    }

    @Test
    void findsOverlongFormsSurrogatesAndCodePointsPastTheLastOne() {
        assertEquals(0, check("c0af"), "overlong /");
        assertEquals(0, check("c1bf"), "overlong");
        assertEquals(0, check("e080af"), "overlong / in three bytes");
        assertEquals(0, check("e09fbf"), "overlong");
        assertEquals(0, check("f08fbfbf"), "overlong");
        assertEquals(0, check("eda080"), "high surrogate");
        assertEquals(0, check("edbfbf"), "low surrogate");
        assertEquals(0, check("f4908080"), "past U+10FFFF");
        assertEquals(0, check("f5808080"));
        assertEquals(0, check("ff"));
        assertEquals(0, check("80"), "a continuation without a lead");
        assertEquals(2, check("4142c3"), "cut short at the end");
        assertEquals(1, check("41e282"), "cut short at the end");
        assertEquals(1, check("41c341"), "a lead followed by ASCII");
    }

    @Test
    void looksOnlyAtTheGivenLength() {
        byte[] bytes = HexFormat.of().parseHex("4142ff");
        assertEquals(-1, StrictUtf8.firstInvalid(bytes, 2));
    }

    @Test
    void agreesWithTheJdksStrictDecoderOnEveryLeadAndSecondByte() {
        for (int lead = 0; lead < 256; lead++) {
            for (int second = 0; second < 256; second++) {
                byte[] bytes = {(byte) lead, (byte) second, (byte) 0x80, (byte) 0x80};
                for (int length = 1; length <= 4; length++) {
                    boolean ours = StrictUtf8.firstInvalid(bytes, length) < 0;
                    assertEquals(jdkAccepts(bytes, length), ours, HexFormat.of().formatHex(bytes, 0, length));
                }
            }
        }
    }

    private static boolean jdkAccepts(byte[] bytes, int length) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, length));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static int check(String hex) {
        byte[] bytes = HexFormat.of().parseHex(hex);
        return StrictUtf8.firstInvalid(bytes, bytes.length);
    }
}
