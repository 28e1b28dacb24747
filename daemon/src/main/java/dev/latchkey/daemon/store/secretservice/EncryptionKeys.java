package dev.latchkey.daemon.store.secretservice;

import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.keychain.OperatingSystem;
import dev.latchkey.protocol.Secret;

import java.util.Optional;

/**
 * The random keys of encrypted store files, kept in the Secret Service the libsecret store talks
 * to, as items of latchkey's own schema ({@link #SCHEMA}, one attribute {@link #KEY_ID_ATTRIBUTE}):
 * never cargo's schema, so neither cargo nor the libsecret store ever sees them as tokens. Made
 * cheaply; JNA and libsecret load on the first call that needs them.
 */
public final class EncryptionKeys {
    public static final String SCHEMA = "dev.latchkey.encrypted-store-key";
    public static final String KEY_ID_ATTRIBUTE = "key-id";

    private final OperatingSystem os;
    /** For its checks, deadline and failure mapping, which hold for these items as for cargo's. */
    private final SecretServiceStore keyring;
    private SecretService service;

    public EncryptionKeys(OperatingSystem os, Environment env) {
        this.os = os;
        this.keyring = new SecretServiceStore(os, env);
    }

    /** Whether a key can be kept here at all; no D-Bus traffic. */
    public StoreState state() {
        if (os == OperatingSystem.MACOS || os == OperatingSystem.WINDOWS) {
            return StoreState.unusable("this latchkey keeps an encrypted store's key in the Linux Secret Service only, "
                    + "not in the " + os.displayName() + " keychain; set [store.encrypted] key = \"passphrase\"");
        }
        StoreState state = keyring.diagnose(false);
        return state.usable() ? StoreState.ready("Secret Service on the session bus") : state;
    }

    /** Also asks whether the collection the keys live in exists and is unlocked. */
    public StoreState diagnose() {
        StoreState state = state();
        if (!state.usable()) {
            return state;
        }
        StoreState keyringState = keyring.diagnose(true);
        return keyringState.usable() ? StoreState.ready("default keyring collection unlocked") : keyringState;
    }

    /** The key kept under {@code keyId}; empty when there is none (a locked collection is an exception, not empty). */
    public Optional<Secret> find(String keyId) throws StoreException {
        SecretService service = service();
        Optional<Secret> key;
        try {
            key = service.lookup(keyId);
        } catch (SecretServiceError e) {
            throw SecretServiceFailures.of(e, keyring.deadline());
        }
        if (key.isEmpty()) {
            keyring.requireOpenCollection(service);
        }
        return key;
    }

    /** Keeps {@code key} under {@code keyId} in the default collection. */
    public void keep(String keyId, String label, Secret key) throws StoreException {
        SecretService service = service();
        try {
            service.store(keyId, label, key);
        } catch (SecretServiceError e) {
            if (!SecretServiceFailures.isNotAnswering(e)) {
                keyring.requireOpenCollection(service);
            }
            throw SecretServiceFailures.of(e, keyring.deadline());
        }
    }

    private synchronized SecretService service() throws StoreException {
        StoreState state = state();
        if (!state.usable()) {
            throw new StoreException.Unavailable("the keychain that keeps the encrypted store's key is not usable: "
                    + state.detail());
        }
        if (service == null) {
            service = keyring.connect(ItemSchema.ENCRYPTION_KEY);
        }
        return service;
    }
}
