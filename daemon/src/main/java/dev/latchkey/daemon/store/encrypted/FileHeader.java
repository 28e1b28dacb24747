package dev.latchkey.daemon.store.encrypted;

import dev.latchkey.daemon.config.Config.EncryptedKey;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The first 57 bytes of an encrypted store file, all of them authenticated as AES-GCM's
 * additional data, so that changing any of them makes the file refuse to open:
 *
 * <pre>
 * offset size
 *  0      8   magic "LATCHKEY"
 *  8      1   format version, 1
 *  9      1   how the key is kept: 1 derived from a passphrase by scrypt, 2 a random key in the keychain
 * 10      3   scrypt log2(N), r, p (all 0 for a keychain key)
 * 13     16   scrypt salt, or the keychain item's key id
 * 29     16   key check: the first 16 bytes of HMAC-SHA256(key, "latchkey key check"), to tell a wrong
 *             passphrase from a damaged file
 * 45     12   AES-GCM nonce, fresh for every write
 * 57      …   ciphertext, then the 16-byte GCM tag
 * </pre>
 *
 * Parsing checks everything that can be checked without the key, and refuses scrypt costs outside
 * {@link ScryptCost}'s bounds before anything is allocated for them.
 */
record FileHeader(EncryptedKey keyKind, ScryptCost cost, byte[] salt, byte[] keyCheck, byte[] nonce) {
    static final byte[] MAGIC = "LATCHKEY".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int SALT_BYTES = 16;
    static final int CHECK_BYTES = 16;
    static final int NONCE_BYTES = 12;
    static final int TAG_BYTES = 16;
    static final int LENGTH = MAGIC.length + 1 + 1 + 3 + SALT_BYTES + CHECK_BYTES + NONCE_BYTES;
    private static final int PASSPHRASE_CODE = 1;
    private static final int KEYCHAIN_CODE = 2;

    /** Thrown for bytes that are not a header latchkey can use; the message says which part is wrong. */
    static final class MalformedHeaderException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedHeaderException(String problem) {
            super(problem);
        }
    }

    /** The header at the start of {@code file}, which must also have room for a GCM tag after it. */
    static FileHeader parse(byte[] file) throws MalformedHeaderException {
        int start = Math.min(file.length, MAGIC.length);
        if (!Arrays.equals(file, 0, start, MAGIC, 0, start)) {
            throw new MalformedHeaderException("is not a latchkey encrypted store file (it does not start with "
                    + new String(MAGIC, StandardCharsets.US_ASCII) + ")");
        }
        if (file.length < LENGTH + TAG_BYTES) {
            throw new MalformedHeaderException("is truncated (" + file.length + " bytes; the smallest encrypted store file has "
                    + (LENGTH + TAG_BYTES) + ")");
        }
        ByteBuffer in = ByteBuffer.wrap(file, MAGIC.length, LENGTH - MAGIC.length);
        int version = Byte.toUnsignedInt(in.get());
        if (version != VERSION) {
            throw new MalformedHeaderException("has format version " + version + ", which this latchkey does not read "
                    + "(it reads version " + VERSION + "); a newer latchkey wrote it, or it is damaged");
        }
        int kind = Byte.toUnsignedInt(in.get());
        ScryptCost cost = new ScryptCost(Byte.toUnsignedInt(in.get()), Byte.toUnsignedInt(in.get()), Byte.toUnsignedInt(in.get()));
        EncryptedKey keyKind;
        if (kind == PASSPHRASE_CODE) {
            keyKind = EncryptedKey.PASSPHRASE;
            String problem = cost.problem();
            if (problem != null) {
                throw new MalformedHeaderException(problem);
            }
        } else if (kind == KEYCHAIN_CODE) {
            keyKind = EncryptedKey.KEYCHAIN;
            if (!cost.equals(new ScryptCost(0, 0, 0))) {
                throw new MalformedHeaderException("has scrypt parameters though its key is kept in the keychain");
            }
        } else {
            throw new MalformedHeaderException("names key kind " + kind + ", which this latchkey does not know");
        }
        byte[] salt = take(in, SALT_BYTES);
        byte[] check = take(in, CHECK_BYTES);
        byte[] nonce = take(in, NONCE_BYTES);
        return new FileHeader(keyKind, keyKind == EncryptedKey.KEYCHAIN ? null : cost, salt, check, nonce);
    }

    /** The header's 57 bytes, which are also the additional authenticated data of the file's body. */
    byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(LENGTH);
        out.put(MAGIC).put((byte) VERSION);
        if (keyKind == EncryptedKey.PASSPHRASE) {
            out.put((byte) PASSPHRASE_CODE).put((byte) cost.log2N()).put((byte) cost.r()).put((byte) cost.p());
        } else {
            out.put((byte) KEYCHAIN_CODE).put(new byte[3]);
        }
        return out.put(salt).put(keyCheck).put(nonce).array();
    }

    private static byte[] take(ByteBuffer in, int length) {
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }
}
