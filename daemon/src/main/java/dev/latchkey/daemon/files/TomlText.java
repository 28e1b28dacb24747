package dev.latchkey.daemon.files;

import dev.latchkey.protocol.Secret;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TOML documents as plain maps, and back to text in the layout cargo's serializer writes:
 * a table's plain keys first, then its sub-tables as {@code [a.b]} sections separated by a blank
 * line, with tables that hold only tables left implicit. A {@link Secret} value is written
 * straight from its characters.
 */
public final class TomlText {

    private TomlText() {
    }

    /** Thrown for text that is not TOML; the message has the line and column, never the text. */
    public static final class MalformedTomlException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedTomlException(String message) {
            super(message);
        }
    }

    /**
     * Parses {@code text} into nested {@code LinkedHashMap}s, lists and scalars. Text in the layout
     * latchkey and cargo write is read without the TOML library ({@link TomlSubset}): a request
     * served in a fresh process reads cargo's config and credentials files, and the library's first
     * parse there costs a hundred times the subset's (`scripts/bench handwritten`,
     * docs/performance.md). The library reads anything else, and says what is wrong with a broken file.
     */
    public static Map<String, Object> parse(String text, Path source) throws MalformedTomlException {
        Map<String, Object> plain = TomlSubset.read(text);
        return plain != null ? plain : parseWithLibrary(text, source);
    }

    /** {@link #parse} by the TOML library alone. */
    static Map<String, Object> parseWithLibrary(String text, Path source) throws MalformedTomlException {
        TomlParseResult result = Toml.parse(text);
        if (result.hasErrors()) {
            TomlParseError first = result.errors().get(0);
            // Not the parser's own message: it quotes what it found ("Unexpected 'abc123'"), which may be a token.
            throw new MalformedTomlException(source + ":" + first.position().line() + ":" + first.position().column()
                    + ": not valid TOML there (the text is not repeated, since it may hold a token)");
        }
        return toMap(result);
    }

    private static Map<String, Object> toMap(TomlTable table) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (String key : table.keySet()) {
            map.put(key, plain(table.get(List.of(key))));
        }
        return map;
    }

    private static Object plain(Object value) {
        if (value instanceof TomlTable t) {
            return toMap(t);
        }
        if (value instanceof TomlArray a) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) {
                list.add(plain(a.get(i)));
            }
            return list;
        }
        return value;
    }

    /** Writes {@code document} as TOML text. */
    public static String write(Map<String, Object> document) {
        StringBuilder out = new StringBuilder();
        writeTable(out, List.of(), document);
        return out.toString();
    }

    private static void writeTable(StringBuilder out, List<String> path, Map<String, Object> table) {
        boolean hasPlainValues = table.values().stream().anyMatch(v -> !isTable(v) && !isTableArray(v));
        boolean hasSubTables = table.values().stream().anyMatch(v -> isTable(v) || isTableArray(v));
        if (!path.isEmpty() && (hasPlainValues || !hasSubTables)) {
            separate(out);
            out.append('[').append(dotted(path)).append("]\n");
        }
        for (Map.Entry<String, Object> e : table.entrySet()) {
            if (!isTable(e.getValue()) && !isTableArray(e.getValue())) {
                out.append(key(e.getKey())).append(" = ");
                writeValue(out, e.getValue());
                out.append('\n');
            }
        }
        for (Map.Entry<String, Object> e : table.entrySet()) {
            List<String> childPath = new ArrayList<>(path);
            childPath.add(e.getKey());
            if (isTable(e.getValue())) {
                writeTable(out, childPath, asTable(e.getValue()));
            } else if (isTableArray(e.getValue())) {
                for (Object element : (List<?>) e.getValue()) {
                    separate(out);
                    out.append("[[").append(dotted(childPath)).append("]]\n");
                    writeArrayElement(out, childPath, asTable(element));
                }
            }
        }
    }

    private static void writeArrayElement(StringBuilder out, List<String> path, Map<String, Object> element) {
        for (Map.Entry<String, Object> e : element.entrySet()) {
            if (!isTable(e.getValue())) {
                out.append(key(e.getKey())).append(" = ");
                writeValue(out, e.getValue());
                out.append('\n');
            }
        }
        for (Map.Entry<String, Object> e : element.entrySet()) {
            if (isTable(e.getValue())) {
                List<String> childPath = new ArrayList<>(path);
                childPath.add(e.getKey());
                writeTable(out, childPath, asTable(e.getValue()));
            }
        }
    }

    private static void separate(StringBuilder out) {
        if (out.length() > 0) {
            out.append('\n');
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asTable(Object value) {
        return (Map<String, Object>) value;
    }

    private static boolean isTable(Object value) {
        return value instanceof Map;
    }

    private static boolean isTableArray(Object value) {
        return value instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(TomlText::isTable);
    }

    private static String dotted(List<String> path) {
        StringBuilder s = new StringBuilder();
        for (String part : path) {
            if (s.length() > 0) {
                s.append('.');
            }
            s.append(key(part));
        }
        return s.toString();
    }

    private static String key(String key) {
        if (TomlSubset.isBareKey(key)) {
            return key;
        }
        StringBuilder s = new StringBuilder();
        appendQuoted(s, key.toCharArray());
        return s.toString();
    }

    private static void writeValue(StringBuilder out, Object value) {
        if (value instanceof Secret secret) {
            appendQuoted(out, secret.exposeChars());
        } else if (value instanceof String s) {
            appendQuoted(out, s.toCharArray());
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(", ");
                }
                writeValue(out, list.get(i));
            }
            out.append(']');
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.append(first ? " " : ", ");
                first = false;
                out.append(key((String) e.getKey())).append(" = ");
                writeValue(out, e.getValue());
            }
            out.append(first ? "}" : " }");
        } else if (value instanceof Double d) {
            out.append(d.isNaN() ? "nan" : d.isInfinite() ? (d > 0 ? "inf" : "-inf") : d.toString());
        } else if (value instanceof TemporalAccessor time) {
            out.append(temporal(time));
        } else {
            // Integers and booleans print as TOML already.
            out.append(value);
        }
    }

    /** With seconds always: TOML requires them, and java.time's toString drops them when they are zero. */
    private static String temporal(TemporalAccessor time) {
        if (time instanceof OffsetDateTime t) {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t);
        }
        if (time instanceof LocalDateTime t) {
            return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(t);
        }
        if (time instanceof LocalTime t) {
            return DateTimeFormatter.ISO_LOCAL_TIME.format(t);
        }
        return time.toString(); // a LocalDate
    }

    private static void appendQuoted(StringBuilder out, char[] chars) {
        out.append('"');
        for (char c : chars) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04X", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
