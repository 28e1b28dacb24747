package dev.latchkey.daemon.store.encrypted;

import dev.latchkey.daemon.config.Config.EncryptedKey;
import dev.latchkey.daemon.config.StoreId;
import dev.latchkey.daemon.files.SecretFile;
import dev.latchkey.daemon.store.Arrival;
import dev.latchkey.daemon.store.Capabilities;
import dev.latchkey.daemon.store.CredentialKey;
import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.daemon.store.secretservice.EncryptionKeys;
import dev.latchkey.protocol.Secret;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The {@code encrypted} store: every token and its metadata in one file, sealed with AES-256-GCM
 * under a key derived from a passphrase by scrypt, or under a random key kept in the keychain
 * ({@link FileHeader} has the layout). The file is read and opened on every request, so a change
 * by another process is seen at once; what is expensive, deriving the key, happens once for as
 * long as this store lives (the daemon's lifetime) and again only when the file's salt or cost
 * changes. A file that does not open is never overwritten.
 *
 * <p>A file's own header says how its key is kept; {@code [store.encrypted] key} decides only
 * how a new file is keyed. Making this store loads nothing: javax.crypto and scrypt load on the
 * first request that opens or seals the file.
 */
public final class EncryptedStore implements Store {
    /** Decrypting is quick once the key is derived, and the file is read for every request: nothing to keep. */
    private static final Capabilities CAPABILITIES = Capabilities.writable(StoreId.ENCRYPTED);
    /** Far more than any token list needs; a larger file was not written by latchkey and is not read. */
    private static final int MAX_FILE_BYTES = 16 * 1024 * 1024;
    private static final String KEEP = "latchkey will not overwrite it: restore it from a backup, or move it away and store the tokens again";

    private final SecretFile file;
    private final StoreState ready; // made once: asked on every request
    private final EncryptedKey newFileKey;
    private final Passphrases passphrases;
    private final EncryptionKeys keychain;
    private final ScryptCost newFileCost;
    /** The key last used, kept for the life of this store; guarded by {@code this}. */
    private FileKey key;

    public EncryptedStore(Path path, EncryptedKey newFileKey, Passphrases passphrases, EncryptionKeys keychain) {
        this(path, newFileKey, passphrases, keychain, ScryptCost.DEFAULT);
    }

    /** {@code newFileCost}: the scrypt cost a new passphrase-keyed file gets (tests use the cheapest accepted). */
    EncryptedStore(Path path, EncryptedKey newFileKey, Passphrases passphrases, EncryptionKeys keychain, ScryptCost newFileCost) {
        this.file = new SecretFile(path, MAX_FILE_BYTES);
        this.ready = StoreState.ready("encrypted file " + file.path());
        this.newFileKey = newFileKey;
        this.passphrases = passphrases;
        this.keychain = keychain;
        this.newFileCost = newFileCost;
    }

    @Override
    public StoreId id() {
        return StoreId.ENCRYPTED;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    /**
     * Quick: usable wherever its file can be; a missing passphrase is reported by the call that
     * needs it ({@code locked}). Thorough: the file (absent, or how its key is kept), and whether that
     * key can be had here; derives nothing, asks no one.
     */
    @Override
    public StoreState diagnose(boolean thorough) {
        if (!thorough) {
            return ready;
        }
        byte[] bytes;
        try {
            bytes = file.readBytes();
        } catch (StoreException e) {
            return StoreState.unusable(e.getMessage());
        }
        if (bytes == null) {
            String what = "no file yet at " + file.path() + "; the first token stored here creates it, ";
            return newFileKey == EncryptedKey.KEYCHAIN
                    ? withKeychain(what + "with a random key kept in the keychain")
                    : withPassphrase(what + "with a key derived from a passphrase (scrypt " + newFileCost + ")");
        }
        FileHeader header;
        try {
            header = FileHeader.parse(bytes);
        } catch (FileHeader.MalformedHeaderException e) {
            return StoreState.unusable(damaged(e.getMessage()));
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
        String what = file.path() + ", ";
        if (header.keyKind() == EncryptedKey.KEYCHAIN) {
            return withKeychain(what + "its key kept in the keychain");
        }
        synchronized (this) {
            if (key != null && key.opens(header)) {
                return StoreState.ready(what + "unlocked: its key (scrypt " + header.cost() + ") was derived in this process");
            }
        }
        return withPassphrase(what + "its key derived from a passphrase (scrypt " + header.cost() + ")");
    }

    private StoreState withPassphrase(String what) {
        Optional<String> source = passphrases.source();
        return source.isPresent() ? StoreState.ready(what + "; passphrase " + source.get())
                : StoreState.unusable(what + "; " + passphrases.missing(file.path()));
    }

    private StoreState withKeychain(String what) {
        StoreState keyring = keychain.diagnose();
        return keyring.usable() ? StoreState.ready(what + " (" + keyring.detail() + ")")
                : StoreState.unusable(what + ", which is not usable: " + keyring.detail());
    }

    @Override
    public List<StoredToken> get(CredentialKey key, Arrival arrival) throws StoreException {
        try (TokenTable table = read()) {
            return table.get(key);
        }
    }

    @Override
    public List<StoreEntry> list(Arrival arrival) throws StoreException {
        try (TokenTable table = read()) {
            return table.list();
        }
    }

    @Override
    public void put(CredentialKey key, StoredToken token) throws StoreException {
        // The key is made or derived before the lock is taken: a passphrase may have to be typed. If
        // another process creates the file meanwhile, its key is used instead (and a keychain key
        // made here stays unused in the keyring).
        byte[] before = file.readBytes();
        FileKey prepared;
        try {
            prepared = before == null ? newKey() : keyFor(header(before));
        } finally {
            wipe(before);
        }
        file.updateBytes(current -> {
            FileKey sealWith = current == null ? prepared : keyFor(header(current));
            try (TokenTable table = current == null ? TokenTable.empty() : open(sealWith, header(current), current)) {
                table.put(key, token);
                return new SecretFile.BytesResult<>(seal(sealWith, table), null);
            }
        });
    }

    @Override
    public boolean erase(CredentialKey key) throws StoreException {
        byte[] before = file.readBytes();
        if (before == null) {
            return false;
        }
        try {
            keyFor(header(before));
        } finally {
            wipe(before);
        }
        return file.updateBytes(current -> {
            if (current == null) {
                return new SecretFile.BytesResult<>(null, false);
            }
            FileHeader header = header(current);
            FileKey sealWith = keyFor(header);
            try (TokenTable table = open(sealWith, header, current)) {
                boolean removed = table.erase(key);
                return new SecretFile.BytesResult<>(removed ? seal(sealWith, table) : null, removed);
            }
        });
    }

    /** The file's tokens; an empty table when there is no file yet. */
    private TokenTable read() throws StoreException {
        byte[] bytes = file.readBytes();
        if (bytes == null) {
            return TokenTable.empty();
        }
        try {
            FileHeader header = header(bytes);
            return open(keyFor(header), header, bytes);
        } finally {
            wipe(bytes);
        }
    }

    private FileHeader header(byte[] bytes) throws StoreException {
        try {
            return FileHeader.parse(bytes);
        } catch (FileHeader.MalformedHeaderException e) {
            throw new StoreException.Unavailable(damaged(e.getMessage()));
        }
    }

    private TokenTable open(FileKey key, FileHeader header, byte[] bytes) throws StoreException {
        byte[] plaintext;
        try {
            plaintext = key.open(header, bytes);
        } catch (FileKey.BrokenSealException e) {
            throw new StoreException.Unavailable(damaged("is damaged or was changed by something other than latchkey "
                    + "(its authentication tag does not match its contents)"));
        }
        try {
            return TokenTable.decode(plaintext);
        } catch (TokenTable.MalformedTableException e) {
            throw new StoreException.Unavailable(damaged("opened, but holds no token list latchkey can read (" + e.getMessage() + ")"));
        } finally {
            wipe(plaintext);
        }
    }

    private static byte[] seal(FileKey key, TokenTable table) {
        byte[] plaintext = table.encode();
        try {
            return key.seal(plaintext);
        } finally {
            wipe(plaintext);
        }
    }

    /** The key that opens the file {@code header} starts: the one kept, or one derived (or fetched) and checked now. */
    private synchronized FileKey keyFor(FileHeader header) throws StoreException {
        if (key != null && key.opens(header)) {
            return key;
        }
        FileKey candidate;
        if (header.keyKind() == EncryptedKey.PASSPHRASE) {
            try (Secret passphrase = passphrases.toOpen(file.path())) {
                candidate = derive(passphrase, header.cost(), header.salt());
            }
            if (!candidate.opens(header)) {
                throw new StoreException.Denied(passphrases.wrong(file.path()));
            }
        } else {
            candidate = fromKeychain(header.salt());
            if (!candidate.opens(header)) {
                throw new StoreException.Unavailable(damaged("does not match the key the keychain keeps for it "
                        + "(the keychain item was replaced, or the file's header was changed)"));
            }
        }
        key = candidate;
        return candidate;
    }

    /** The key for a new file, by {@code [store.encrypted] key}: from a fresh passphrase, or random and kept in the keychain. */
    private synchronized FileKey newKey() throws StoreException {
        byte[] salt = FileKey.random(FileHeader.SALT_BYTES);
        if (newFileKey == EncryptedKey.PASSPHRASE) {
            try (Secret passphrase = passphrases.toCreate(file.path())) {
                key = derive(passphrase, newFileCost, salt);
            }
            return key;
        }
        byte[] raw = FileKey.random(FileKey.KEY_BYTES);
        byte[] encoded = Base64.getEncoder().encode(raw);
        try (Secret kept = Secret.fromUtf8(encoded, 0, encoded.length)) {
            keychain.keep(keyId(salt), "latchkey encrypted store key for " + file.path(), kept);
            key = FileKey.fromKeychain(raw, salt);
            return key;
        } finally {
            wipe(raw);
            wipe(encoded);
        }
    }

    private static FileKey derive(Secret passphrase, ScryptCost cost, byte[] salt) throws StoreException {
        try {
            return FileKey.fromPassphrase(passphrase, cost, salt);
        } catch (OutOfMemoryError e) {
            throw new StoreException.Unavailable("not enough memory to derive the encrypted store's key (scrypt "
                    + cost + " needs " + (cost.memory() >> 20) + " MiB): give the JVM more heap, e.g. -Xmx512m");
        }
    }

    private FileKey fromKeychain(byte[] keyId) throws StoreException {
        Optional<Secret> found = keychain.find(keyId(keyId));
        if (found.isEmpty()) {
            throw new StoreException.Unavailable("the keychain has no key for the encrypted store " + file.path()
                    + " (key id " + keyId(keyId) + ", schema " + EncryptionKeys.SCHEMA + "): it was made in another "
                    + "session or its key was deleted; restore that keychain item, or move the file away and store the tokens again");
        }
        byte[] encoded = null;
        byte[] raw = null;
        try (Secret kept = found.get()) {
            encoded = kept.toUtf8();
            raw = Base64.getDecoder().decode(encoded);
            if (raw.length != FileKey.KEY_BYTES) {
                throw new IllegalArgumentException("not 32 bytes");
            }
            return FileKey.fromKeychain(raw, keyId);
        } catch (IllegalArgumentException e) {
            throw new StoreException.Unavailable("the keychain item that should hold the key of the encrypted store "
                    + file.path() + " (key id " + keyId(keyId) + ") does not hold a latchkey key; " + KEEP);
        } finally {
            wipe(encoded);
            wipe(raw);
        }
    }

    private static String keyId(byte[] id) {
        return HexFormat.of().formatHex(id);
    }

    private String damaged(String problem) {
        return "the encrypted store " + file.path() + " " + problem + "; " + KEEP;
    }

    private static void wipe(byte[] bytes) {
        if (bytes != null) {
            Arrays.fill(bytes, (byte) 0);
        }
    }
}
