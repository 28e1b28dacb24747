package dev.latchkey.daemon.terminal;

/**
 * Text printed for a person, made safe for a terminal. Much of what latchkey prints came from
 * someone else: a registry name from a project's cargo config, a URL from a registry, a program's
 * path from the audit log. A control character in it could move the cursor, rewrite an earlier
 * line (a prompt) or change the terminal's settings, and a bidirectional override could make a
 * line read differently from what it holds. Each such character is shown escaped
 * ({@code \x1b}, {@code \u202e}), so the text stays recognisable and nothing is lost silently.
 */
public final class TerminalText {
    private TerminalText() {
    }

    /** {@code text} on one line: every control and format character escaped, line breaks too. */
    public static String line(String text) {
        return escaped(text, false);
    }

    /** {@code text} as lines: the same, but its line breaks kept. */
    public static String lines(String text) {
        return escaped(text, true);
    }

    /**
     * A JSON document for a terminal ({@code --json}): each character {@link #lines} would escape
     * written as a JSON escape instead. Jackson escapes only the C0 controls; this takes the C1
     * controls, DEL, format and bidi characters too, so a parser reads the same values and a person
     * who prints the document sees them harmlessly. Such characters stand only inside JSON strings,
     * where an escape means the same; the line breaks between documents are kept.
     */
    public static String json(String json) {
        StringBuilder out = null;
        for (int i = 0; i < json.length(); ) {
            int c = json.codePointAt(i);
            int next = i + Character.charCount(c);
            if (unsafe(c, true)) {
                if (out == null) {
                    out = new StringBuilder(json.length() + 8).append(json, 0, i);
                }
                for (int unit = i; unit < next; unit++) {
                    out.append("\\u").append(hex4(json.charAt(unit)));
                }
            } else if (out != null) {
                out.appendCodePoint(c);
            }
            i = next;
        }
        return out == null ? json : out.toString();
    }

    private static String escaped(String text, boolean keepLineBreaks) {
        if (text == null) {
            return null;
        }
        int i = 0;
        while (i < text.length() && !unsafe(text.charAt(i), keepLineBreaks)) {
            i++;
        }
        if (i == text.length()) {
            return text; // the common case, copied nowhere
        }
        StringBuilder out = new StringBuilder(text.length() + 8).append(text, 0, i);
        while (i < text.length()) {
            int c = text.codePointAt(i);
            if (!unsafe(c, keepLineBreaks)) {
                out.appendCodePoint(c);
            } else if (c <= 0xff) {
                out.append("\\x").append(hex(c >> 4)).append(hex(c));
            } else if (c <= 0xffff) {
                out.append("\\u").append(hex4(c));
            } else {
                out.append("\\U").append(hex4(c >> 16)).append(hex4(c));
            }
            i += Character.charCount(c);
        }
        return out.toString();
    }

    private static String hex4(int c) {
        return new String(new char[] {hex(c >> 12), hex(c >> 8), hex(c >> 4), hex(c)});
    }

    private static char hex(int nibble) {
        return "0123456789abcdef".charAt(nibble & 0xf);
    }

    private static boolean unsafe(int c, boolean keepLineBreaks) {
        if (c >= 0x20 && c < 0x7f) {
            return false;
        }
        if (c == '\n') {
            return !keepLineBreaks;
        }
        int type = Character.getType(c);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE;
    }
}
