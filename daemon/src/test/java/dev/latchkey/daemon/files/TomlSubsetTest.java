package dev.latchkey.daemon.files;

import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The reader without the TOML library reads every file in latchkey's and cargo's layout exactly
 * as the library does, in the same order, and gives up on everything else, broken files included,
 * so that the library reads those and reports what is wrong.
 */
class TomlSubsetTest {
    private static final Path SOURCE = Path.of("test.toml");

    /** Files as latchkey and cargo write them, and as people edit them. */
    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "\n\n",
        "# latchkey token file. Written by latchkey; keep it mode 0600.\n[[token]]\nindex-url = \"sparse+https://packages.example.com/index/\"\n"
                + "name = \"company\"\ntoken = \"abc\"\noperations = [\"publish\", \"yank\"]\nexpiration = 1767225600\ncreated = 1764000000\n"
                + "updated = 1764000000\n\n[[token]]\nindex-url = \"https://x.example/index\"\ntoken = \"t\\\"q\\\\\\u00e9\\U0001F600\\t\"\n",
        "[registry]\ntoken = \"abcdefg\"\n",
        "[registry]\ntoken = \"a\"\n\n[registries.alt]\ntoken = \"b\"\n\n[registries.My-Reg_2]\ntoken = \"c\"\n",
        "[registries.alt]\ntoken = \"b\"\n[registries]\n[registry]\n",
        "top = 1\nflag = true\noff = false\nneg = -42\nzero = 0\nempty = []\nnums = [1, 2, 3,]\n",
        "  [ registries . alt ]  # spaced out\n\ttoken\t=\t\"b\"   # a comment\r\n# last\n",
        "[[token]]\n[[token]]\nindex-url = \"u\"\n[token2]\n",
        "key = \"no newline at the end\"",
        "a = \"tab\tinside\"\n",
    })
    void readsTheLayoutsWrittenHereExactlyAsTheLibrary(String text) throws Exception {
        Map<String, Object> subset = TomlSubset.read(text);
        assertNotNull(subset, "read without the library: " + text);
        assertSame(TomlText.parseWithLibrary(text, SOURCE), subset);
    }

    /** Valid TOML outside the subset, and broken TOML: left to the library. */
    @ParameterizedTest
    @ValueSource(strings = {
        "a = 'literal'\n",
        "a = \"\"\"multi\nline\"\"\"\n",
        "a.b = 1\n",
        "\"quoted key\" = 1\n",
        "[registries.\"dotted.name\"]\ntoken = \"t\"\n",
        "a = 1.5\n",
        "a = 1e3\n",
        "a = +1\n",
        "a = 1_000\n",
        "a = 0x1f\n",
        "a = 1979-05-27\n",
        "a = 07:32:00\n",
        "a = inf\n",
        "a = { b = 1 }\n",
        "a = [\n  1,\n]\n",
        "a = [1, \"x\"]\n",
        "a = [[1], [2]]\n",
        "a = 12345678901234567890\n",
        "[[token]]\nx = 1\n[token.sub]\ny = 2\n",
        // broken:
        "[registry]\ntoken = sekrit-value\n",
        "a = 1\na = 2\n",
        "[a]\n[a]\n",
        "a = 1\n[a]\n",
        "[a]\nb = 1\n[a.b]\n",
        "a = \"unterminated\n",
        "a = \"bad \\q escape\"\n",
        "a = \"\\ud800\"\n",
        "a = \"raw \u0001 control\"\n",
        "a = 01\n",
        "a = 1 b = 2\n",
        "[a\n",
        "[[a]\n",
        "a = 1\r\rb = 2\n",
        "# comment with \u0000 in it\n",
        "= 1\n",
        "a =\n",
    })
    void givesUpOnAnythingElse(String text) throws Exception {
        assertNull(TomlSubset.read(text), text);
        String fromParse;
        try {
            fromParse = TomlText.write(TomlText.parse(text, SOURCE));
        } catch (TomlText.MalformedTomlException e) {
            assertThrows(TomlText.MalformedTomlException.class, () -> TomlText.parseWithLibrary(text, SOURCE));
            return;
        }
        assertEquals(TomlText.write(TomlText.parseWithLibrary(text, SOURCE)), fromParse, "parse falls back to the library");
    }

    /** Thousands of token files and cargo credential files, written by TomlText, read back the same both ways. */
    @Test
    void readsWhateverTomlTextWritesAsTheLibraryDoes() throws Exception {
        Random random = new Random(20261201);
        for (int round = 0; round < 500; round++) {
            Map<String, Object> doc = round % 2 == 0 ? tokenFile(random) : credentials(random);
            String text = (round % 3 == 0 ? "# header comment\n" : "") + TomlText.write(doc);
            Map<String, Object> subset = TomlSubset.read(text);
            assertNotNull(subset, text);
            assertSame(TomlText.parseWithLibrary(text, SOURCE), subset);
        }
    }

    private static void assertSame(Map<String, Object> expected, Map<String, Object> actual) {
        assertEquals(expected, actual);
        // Equal maps in another order would be written out in another order.
        assertEquals(TomlText.write(expected), TomlText.write(actual));
    }

    private static Map<String, Object> tokenFile(Random random) {
        List<Object> tokens = new ArrayList<>();
        for (int i = random.nextInt(4); i >= 0; i--) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("index-url", "sparse+https://" + word(random) + ".example/index/");
            if (random.nextBoolean()) {
                t.put("name", word(random));
            }
            t.put("token", Secret.fromString(awkward(random)));
            if (random.nextBoolean()) {
                t.put("operations", random.nextBoolean() ? List.of("publish") : List.of("read", "yank", "owners"));
            }
            if (random.nextBoolean()) {
                t.put("expiration", random.nextLong() >>> 2);
            }
            t.put("created", (long) random.nextInt(Integer.MAX_VALUE));
            t.put("updated", (long) -random.nextInt(1000));
            tokens.add(t);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("token", tokens);
        return doc;
    }

    private static Map<String, Object> credentials(Random random) {
        Map<String, Object> doc = new LinkedHashMap<>();
        if (random.nextBoolean()) {
            doc.put("registry", new LinkedHashMap<>(Map.of("token", awkward(random))));
        }
        Map<String, Object> registries = new LinkedHashMap<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            Map<String, Object> registry = new LinkedHashMap<>();
            if (random.nextBoolean()) {
                registry.put("token", awkward(random));
            }
            registries.put(word(random), registry);
        }
        if (!registries.isEmpty()) {
            doc.put("registries", registries);
        }
        return doc;
    }

    private static String word(Random random) {
        String letters = "abcdefghijklmnopqrstuvwxyzABC0123456789-_";
        StringBuilder s = new StringBuilder();
        for (int i = 1 + random.nextInt(10); i > 0; i--) {
            s.append(letters.charAt(random.nextInt(letters.length())));
        }
        return s.toString();
    }

    /** Printable ASCII, escapes, control characters, non-ASCII and characters beyond the BMP. */
    private static String awkward(Random random) {
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(40); i > 0; i--) {
            int kind = random.nextInt(10);
            if (kind < 6) {
                s.append((char) (0x20 + random.nextInt(0x5f)));
            } else if (kind == 6) {
                s.append("\"\\\n\t\r\b\f".charAt(random.nextInt(7)));
            } else if (kind == 7) {
                s.append((char) random.nextInt(0x20));
            } else if (kind == 8) {
                s.append((char) (0xa0 + random.nextInt(0x2000)));
            } else {
                s.appendCodePoint(0x1f600 + random.nextInt(50));
            }
        }
        return s.toString();
    }
}
