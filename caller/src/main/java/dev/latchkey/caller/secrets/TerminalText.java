package dev.latchkey.caller.secrets;

/**
 * Text that came from someone else (a registry name, a file name in a checkout, a command) made
 * safe to print on a terminal: a control character could move the cursor, rewrite an earlier
 * line or change the terminal's settings, and a bidirectional override could make a line read
 * differently from what it holds.
 */
public final class TerminalText {
    private TerminalText() {
    }

    /** {@code text} without its control and format characters: for names, where nothing is lost by dropping them. */
    public static String strip(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().filter(c -> !unsafe(c)).forEach(out::appendCodePoint);
        return out.toString();
    }

    /** {@code text} with each control and format character written {@code \xNN} or {@code \\uNNNN}: for paths, which must stay recognisable. */
    public static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (!unsafe(c)) {
                out.appendCodePoint(c);
            } else if (c <= 0xff) {
                out.append(String.format("\\x%02x", c));
            } else {
                out.append(String.format("\\u%04x", c));
            }
        });
        return out.toString();
    }

    private static boolean unsafe(int c) {
        int type = Character.getType(c);
        return type == Character.CONTROL || type == Character.FORMAT
                || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    }
}
