package dev.latchkey.caller.scan;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tokens written into cargo's own files, {@code token = "..."} for {@code [registry]} (crates.io)
 * or {@code [registries.NAME]}, however TOML spells the key: under a table header, as a dotted key
 * ({@code registries.company.token}), or in an inline table ({@code company = { token = "..." }}).
 * Read line by line, forgiving: a file that is not valid TOML is still looked through.
 */
final class CargoConfigTokens {
    private static final Pattern INLINE_TOKEN = Pattern.compile(
            "(?:^|[{,\\s])(?:token|\"token\"|'token')\\s*=\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*')");

    private CargoConfigTokens() {
    }

    /** Whether cargo reads tokens from a file at {@code path} ('/'-separated): its config and credentials files. */
    static boolean isCargoFile(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (name.equals("credentials.toml") || name.equals("credentials")) {
            return true;
        }
        String inCargoDirectory = path.equals(".cargo/" + name) || path.endsWith("/.cargo/" + name) ? name : "";
        return inCargoDirectory.equals("config.toml") || inCargoDirectory.equals("config");
    }

    /** A token value's place in {@code text}, and the registry (null for crates.io) it is for. */
    record Token(int start, int end, String registry) {
    }

    static List<Token> find(String text) {
        List<Token> tokens = new ArrayList<>();
        List<String> table = List.of();
        int lineStart = 0;
        while (lineStart <= text.length()) {
            int lineEnd = text.indexOf('\n', lineStart);
            if (lineEnd < 0) {
                lineEnd = text.length();
            }
            Cursor line = new Cursor(text, lineStart, lineEnd);
            line.skipSpace();
            if (line.peek() == '[') {
                table = header(line);
            } else {
                keyValue(line, table, tokens);
            }
            lineStart = lineEnd + 1;
        }
        return tokens;
    }

    /** The table a header opens; an array of tables, or a header that cannot be read, is none of cargo's. */
    private static List<String> header(Cursor line) {
        line.next();
        if (line.peek() == '[') {
            return List.of("[[");
        }
        List<String> key = line.key();
        line.skipSpace();
        return key != null && line.peek() == ']' ? key : List.of("?");
    }

    private static void keyValue(Cursor line, List<String> table, List<Token> tokens) {
        List<String> key = line.key();
        if (key == null) {
            return;
        }
        line.skipSpace();
        if (line.next() != '=') {
            return;
        }
        line.skipSpace();
        List<String> path = new ArrayList<>(table);
        path.addAll(key);
        if (line.peek() == '{') {
            String registry = registryOf(path, false);
            if (registry != null) {
                Matcher inline = INLINE_TOKEN.matcher(line.text).region(line.at, line.end);
                while (inline.find()) {
                    add(tokens, line.text, inline.start(1), inline.end(1), registry);
                }
            }
            return;
        }
        String registry = registryOf(path, true);
        int valueStart = line.at;
        if (registry != null && line.skipString()) {
            add(tokens, line.text, valueStart, line.at, registry);
        }
    }

    /** The registry a key path is the token of (with {@code endsInToken}) or the table of; null when none, "" for crates.io. */
    private static String registryOf(List<String> path, boolean endsInToken) {
        List<String> table = path;
        if (endsInToken) {
            if (path.isEmpty() || !path.get(path.size() - 1).equals("token")) {
                return null;
            }
            table = path.subList(0, path.size() - 1);
        }
        if (table.size() == 1 && table.get(0).equals("registry")) {
            return "";
        }
        if (table.size() == 2 && table.get(0).equals("registries")) {
            return table.get(1);
        }
        return null;
    }

    private static void add(List<Token> tokens, String text, int quotedStart, int quotedEnd, String registry) {
        String value = text.substring(quotedStart + 1, quotedEnd - 1);
        if (LiteralValue.isLiteral(value)) {
            tokens.add(new Token(quotedStart + 1, quotedEnd - 1, registry.isEmpty() ? null : registry));
        }
    }

    /** Reads a line of TOML from left to right. */
    private static final class Cursor {
        final String text;
        final int end;
        int at;

        Cursor(String text, int start, int end) {
            this.text = text;
            this.at = start;
            this.end = end;
        }

        char peek() {
            return at < end ? text.charAt(at) : '\n';
        }

        char next() {
            return at < end ? text.charAt(at++) : '\n';
        }

        void skipSpace() {
            while (peek() == ' ' || peek() == '\t') {
                at++;
            }
        }

        /** A dotted key ({@code a."b c".d}) as its parts, or null when there is none here. */
        List<String> key() {
            List<String> parts = new ArrayList<>();
            while (true) {
                skipSpace();
                String part = keyPart();
                if (part == null) {
                    return null;
                }
                parts.add(part);
                skipSpace();
                if (peek() != '.') {
                    return parts;
                }
                at++;
            }
        }

        private String keyPart() {
            char c = peek();
            if (c == '"' || c == '\'') {
                int start = at;
                if (!skipString()) {
                    return null;
                }
                return text.substring(start + 1, at - 1);
            }
            int start = at;
            while (at < end && (Character.isLetterOrDigit(peek()) || peek() == '_' || peek() == '-')) {
                at++;
            }
            return at > start ? text.substring(start, at) : null;
        }

        /** Moves past a one-line string, basic or literal; false when there is none here. */
        boolean skipString() {
            char quote = peek();
            if (quote != '"' && quote != '\'') {
                return false;
            }
            int start = at++;
            while (at < end) {
                char c = text.charAt(at++);
                if (c == '\\' && quote == '"') {
                    at++;
                } else if (c == quote) {
                    return true;
                }
            }
            at = start;
            return false;
        }
    }
}
