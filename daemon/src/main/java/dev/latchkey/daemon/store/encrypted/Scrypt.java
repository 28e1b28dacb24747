package dev.latchkey.daemon.store.encrypted;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * scrypt (RFC 7914): PBKDF2-HMAC-SHA256 with one iteration around ROMix, whose Salsa20/8 BlockMix
 * walks a table of {@code 128 * r * N} bytes in an order that depends on the passphrase, so every
 * guess costs that much memory as well as time. The JDK has PBKDF2 and HMAC but no memory-hard KDF.
 *
 * <p>Blocks are held as little-endian 32-bit words, as Salsa20 reads them. Every buffer of its own
 * that held passphrase-derived data is zeroed before it is dropped (the JDK's HMAC keeps its copy
 * of the passphrase until it is collected).
 */
final class Scrypt {
    private Scrypt() {
    }

    /**
     * {@code dkLen} bytes derived from {@code passphrase} and {@code salt} with cost {@code N = 2^log2N}.
     * The caller keeps, and should wipe, {@code passphrase}.
     */
    static byte[] derive(byte[] passphrase, byte[] salt, int log2N, int r, int p, int dkLen) {
        if (log2N < 1 || log2N > 30 || r < 1 || p < 1 || (long) r * p >= 1 << 30 || dkLen < 1) {
            throw new IllegalArgumentException("scrypt parameters out of range");
        }
        int n = 1 << log2N;
        int blockBytes = 128 * r;
        byte[] b = pbkdf2Sha256(passphrase, salt, Math.multiplyExact(p, blockBytes));
        int[] x = new int[32 * r];
        int[] v = new int[Math.multiplyExact(n, 32 * r)];
        int[] scratch = new int[32 * r];
        int[] salsa = new int[16];
        try {
            for (int i = 0; i < p; i++) {
                toWords(b, i * blockBytes, x);
                roMix(x, v, scratch, salsa, n, r);
                toBytes(x, b, i * blockBytes);
            }
            return pbkdf2Sha256(passphrase, b, dkLen);
        } finally {
            Arrays.fill(b, (byte) 0);
            Arrays.fill(x, 0);
            Arrays.fill(v, 0);
            Arrays.fill(scratch, 0);
            Arrays.fill(salsa, 0);
        }
    }

    /** RFC 7914 §5: {@code x} is replaced by ROMix(x); {@code v} holds N blocks; the rest is scratch space. */
    private static void roMix(int[] x, int[] v, int[] y, int[] salsa, int n, int r) {
        int words = 32 * r;
        for (int i = 0; i < n; i++) {
            System.arraycopy(x, 0, v, i * words, words);
            blockMix(x, y, salsa, r);
        }
        for (int i = 0; i < n; i++) {
            // Integerify: the first word of the last 64-byte block, modulo N (a power of two).
            int j = x[(2 * r - 1) * 16] & (n - 1);
            int offset = j * words;
            for (int k = 0; k < words; k++) {
                x[k] ^= v[offset + k];
            }
            blockMix(x, y, salsa, r);
        }
    }

    /** RFC 7914 §4: BlockMix with Salsa20/8 of the 2r 64-byte blocks of {@code b}, in place. */
    private static void blockMix(int[] b, int[] y, int[] x, int r) {
        System.arraycopy(b, (2 * r - 1) * 16, x, 0, 16);
        for (int i = 0; i < 2 * r; i++) {
            for (int k = 0; k < 16; k++) {
                x[k] ^= b[i * 16 + k];
            }
            salsa20x8(x);
            // Even blocks go to the first half of the output, odd ones to the second.
            int target = (i % 2 == 0 ? i / 2 : r + i / 2) * 16;
            System.arraycopy(x, 0, y, target, 16);
        }
        System.arraycopy(y, 0, b, 0, 32 * r);
    }

