package dev.latchkey.daemon.files;

import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TomlTextTest {
    private static final Path SOURCE = Path.of("test.toml");

    @Test
    void writesCargosFirstLoginBytesExactly() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("registry", new LinkedHashMap<>(Map.of("token", Secret.fromString("abcdefg"))));
        // The exact bytes cargo's own tests expect after the first `cargo login`.
        assertEquals("[registry]\ntoken = \"abcdefg\"\n", TomlText.write(doc));
    }

    @Test
    void writesNestedRegistryTablesAsDottedHeadersSeparatedByBlankLines() throws Exception {
        String text = "[registry]\ntoken = \"a\"\n\n[registries.alt]\ntoken = \"b\"\n\n[registries.My-Reg]\ntoken = \"c\"\n";
        assertEquals(text, TomlText.write(TomlText.parse(text, SOURCE)));
    }

    @Test
    void keepsAnEmptyTableAsCargoDoesAfterLogout() throws Exception {
        Map<String, Object> doc = TomlText.parse("[registry]\ntoken = \"a\"\n", SOURCE);
        ((Map<?, ?>) doc.get("registry")).remove("token");
        assertEquals("[registry]\n", TomlText.write(doc));
    }

    @Test
    void roundTripsOtherValueTypesAndQuotedKeys() throws Exception {
        String text = "top = 1\nflag = true\nlist = [\"x\", \"y\"]\n\n[registries.\"dotted.name\"]\ntoken = \"t\\\"q\"\nn = 2.5\n";
        Map<String, Object> doc = TomlText.parse(text, SOURCE);
        assertEquals(text, TomlText.write(doc));
        assertEquals("t\"q", ((Map<?, ?>) ((Map<?, ?>) doc.get("registries")).get("dotted.name")).get("token"));
    }

    /** Whatever else is in cargo's file must still parse after latchkey wrote its token into it. */
    @Test
    void writesEveryTomlValueTypeSoThatItParsesBackEqual() throws Exception {
        String text = "odt = 1979-05-27T07:32:00Z\nodt-frac = 1979-05-27T00:32:00.999999-07:00\nldt = 1979-05-27T07:32:00\n"
                + "ld = 1979-05-27\nlt = 07:32:00\nf = 1e10\nz = -0.0\nn = nan\ni = inf\nni = -inf\nh = 0xff\n"
                + "lit = 'C:\\path'\nmulti = \"\"\"two\nlines\"\"\"\nu = \"\\u00e9 \\U0001F600\"\n";
        Map<String, Object> doc = TomlText.parse(text, SOURCE);
        Map<String, Object> again = TomlText.parse(TomlText.write(doc), SOURCE);
        assertEquals(doc.keySet(), again.keySet());
        for (String key : doc.keySet()) {
            assertEquals(doc.get(key), again.get(key), key + " in " + TomlText.write(doc));
        }
    }

    @Test
    void writesArraysOfTables() throws Exception {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("token", List.of(Map.of("index-url", "u1"), Map.of("index-url", "u2")));
        String text = TomlText.write(doc);
        assertEquals("[[token]]\nindex-url = \"u1\"\n\n[[token]]\nindex-url = \"u2\"\n", text);
        assertEquals(doc, TomlText.parse(text, SOURCE));
    }

    @Test
    void escapesControlCharactersSoTheOutputParsesBack() throws Exception {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("k", "a\u0001b\nc\\");
        assertEquals(doc, TomlText.parse(TomlText.write(doc), SOURCE));
    }

    @Test
    void reportsLineAndColumnOfBadTomlWithoutQuotingIt() {
        // The TOML parser's own messages quote what they found: here the whole second word.
        for (String text : List.of("[registry]\ntoken = sekrit-value\n", "[registry]\ntoken = \"Bearer\" sekrit-value\n",
                "[registry]\ntoken = \"sekrit-value\\q\"\n", "[registries.alt]\ntoken = \"sekrit-value\" \"sekrit-value\"\n")) {
            TomlText.MalformedTomlException e = assertThrows(TomlText.MalformedTomlException.class, () -> TomlText.parse(text, SOURCE));
            assertTrue(e.getMessage().startsWith("test.toml:2:"), e.getMessage());
            assertFalse(e.getMessage().contains("sekrit"), e.getMessage());
        }
    }
}
