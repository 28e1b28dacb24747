package dev.latchkey.caller.secrets;

import dev.latchkey.daemon.terminal.TerminalText;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Finds named secrets in bytes, in every form {@link SecretForms} lists, with any byte of a form
 * also accepted percent-encoded ({@code %XX}, either case of hex digit, and {@code +} for a space):
 * a token in a URL's query, or a Basic auth header's base64 in one, is found like the token itself.
 * Where several forms match at one place the longest wins.
 *
 * <p>Holds the secrets and their encodings until {@link #close()}, which wipes them. Never shows a
 * secret: {@link #toString()} names the secrets only.
 */
public final class SecretMatcher implements AutoCloseable {
    /** Secrets shorter than this are refused: two or three bytes turn up in ordinary text everywhere. */
    public static final int MINIMUM_LENGTH = 4;

    /**
     * {@link #at} returns this when the text ends inside something that may still become a match:
     * whoever streams text holds back from there until more arrives.
     */
    public static final SecretMatch UNDECIDED = new SecretMatch("", -1, -1, false, false);

    private static final int NONE = -1;
    private static final int MORE_NEEDED = -2;
    private static final int[] NO_FORMS = new int[0];

    private final byte[][] forms;
    private final boolean[] base64;
    private final String[] names;
    /** For each byte value, the forms a match starting with that byte can be of. */
    private final int[][] formsByFirstByte = new int[256][];
    private boolean wiped;

    private SecretMatcher(List<SecretForms.Form> forms, List<String> names) {
        int count = forms.size();
        this.forms = new byte[count][];
        this.base64 = new boolean[count];
        this.names = names.toArray(new String[0]);
        List<List<Integer>> byFirst = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            byFirst.add(new ArrayList<>());
        }
        for (int i = 0; i < count; i++) {
            this.forms[i] = forms.get(i).bytes();
            this.base64[i] = forms.get(i).kind() == SecretForms.Kind.BASE64;
            int first = this.forms[i][0] & 0xff;
            byFirst.get(first).add(i);
            if (first == ' ') {
                byFirst.get('+').add(i);
            }
            if (first != '%') {
                byFirst.get('%').add(i);
            }
        }
        for (int b = 0; b < 256; b++) {
            List<Integer> list = byFirst.get(b);
            formsByFirstByte[b] = list.isEmpty() ? NO_FORMS : list.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /**
     * A matcher for {@code secrets} (name to the secret's bytes, which stay the caller's).
     *
     * @throws IllegalArgumentException naming the secret (never showing it) when one cannot be
     *         matched: see {@link #problem}
     */
    public static SecretMatcher of(Map<String, byte[]> secrets) {
        List<SecretForms.Form> forms = new ArrayList<>();
        List<String> names = new ArrayList<>();
        secrets.forEach((name, secret) -> {
            String problem = problem(secret);
            if (problem != null) {
                forms.forEach(form -> Arrays.fill(form.bytes(), (byte) 0));
                throw new IllegalArgumentException("the secret `" + TerminalText.line(name) + "` cannot be masked: " + problem);
            }
            for (SecretForms.Form form : SecretForms.of(secret)) {
                forms.add(form);
                names.add(name);
            }
        });
        return new SecretMatcher(forms, names);
    }

    /** Why {@code secret} cannot be looked for, or null when it can. Never quotes the secret. */
    public static String problem(byte[] secret) {
        if (secret.length < MINIMUM_LENGTH) {
            return "it is " + secret.length + " bytes long, and a secret shorter than " + MINIMUM_LENGTH
                    + " bytes would match ordinary text everywhere";
        }
        for (byte b : secret) {
            if (b == '\n' || b == '\r') {
                // Output is passed on line by line: a secret spanning a line break could not be held back.
                return "it holds a line break, and no token does";
            }
        }
        return null;
    }

    /** The first match in {@code text[from, end)}, the whole of the text there is; null when there is none. */
    public SecretMatch find(byte[] text, int from, int end) {
        for (int pos = from; pos < end; pos++) {
            SecretMatch match = at(text, pos, end, false);
            if (match != null) {
                return match;
            }
        }
        return null;
    }

    /**
     * The longest match starting at {@code pos}, null when none starts there, or {@link #UNDECIDED}
     * when {@code moreMayFollow} and the text ends inside what may still become one.
     */
    public SecretMatch at(byte[] text, int pos, int end, boolean moreMayFollow) {
        if (wiped) {
            throw new IllegalStateException("this matcher was closed and its secrets wiped");
        }
        int bestForm = NONE;
        int bestEnd = NONE;
        for (int form : formsByFirstByte[text[pos] & 0xff]) {
            int matchEnd = matchFrom(forms[form], 0, text, pos, end, moreMayFollow);
            if (matchEnd == MORE_NEEDED) {
                return UNDECIDED;
            }
            if (matchEnd > bestEnd) {
                bestEnd = matchEnd;
                bestForm = form;
            }
        }
        if (bestForm == NONE) {
            return null;
        }
        byte[] form = forms[bestForm];
        boolean percentEncoded = !Arrays.equals(text, pos, bestEnd, form, 0, form.length);
        return new SecretMatch(names[bestForm], pos, bestEnd, base64[bestForm], percentEncoded);
    }

    /** Where a match of {@code form[i..]} starting at {@code text[t]} ends, or NONE, or MORE_NEEDED. */
    private static int matchFrom(byte[] form, int i, byte[] text, int t, int end, boolean moreMayFollow) {
        while (i < form.length) {
            if (t >= end) {
                return moreMayFollow ? MORE_NEEDED : NONE;
            }
            byte want = form[i];
            byte got = text[t];
            if (got == '%') {
                int escaped = escapedEnd(text, t, end, want, moreMayFollow);
                if (want == '%') {
                    // Both a literal '%' and "%25" may be meant: try each, keep the better.
                    int literal = matchFrom(form, i + 1, text, t + 1, end, moreMayFollow);
                    int encoded = escaped < 0 ? escaped : matchFrom(form, i + 1, text, escaped, end, moreMayFollow);
                    return literal == MORE_NEEDED || encoded == MORE_NEEDED ? MORE_NEEDED : Math.max(literal, encoded);
                }
                if (escaped < 0) {
                    return escaped;
                }
                t = escaped;
            } else if (got == want || (got == '+' && want == ' ')) {
                t++;
            } else {
                return NONE;
            }
            i++;
        }
        return t;
    }

    /** Where {@code %XX} at {@code text[t]} ends if it encodes {@code want}; else NONE or MORE_NEEDED. */
    private static int escapedEnd(byte[] text, int t, int end, byte want, boolean moreMayFollow) {
        int[] digits = {(want >> 4) & 0xf, want & 0xf};
        for (int d = 0; d < 2; d++) {
            int at = t + 1 + d;
            if (at >= end) {
                return moreMayFollow ? MORE_NEEDED : NONE;
            }
            if (Character.digit(text[at], 16) != digits[d]) {
                return NONE;
            }
        }
        return t + 3;
    }

    /** Wipes the secrets and their encodings; the matcher cannot be used afterwards. */
    @Override
    public void close() {
        for (byte[] form : forms) {
            Arrays.fill(form, (byte) 0);
        }
        wiped = true;
    }

    @Override
    public String toString() {
        return "SecretMatcher" + Arrays.stream(names).distinct().map(TerminalText::line).toList();
    }
}
