package dev.latchkey.caller.scan;

import dev.latchkey.caller.secrets.SecretMatch;
import dev.latchkey.caller.secrets.SecretMatcher;
import dev.latchkey.daemon.terminal.TerminalText;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds tokens in one file's text: the tokens latchkey holds, in any form; then the known token
 * shapes; then tokens assigned to cargo's variables and written into cargo's files. Where two
 * overlap the first found stands, so a held token is named by its registry, not by its shape.
 */
final class TokenFinder {
    /**
     * {@code NAME=value} as a shell or an env file writes it (nothing after {@code =} is an empty
     * value: {@code NAME= cargo build}), or {@code NAME = value} with spaces as TOML and make do.
     */
    private static final Pattern ASSIGNMENT = Pattern.compile(
            "(?<![A-Za-z0-9_])(CARGO_REGISTRY_TOKEN|CARGO_REGISTRIES_[A-Za-z0-9_]+?_TOKEN)(?:[:?+]?=|[ \\t]+[:?+]?=[ \\t]*)"
                    + "(\"[^\"\\n]*\"|'[^'\\n]*'|[^\\s\"'`;|&)(#]*)");
    private static final String EXEC_INSTEAD = "; have the variable set when the command runs instead (latchkey exec)";

    private final SecretMatcher held;

    /** {@code held}: the tokens latchkey holds; null when it holds none. */
    TokenFinder(SecretMatcher held) {
        this.held = held;
    }

    /** A token found: its line (from 1), what it is and what to do about it; never the token. */
    record Hit(int line, String what, String fix) {
    }

    /** The tokens in {@code content}, in the order they come; {@code path} ('/'-separated) says whether it is cargo's file. */
    List<Hit> find(String path, byte[] content) {
        List<Span> spans = new ArrayList<>();
        if (held != null) {
            int from = 0;
            SecretMatch match;
            while ((match = held.find(content, from, content.length)) != null) {
                String name = TerminalText.line(match.name());
                String form = match.form().isEmpty() ? "" : " (" + match.form() + ")";
                spans.add(new Span(match.start(), match.end(), "the token latchkey holds for `" + name + "`" + form,
                        "rotate it: latchkey rotate " + name));
                from = match.end();
            }
        }
        // Latin-1 maps each byte to one char, so offsets in the text are offsets in the bytes.
        String text = new String(content, StandardCharsets.ISO_8859_1);
        for (TokenShape shape : TokenShape.ALL) {
            if (text.contains(shape.marker)) {
                Matcher found = shape.pattern.matcher(text);
                while (found.find()) {
                    add(spans, new Span(found.start(), found.end(), shape.what, shape.fix));
                }
            }
        }
        if (text.contains("CARGO_REGISTR")) {
            Matcher assignment = ASSIGNMENT.matcher(text);
            while (assignment.find()) {
                if (LiteralValue.isLiteral(assignment.group(2))) {
                    add(spans, assignedSpan(assignment));
                }
            }
        }
        if (CargoConfigTokens.isCargoFile(path)) {
            for (CargoConfigTokens.Token token : CargoConfigTokens.find(text)) {
                add(spans, configSpan(token));
            }
        }
        return hits(spans, content);
    }

    private static Span assignedSpan(Matcher assignment) {
        String variable = assignment.group(1);
        String fix = variable.equals("CARGO_REGISTRY_TOKEN")
                ? TokenShape.Revoke.CRATES_IO + EXEC_INSTEAD
                : "revoke it at the registry it is for" + EXEC_INSTEAD;
        return new Span(assignment.start(2), assignment.end(2), "a token written into " + variable, fix);
    }

    private static Span configSpan(CargoConfigTokens.Token token) {
        if (token.registry() == null) {
            return new Span(token.start(), token.end(), "a crates.io token in cargo's config ([registry])",
                    TokenShape.Revoke.CRATES_IO + "; let latchkey keep the new one (latchkey store crates-io)");
        }
        String name = TerminalText.line(token.registry());
        return new Span(token.start(), token.end(), "a token in cargo's config for registry `" + name + "`",
                "revoke it at that registry; let latchkey keep the new one (latchkey store " + name + ")");
    }

    private static void add(List<Span> spans, Span candidate) {
        for (Span span : spans) {
            if (candidate.start < span.end && span.start < candidate.end) {
                return;
            }
        }
        spans.add(candidate);
    }

    private static List<Hit> hits(List<Span> spans, byte[] content) {
        spans.sort(Comparator.comparingInt(Span::start));
        List<Hit> hits = new ArrayList<>(spans.size());
        int line = 1;
        int counted = 0;
        for (Span span : spans) {
            for (; counted < span.start; counted++) {
                if (content[counted] == '\n') {
                    line++;
                }
            }
            hits.add(new Hit(line, span.what, span.fix));
        }
        return hits;
    }

    private record Span(int start, int end, String what, String fix) {
    }
}
