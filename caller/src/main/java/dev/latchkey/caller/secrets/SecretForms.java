package dev.latchkey.caller.secrets;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The byte sequences a secret shows up as in text: the secret itself, and its base64 in both
 * alphabets (standard and URL-safe), padded and not, standing alone or inside a longer base64
 * text. Percent-encoding is not listed here: {@link SecretMatcher} accepts any byte of any form
 * written as {@code %XX}, which covers URL-encoded secrets and URL-encoded base64 alike.
 */
final class SecretForms {
    /** What a form is, for a finding to say. */
    enum Kind { PLAIN, BASE64 }

    /** One form: the bytes to look for, and what they are. */
    record Form(byte[] bytes, Kind kind) {
    }

    private SecretForms() {
    }

    static List<Form> of(byte[] secret) {
        List<Form> forms = new ArrayList<>();
        add(forms, secret.clone(), Kind.PLAIN);
        for (Base64.Encoder alphabet : List.of(Base64.getEncoder(), Base64.getUrlEncoder())) {
            // Standing alone, the last group is complete (padded or not), so every character is the secret's.
            add(forms, alphabet.encode(secret), Kind.BASE64);
            add(forms, alphabet.withoutPadding().encode(secret), Kind.BASE64);
            for (int offset = 0; offset < 3; offset++) {
                add(forms, insideLongerText(secret, offset, alphabet), Kind.BASE64);
            }
        }
        return forms;
    }

    /**
     * The base64 characters that depend on nothing but the secret when {@code offset} bytes (mod 3)
     * precede it in a longer encoded text, as in {@code base64("user:" + token)} of a Basic auth
     * header: each character carries 6 bits, so those that straddle a neighbouring byte are left out.
     */
    private static byte[] insideLongerText(byte[] secret, int offset, Base64.Encoder alphabet) {
        byte[] shifted = new byte[offset + secret.length];
        System.arraycopy(secret, 0, shifted, offset, secret.length);
        byte[] encoded = alphabet.withoutPadding().encode(shifted);
        int firstBit = 8 * offset;
        int endBit = 8 * (offset + secret.length);
        int first = (firstBit + 5) / 6;
        int end = endBit / 6;
        byte[] core = Arrays.copyOfRange(encoded, first, end);
        Arrays.fill(shifted, (byte) 0);
        Arrays.fill(encoded, (byte) 0);
        return core;
    }

    private static void add(List<Form> forms, byte[] bytes, Kind kind) {
        for (Form form : forms) {
            if (Arrays.equals(form.bytes(), bytes)) {
                Arrays.fill(bytes, (byte) 0);
                return;
            }
        }
        forms.add(new Form(bytes, kind));
    }
}