    /** RFC 7914 §3: the Salsa20 core with 8 rounds, in place. */
    static void salsa20x8(int[] b) {
        int x0 = b[0], x1 = b[1], x2 = b[2], x3 = b[3], x4 = b[4], x5 = b[5], x6 = b[6], x7 = b[7];
        int x8 = b[8], x9 = b[9], x10 = b[10], x11 = b[11], x12 = b[12], x13 = b[13], x14 = b[14], x15 = b[15];
        for (int round = 0; round < 8; round += 2) {
            // columns
            x4 ^= Integer.rotateLeft(x0 + x12, 7);
            x8 ^= Integer.rotateLeft(x4 + x0, 9);
            x12 ^= Integer.rotateLeft(x8 + x4, 13);
            x0 ^= Integer.rotateLeft(x12 + x8, 18);
            x9 ^= Integer.rotateLeft(x5 + x1, 7);
            x13 ^= Integer.rotateLeft(x9 + x5, 9);
            x1 ^= Integer.rotateLeft(x13 + x9, 13);
            x5 ^= Integer.rotateLeft(x1 + x13, 18);
            x14 ^= Integer.rotateLeft(x10 + x6, 7);
            x2 ^= Integer.rotateLeft(x14 + x10, 9);
            x6 ^= Integer.rotateLeft(x2 + x14, 13);
            x10 ^= Integer.rotateLeft(x6 + x2, 18);
            x3 ^= Integer.rotateLeft(x15 + x11, 7);
            x7 ^= Integer.rotateLeft(x3 + x15, 9);
            x11 ^= Integer.rotateLeft(x7 + x3, 13);
            x15 ^= Integer.rotateLeft(x11 + x7, 18);
            // rows
            x1 ^= Integer.rotateLeft(x0 + x3, 7);
            x2 ^= Integer.rotateLeft(x1 + x0, 9);
            x3 ^= Integer.rotateLeft(x2 + x1, 13);
            x0 ^= Integer.rotateLeft(x3 + x2, 18);
            x6 ^= Integer.rotateLeft(x5 + x4, 7);
            x7 ^= Integer.rotateLeft(x6 + x5, 9);
            x4 ^= Integer.rotateLeft(x7 + x6, 13);
            x5 ^= Integer.rotateLeft(x4 + x7, 18);
            x11 ^= Integer.rotateLeft(x10 + x9, 7);
            x8 ^= Integer.rotateLeft(x11 + x10, 9);
            x9 ^= Integer.rotateLeft(x8 + x11, 13);
            x10 ^= Integer.rotateLeft(x9 + x8, 18);
            x12 ^= Integer.rotateLeft(x15 + x14, 7);
            x13 ^= Integer.rotateLeft(x12 + x15, 9);
            x14 ^= Integer.rotateLeft(x13 + x12, 13);
            x15 ^= Integer.rotateLeft(x14 + x13, 18);
        }
        b[0] += x0;
        b[1] += x1;
        b[2] += x2;
        b[3] += x3;
        b[4] += x4;
        b[5] += x5;
        b[6] += x6;
        b[7] += x7;
        b[8] += x8;
        b[9] += x9;
        b[10] += x10;
        b[11] += x11;
        b[12] += x12;
        b[13] += x13;
        b[14] += x14;
        b[15] += x15;
    }

    /** PBKDF2-HMAC-SHA256 with one iteration (all scrypt needs): block i is HMAC(P, S || INT(i)). */
    static byte[] pbkdf2Sha256(byte[] passphrase, byte[] salt, int dkLen) {
        // HMAC pads a key shorter than SHA-256's 64-byte block with zeros, so the empty key is 64
        // zero bytes; SecretKeySpec refuses an empty array.
        byte[] key = passphrase.length == 0 ? new byte[64] : passphrase;
        Mac hmac;
        try {
            hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks HmacSHA256, which every Java SE has", e);
        }
        byte[] out = new byte[dkLen];
        for (int i = 1, at = 0; at < dkLen; i++, at += 32) {
            hmac.update(salt);
            hmac.update(new byte[] {(byte) (i >>> 24), (byte) (i >>> 16), (byte) (i >>> 8), (byte) i});
            byte[] block = hmac.doFinal();
            System.arraycopy(block, 0, out, at, Math.min(32, dkLen - at));
            Arrays.fill(block, (byte) 0);
        }
        return out;
    }

    private static void toWords(byte[] bytes, int offset, int[] words) {
        for (int i = 0; i < words.length; i++) {
            int at = offset + 4 * i;
            words[i] = (bytes[at] & 0xff) | (bytes[at + 1] & 0xff) << 8 | (bytes[at + 2] & 0xff) << 16 | (bytes[at + 3] & 0xff) << 24;
        }
    }

    private static void toBytes(int[] words, byte[] bytes, int offset) {
        for (int i = 0; i < words.length; i++) {
            int at = offset + 4 * i;
            bytes[at] = (byte) words[i];
            bytes[at + 1] = (byte) (words[i] >>> 8);
            bytes[at + 2] = (byte) (words[i] >>> 16);
            bytes[at + 3] = (byte) (words[i] >>> 24);
        }
    }
}
