package dev.latchkey.daemon.store.secretservice;

import dev.latchkey.daemon.store.keychain.CargoKeychainItems;

/**
 * The kinds of item latchkey keeps in the Secret Service, each under a schema of its own with one
 * string attribute, so that a search for one kind never finds the other.
 */
enum ItemSchema {
    /** Registry tokens, exactly as {@code cargo:libsecret} writes them. */
    CARGO(CargoKeychainItems.SECRET_SCHEMA, CargoKeychainItems.URL_ATTRIBUTE),
    /** Logins, latchkey's own: the attribute holds the login's canonical form. */
    LOGIN(SecretServiceStore.LOGIN_SCHEMA, SecretServiceStore.LOGIN_ATTRIBUTE),
    /** The random key of an encrypted store file, latchkey's own. */
    ENCRYPTION_KEY(EncryptionKeys.SCHEMA, EncryptionKeys.KEY_ID_ATTRIBUTE);

    private final String schemaName;
    private final String attribute;

    ItemSchema(String schemaName, String attribute) {
        this.schemaName = schemaName;
        this.attribute = attribute;
    }

    String schemaName() {
        return schemaName;
    }

    String attribute() {
        return attribute;
    }
}
