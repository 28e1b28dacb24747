package dev.latchkey.caller.scan;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Tokens of each shape, random every run: written out in these sources they would be tokens in
 * latchkey's own repository, which a scan (latchkey's, or a code host's) would rightly report.
 */
final class TestTokens {
    private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestTokens() {
    }

    static String alphanumeric(int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(ALPHANUMERIC.charAt(RANDOM.nextInt(ALPHANUMERIC.length())));
        }
        return text.toString();
    }

    static String cratesIo() {
        return "ci" + "o" + alphanumeric(32);
    }

    static String npm() {
        return "np" + "m_" + alphanumeric(36);
    }

    static String pypi() {
        byte[] macaroon = new byte[96];
        RANDOM.nextBytes(macaroon);
        return "py" + "pi-" + Base64.getUrlEncoder().withoutPadding().encodeToString(macaroon);
    }

    /** {@code kind}: p, o, u, s or r. */
    static String github(char kind) {
        return "gh" + kind + "_" + alphanumeric(36);
    }

    static String githubFineGrained() {
        return "github" + "_pat_" + alphanumeric(22) + "_" + alphanumeric(59);
    }

    /** A token of no known shape, as a private registry might issue. */
    static String opaque() {
        return "tok-" + alphanumeric(28);
    }
}
