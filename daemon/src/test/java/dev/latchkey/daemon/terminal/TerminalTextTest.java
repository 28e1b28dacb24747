package dev.latchkey.daemon.terminal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** What could act on a terminal is shown escaped; everything else passes untouched. */
class TerminalTextTest {
    @Test
    void plainTextIsTheSameString() {
        String plain = "sparse+https://packages.example.com/index/ é ✓";
        assertSame(plain, TerminalText.line(plain));
    }

    @Test
    void escapesClearsCursorMovesAndBidiOverridesKeepingTheRestReadable() {
        assertEquals("x\\x1b[2J\\x1b[1;1Hy", TerminalText.line("x\u001b[2J\u001b[1;1Hy"));
        assertEquals("evil\\u202etxt.exe", TerminalText.line("evil\u202etxt.exe"));
        assertEquals("a\\x0db\\x07c\\x7fd\\x9be", TerminalText.line("a\rb\u0007c\u007fd\u009be"));
        assertEquals("zero\\u200bwidth and line\\u2028separator", TerminalText.line("zero\u200bwidth and line\u2028separator"));
    }

    @Test
    void oneLineEscapesLineBreaksAndLinesKeepThem() {
        assertEquals("first\\x0afake line", TerminalText.line("first\nfake line"));
        assertEquals("first\nsecond \\x1b[A", TerminalText.lines("first\nsecond \u001b[A"));
        assertEquals("tab\\x09", TerminalText.lines("tab\t"));
    }

    @Test
    void aFormatCharacterBeyondTheBasicPlaneIsEscapedWhole() {
        assertEquals("tag\\U000e0001", TerminalText.line("tag\udb40\udc01")); // U+E0001 LANGUAGE TAG
    }

    @Test
    void jsonKeepsItsMeaningWithWhatAJsonEscapeCanSay() {
        String json = "{\"url\":\"https://x.example/\u202egpj.exe\\n\u0085 \u007f é ✓ \ud83d\ude00\",\"tag\":\"\udb40\udc01\"}\n{}\n";
        assertEquals("{\"url\":\"https://x.example/\\u202egpj.exe\\n\\u0085 \\u007f é ✓ \ud83d\ude00\",\"tag\":\"\\udb40\\udc01\"}\n{}\n",
                TerminalText.json(json));
        String plain = "{\"name\":\"crates-io\"}\n";
        assertSame(plain, TerminalText.json(plain));
    }

    @Test
    void aLoneSurrogateIsEscapedAndAPairIsKept() {
        assertEquals("\\ud800x", TerminalText.line("\ud800x"));
        assertEquals("\ud83d\ude00", TerminalText.line("\ud83d\ude00"));
    }
}
