package dev.latchkey.caller.scan;

/**
 * Whether a value written for a token is one, rather than a way of getting it from elsewhere:
 * {@code $VAR}, {@code ${VAR}}, {@code $(command)} and {@code ${{ secrets.X }}} are read at run
 * time, {@code %VAR%} too on Windows, and an empty value, a {@code <placeholder>} (cut at its
 * first space, as a shell would cut it) or a run of one character ({@code ...}, {@code xxx})
 * holds nothing; nor does a quoted value with a space at either end, which is code building
 * the assignment.
 */
final class LiteralValue {
    private LiteralValue() {
    }

    static boolean isLiteral(String value) {
        String bare = value.strip();
        if (bare.length() >= 2 && (bare.charAt(0) == '"' || bare.charAt(0) == '\'')
                && bare.charAt(bare.length() - 1) == bare.charAt(0)) {
            String quoted = bare.substring(1, bare.length() - 1);
            if (!quoted.equals(quoted.strip())) {
                // No token starts or ends with a space; the gap between two string literals in code
                // does: "CARGO_REGISTRY_TOKEN=" + token + "..."
                return false;
            }
            bare = quoted;
        }
        if (bare.isEmpty() || bare.startsWith("$")) {
            return false;
        }
        if ((bare.startsWith("%") && bare.endsWith("%")) || bare.startsWith("<")) {
            return false;
        }
        return bare.chars().distinct().count() > 1;
    }
}
