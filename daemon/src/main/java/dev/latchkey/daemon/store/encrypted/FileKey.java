package dev.latchkey.daemon.store.encrypted;

import dev.latchkey.daemon.config.Config.EncryptedKey;
import dev.latchkey.protocol.Secret;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The AES-256 key of one encrypted store file, with what it was made from (the scrypt cost and
 * salt, or the keychain item's key id) and its key check. It seals a plaintext into a whole file
 * under a fresh nonce and opens a file whose header it matches. With {@link Scrypt}, the only code
 * of this store that touches javax.crypto, so that nothing loads it before a file is opened or sealed.
 */
final class FileKey {
    private static final byte[] CHECK_LABEL = "latchkey key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    static final int KEY_BYTES = 32;

    private final EncryptedKey kind;
    private final ScryptCost cost;
    private final byte[] salt;
    private final byte[] check;
    private final SecretKeySpec aes;

    private FileKey(EncryptedKey kind, ScryptCost cost, byte[] salt, byte[] raw) {
        this.kind = kind;
        this.cost = cost;
        this.salt = salt.clone();
        this.aes = new SecretKeySpec(raw, "AES");
        this.check = checkOf(raw);
    }

    /** The key scrypt derives from {@code passphrase} with {@code cost} and {@code salt}. */
    static FileKey fromPassphrase(Secret passphrase, ScryptCost cost, byte[] salt) {
        byte[] utf8 = passphrase.toUtf8();
        byte[] raw = null;
        try {
            raw = Scrypt.derive(utf8, salt, cost.log2N(), cost.r(), cost.p(), KEY_BYTES);
            return new FileKey(EncryptedKey.PASSPHRASE, cost, salt, raw);
        } finally {
            Arrays.fill(utf8, (byte) 0);
            if (raw != null) {
                Arrays.fill(raw, (byte) 0);
            }
        }
    }

    /** A random key kept in the keychain under {@code keyId}; the caller still owns {@code raw}. */
    static FileKey fromKeychain(byte[] raw, byte[] keyId) {
        if (raw.length != KEY_BYTES) {
            throw new IllegalArgumentException("an AES-256 key has 32 bytes");
        }
        return new FileKey(EncryptedKey.KEYCHAIN, null, keyId, raw);
    }

    /** Random bytes for salts, key ids, keys and nonces. */
    static byte[] random(int length) {
        byte[] bytes = new byte[length];
        Random.SOURCE.nextBytes(bytes);
        return bytes;
    }

    /** Whether this key was made from the same inputs as the key {@code header} names (the check aside). */
    boolean madeLike(FileHeader header) {
        return kind == header.keyKind() && java.util.Objects.equals(cost, header.cost()) && Arrays.equals(salt, header.salt());
    }

    /** Whether this is the key that {@code header}'s file was sealed with, as far as the key check tells. */
    boolean opens(FileHeader header) {
        return madeLike(header) && MessageDigest.isEqual(check, header.keyCheck());
    }

    /** A whole file: the header of this key with a fresh nonce, then {@code plaintext} sealed under it. */
    byte[] seal(byte[] plaintext) {
        FileHeader header = new FileHeader(kind, cost, salt, check, random(FileHeader.NONCE_BYTES));
        byte[] head = header.encode();
        try {
            Cipher gcm = cipher(Cipher.ENCRYPT_MODE, header.nonce());
            gcm.updateAAD(head);
            byte[] file = Arrays.copyOf(head, head.length + gcm.getOutputSize(plaintext.length));
            gcm.doFinal(plaintext, 0, plaintext.length, file, head.length);
            return file;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed to encrypt: " + e.getMessage(), e);
        }
    }

    /** Thrown when GCM's tag does not match: the file was changed after it was sealed, or is not this key's. */
    static final class BrokenSealException extends Exception {
        private static final long serialVersionUID = 1L;

        BrokenSealException() {
            super("the authentication tag does not match");
        }
    }

    /** The plaintext of {@code file}, whose parsed header is {@code header}; the caller owns it and should wipe it. */
    byte[] open(FileHeader header, byte[] file) throws BrokenSealException {
        try {
            Cipher gcm = cipher(Cipher.DECRYPT_MODE, header.nonce());
            gcm.updateAAD(file, 0, FileHeader.LENGTH);
            return gcm.doFinal(file, FileHeader.LENGTH, file.length - FileHeader.LENGTH);
        } catch (AEADBadTagException e) {
            throw new BrokenSealException();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed to decrypt: " + e.getMessage(), e);
        }
    }

    private Cipher cipher(int mode, byte[] nonce) throws GeneralSecurityException {
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(mode, aes, new GCMParameterSpec(8 * FileHeader.TAG_BYTES, nonce));
        return gcm;
    }

    private static byte[] checkOf(byte[] raw) {
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(raw, "HmacSHA256"));
            return Arrays.copyOf(hmac.doFinal(CHECK_LABEL), FileHeader.CHECK_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks HmacSHA256, which every Java SE has", e);
        }
    }

    /** Made on first use: seeding it is not free, and only this store needs it. */
    private static final class Random {
        static final SecureRandom SOURCE = new SecureRandom();
    }
}
