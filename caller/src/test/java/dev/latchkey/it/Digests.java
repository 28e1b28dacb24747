package dev.latchkey.it;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/** The digests that package formats name their files by (OCI, PEP 503, wheels' RECORD, npm's integrity). */
final class Digests {
    private Digests() {
    }

    static byte[] digest(String algorithm, byte[] bytes) {
        try {
            return MessageDigest.getInstance(algorithm).digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has " + algorithm, e);
        }
    }

    static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(digest("SHA-256", bytes));
    }

    static String sha1Hex(byte[] bytes) {
        return HexFormat.of().formatHex(digest("SHA-1", bytes));
    }

    /** Subresource-integrity form, as npm writes {@code dist.integrity}. */
    static String sha512Integrity(byte[] bytes) {
        return "sha512-" + Base64.getEncoder().encodeToString(digest("SHA-512", bytes));
    }
}
