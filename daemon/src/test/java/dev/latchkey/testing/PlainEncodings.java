package dev.latchkey.testing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A secret in every encoding it could sit in a file in without being encrypted: UTF-8, UTF-16 in
 * both byte orders, hex in both cases, and base64 (standard and URL-safe) at each of the three
 * alignments it could have inside a longer encoded text.
 */
public final class PlainEncodings {
    private PlainEncodings() {
    }

    /** Each encoding of {@code secret}, by name. */
    public static Map<String, byte[]> of(String secret) {
        byte[] utf8 = secret.getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> encodings = new LinkedHashMap<>();
        encodings.put("UTF-8", utf8);
        encodings.put("UTF-16LE", secret.getBytes(StandardCharsets.UTF_16LE));
        encodings.put("UTF-16BE", secret.getBytes(StandardCharsets.UTF_16BE));
        encodings.put("hex", ascii(HexFormat.of().formatHex(utf8)));
        encodings.put("HEX", ascii(HexFormat.of().withUpperCase().formatHex(utf8)));
        for (int shift = 0; shift < 3; shift++) {
            byte[] shifted = new byte[shift + utf8.length];
            System.arraycopy(utf8, 0, shifted, shift, utf8.length);
            String encoded = Base64.getEncoder().withoutPadding().encodeToString(shifted);
            // Leave out the characters that also depend on the bytes around the secret.
            String stable = encoded.substring(shift == 0 ? 0 : shift + 1, encoded.length() - 3);
            encodings.put("base64 at offset " + shift, ascii(stable));
            encodings.put("base64url at offset " + shift, ascii(stable.replace('+', '-').replace('/', '_')));
        }
        return encodings;
    }

    /** The names of the encodings of {@code secret} that {@code content} holds; empty when none. */
    public static List<String> foundIn(byte[] content, String secret) {
        return of(secret).entrySet().stream().filter(e -> contains(content, e.getValue())).map(Map.Entry::getKey).toList();
    }

    /** Whether {@code haystack} holds the bytes of {@code needle} in a row. */
    public static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
