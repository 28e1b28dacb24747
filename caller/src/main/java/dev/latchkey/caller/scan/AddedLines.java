package dev.latchkey.caller.scan;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lines a patch adds, by file and line number in the new version: read from git's unified
 * diff with no context lines ({@code -U0}, prefixes {@code a/} and {@code b/}). A hunk's body is
 * counted off by its header, so an added line that itself starts with {@code +++} is not taken for
 * the next file's header.
 */
final class AddedLines {
    private static final Pattern HUNK = Pattern.compile("^@@ -\\d+(?:,(\\d+))? \\+(\\d+)(?:,(\\d+))? @@");

    private AddedLines() {
    }

    static Map<String, BitSet> parse(byte[] patch) {
        Map<String, BitSet> added = new HashMap<>();
        String[] lines = new String(patch, StandardCharsets.UTF_8).split("\n", -1);
        BitSet current = null;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith("diff --git ")) {
                current = null;
            } else if (line.startsWith("+++ ")) {
                // git ends the header with a tab when the name holds a space; a name that itself ends in one is quoted
                String header = line.endsWith("\t") ? line.substring(4, line.length() - 1) : line.substring(4);
                String path = unquote(header);
                current = path.startsWith("b/") ? added.computeIfAbsent(path.substring(2), p -> new BitSet()) : null;
            } else if (line.startsWith("@@ ") && current != null) {
                Matcher hunk = HUNK.matcher(line);
                if (!hunk.find()) {
                    continue;
                }
                int removed = hunk.group(1) == null ? 1 : Integer.parseInt(hunk.group(1));
                int next = Integer.parseInt(hunk.group(2));
                int adding = hunk.group(3) == null ? 1 : Integer.parseInt(hunk.group(3));
                while ((removed > 0 || adding > 0) && i + 1 < lines.length) {
                    String body = lines[++i];
                    if (body.startsWith("+")) {
                        current.set(next++);
                        adding--;
                    } else if (body.startsWith("-")) {
                        removed--;
                    } else if (!body.startsWith("\\")) {
                        break; // not a line of this hunk: the patch is not what -U0 writes
                    }
                }
            }
        }
        return added;
    }

    /** A path as git writes it in a patch header: as it is, or in C quotes when it holds special characters. */
    static String unquote(String path) {
        if (!path.startsWith("\"") || !path.endsWith("\"") || path.length() < 2) {
            return path;
        }
        byte[] raw = path.substring(1, path.length() - 1).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] != '\\' || i + 1 == raw.length) {
                bytes.write(raw[i]);
                continue;
            }
            byte escaped = raw[++i];
            switch (escaped) {
                case 'a' -> bytes.write(7);
                case 'b' -> bytes.write('\b');
                case 't' -> bytes.write('\t');
                case 'n' -> bytes.write('\n');
                case 'v' -> bytes.write(11);
                case 'f' -> bytes.write('\f');
                case 'r' -> bytes.write('\r');
                default -> {
                    if (escaped >= '0' && escaped <= '3' && i + 2 < raw.length) {
                        bytes.write(((escaped - '0') << 6) | ((raw[i + 1] - '0') << 3) | (raw[i + 2] - '0'));
                        i += 2;
                    } else {
                        bytes.write(escaped); // \\ and \"
                    }
                }
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
