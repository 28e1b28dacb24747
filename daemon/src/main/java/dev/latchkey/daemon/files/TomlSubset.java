package dev.latchkey.daemon.files;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the part of TOML that latchkey's token file and cargo's credentials file are written in,
 * without the TOML library, whose parser costs a short-lived process more than everything else it
 * does with such a file: comments and blank lines; {@code [a.b]} and {@code [[a.b]]} headers of
 * bare keys; {@code key = value} with a bare key and a basic string, a decimal integer, a boolean,
 * or a one-line array of those.
 *
 * <p>For anything else it gives up, returning null, and {@link TomlText#parse} reads the text with
 * the library, which also reports what is wrong with a broken file. So it never decides alone
 * that a file is valid: what it reads, it reads exactly as the library does (the tests hold it to
 * that), and whatever it is unsure of, such as a key given twice, it leaves to the library.
 */
final class TomlSubset {
    private final String text;
    private int at;
    private final Map<String, Object> root = new LinkedHashMap<>();
    /** Tables opened by a header: opening one again is an error the library reports. */
    private final Set<Map<String, Object>> headed = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Tables made by header paths or arrays of tables, not by a key: only these may be opened by a header. */
    private final Set<Object> made = Collections.newSetFromMap(new IdentityHashMap<>());

    private TomlSubset(String text) {
        this.text = text;
    }

    /** The document as {@link TomlText#parse} returns it, or null when it is not in this subset. */
    static Map<String, Object> read(String text) {
        return new TomlSubset(text).document();
    }

    private Map<String, Object> document() {
        Map<String, Object> table = root;
        while (at < text.length()) {
            skipSpaces();
            if (at == text.length()) {
                break;
            }
            char c = text.charAt(at);
            if (c == '\n' || c == '#' || c == '\r') {
                if (!endOfLine()) {
                    return null;
                }
                continue;
            }
            if (c == '[') {
                table = header();
                if (table == null || !endOfLine()) {
                    return null;
                }
                continue;
            }
            String key = bareKey();
            if (key == null || table.containsKey(key)) {
                return null;
            }
            skipSpaces();
            if (!skip('=')) {
                return null;
            }
            skipSpaces();
            Object value = value();
            if (value == null || !endOfLine()) {
                return null;
            }
            table.put(key, value);
        }
        return root;
    }

    /** {@code [a.b]} or {@code [[a.b]]}: the table the keys after it go into. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> header() {
        boolean array = text.startsWith("[[", at);
        at += array ? 2 : 1;
        List<String> path = new ArrayList<>();
        do {
            skipSpaces();
            String key = bareKey();
            if (key == null) {
                return null;
            }
            path.add(key);
            skipSpaces();
        } while (skip('.'));
        if (!skip(']') || (array && !skip(']'))) {
            return null;
        }
        Map<String, Object> parent = root;
        for (int i = 0; i < path.size() - 1; i++) {
            Object next = parent.get(path.get(i));
            if (next == null) {
                Map<String, Object> implicit = new LinkedHashMap<>();
                made.add(implicit);
                parent.put(path.get(i), implicit);
                parent = implicit;
            } else if (next instanceof Map<?, ?> map && made.contains(map)) {
                parent = (Map<String, Object>) map;
            } else {
                return null; // through an array of tables, or into a value: left to the library
            }
        }
        String last = path.get(path.size() - 1);
        Object existing = parent.get(last);
        Map<String, Object> table = new LinkedHashMap<>();
        made.add(table);
        if (array) {
            if (existing == null) {
                List<Object> tables = new ArrayList<>();
                made.add(tables);
                parent.put(last, tables);
                existing = tables;
            }
            if (!(existing instanceof List<?> list) || !made.contains(list)) {
                return null;
            }
            ((List<Object>) list).add(table);
        } else if (existing == null) {
            parent.put(last, table);
        } else if (existing instanceof Map<?, ?> map && made.contains(map) && !headed.contains(map)) {
            table = (Map<String, Object>) map; // made implicitly by an earlier header, opened now
        } else {
            return null;
        }
        headed.add(table);
        return table;
    }

    private Object value() {
        if (at == text.length()) {
            return null;
        }
        char c = text.charAt(at);
        if (c == '"') {
            return basicString();
        }
        if (c == '[') {
            return array();
        }
        if (text.startsWith("true", at) && !bareKeyChar(at + 4)) {
            at += 4;
            return Boolean.TRUE;
        }
        if (text.startsWith("false", at) && !bareKeyChar(at + 5)) {
            at += 5;
            return Boolean.FALSE;
        }
        return integer();
    }

    /** {@code -?[1-9][0-9]*} or {@code 0}, within a long; other forms (+1, 1_000, 0x1f) are the library's. */
    private Long integer() {
        int start = at;
        if (at < text.length() && text.charAt(at) == '-') {
            at++;
        }
        int digits = at;
        while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
            at++;
        }
        int count = at - digits;
        boolean plain = count > 0 && count <= 19 && !(count > 1 && text.charAt(digits) == '0');
        if (!plain || bareKeyChar(at) || (at < text.length() && (text.charAt(at) == '.' || text.charAt(at) == ':'))) {
            return null;
        }
        try {
            return Long.parseLong(text, start, at, 10);
        } catch (NumberFormatException e) {
            return null; // beyond a long: the library says so
        }
    }

    /** A one-line array of strings, integers or booleans, one kind only. */
    private List<Object> array() {
        at++;
        List<Object> values = new ArrayList<>();
        skipSpaces();
        if (skip(']')) {
            return values;
        }
        while (true) {
            skipSpaces();
            Object value = at < text.length() && text.charAt(at) != '[' ? value() : null;
            if (value == null || (!values.isEmpty() && value.getClass() != values.get(0).getClass())) {
                return null;
            }
            values.add(value);
            skipSpaces();
            if (skip(']')) {
                return values;
            }
            if (!skip(',')) {
                return null;
            }
            skipSpaces();
            if (skip(']')) {
                return values; // a trailing comma
            }
        }
    }

    private String basicString() {
        at++;
        StringBuilder s = new StringBuilder();
        while (at < text.length()) {
            char c = text.charAt(at++);
            if (c == '"') {
                return s.toString();
            }
            if (c == '\\') {
                if (at == text.length()) {
                    return null;
                }
                char e = text.charAt(at++);
                switch (e) {
                    case '"' -> s.append('"');
                    case '\\' -> s.append('\\');
                    case 'b' -> s.append('\b');
                    case 't' -> s.append('\t');
                    case 'n' -> s.append('\n');
                    case 'f' -> s.append('\f');
                    case 'r' -> s.append('\r');
                    case 'u' -> {
                        if (!codePoint(4, s)) {
                            return null;
                        }
                    }
                    case 'U' -> {
                        if (!codePoint(8, s)) {
                            return null;
                        }
                    }
                    default -> {
                        return null;
                    }
                }
            } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return null; // control characters must be escaped; the library says so
            } else {
                s.append(c);
            }
        }
        return null;
    }

    private boolean codePoint(int digits, StringBuilder out) {
        if (at + digits > text.length()) {
            return false;
        }
        int value = 0;
        for (int i = 0; i < digits; i++) {
            int digit = Character.digit(text.charAt(at++), 16);
            if (digit < 0) {
                return false;
            }
            value = value * 16 + digit;
        }
        if (!Character.isValidCodePoint(value) || (value >= 0xd800 && value <= 0xdfff)) {
            return false;
        }
        out.appendCodePoint(value);
        return true;
    }

    private String bareKey() {
        int start = at;
        while (bareKeyChar(at)) {
            at++;
        }
        return at == start ? null : text.substring(start, at);
    }

    private boolean bareKeyChar(int index) {
        return index < text.length() && bareKeyChar(text.charAt(index));
    }

    /** Whether {@code key} can be written without quotes: {@code [A-Za-z0-9_-]+}. */
    static boolean isBareKey(String key) {
        if (key.isEmpty()) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            if (!bareKeyChar(key.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean bareKeyChar(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }

    private void skipSpaces() {
        while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
            at++;
        }
    }

    private boolean skip(char c) {
        if (at < text.length() && text.charAt(at) == c) {
            at++;
            return true;
        }
        return false;
    }

    /** Spaces, perhaps a comment, then the end of the line or of the text. */
    private boolean endOfLine() {
        skipSpaces();
        if (skip('#')) {
            while (at < text.length() && text.charAt(at) != '\n' && text.charAt(at) != '\r') {
                char c = text.charAt(at++);
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    return false;
                }
            }
        }
        if (at + 1 < text.length() && text.charAt(at) == '\r' && text.charAt(at + 1) == '\n') {
            at++;
        }
        return at == text.length() || skip('\n');
    }
}
