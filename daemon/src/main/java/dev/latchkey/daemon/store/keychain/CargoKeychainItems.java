package dev.latchkey.daemon.store.keychain;

import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.daemon.store.StoredToken;

/**
 * How cargo's built-in keychain providers ({@code cargo:libsecret}, {@code cargo:macos-keychain},
 * {@code cargo:wincred}) name and shape their items, so that latchkey reads what {@code cargo login}
 * wrote and cargo reads what latchkey wrote. Every string here must stay byte-identical to cargo's
 * (docs/stores.md, "Keychains"); the index URL is used exactly as cargo sends it, never normalised.
 */
public final class CargoKeychainItems {
    /** The prefix of every item's label (libsecret), service (macOS) and target name (Windows). */
    public static final String PREFIX = "cargo-registry:";
    /** libsecret: the schema cargo stores with, flags NONE, so {@code xdg:schema} is matched too. */
    public static final String SECRET_SCHEMA = "org.rust-lang.cargo.registry";
    /** libsecret: the schema's one string attribute, holding the index URL. */
    public static final String URL_ATTRIBUTE = "url";
    /** libsecret: the collection alias cargo stores into. */
    public static final String COLLECTION = "default";
    /** wincred: the comment cargo writes on its credentials. */
    public static final String WINCRED_COMMENT = "Cargo registry token";

    private CargoKeychainItems() {
    }

    /** libsecret's item label: the registry's name when it has one, else its index URL. Lookups ignore it. */
    public static String secretServiceLabel(RegistryKey registry) {
        return PREFIX + registry.displayName();
    }

    /** The macOS service name and the Windows target name: always the index URL, never the name. */
    public static String serviceName(RegistryKey registry) {
        return PREFIX + registry.indexUrl();
    }

    /**
     * The registry name a libsecret label carries, or null when the label names the index URL (an
     * unnamed registry) or was not written by cargo or latchkey.
     */
    public static String nameFromLabel(String label, String indexUrl) {
        if (label == null || !label.startsWith(PREFIX)) {
            return null;
        }
        String rest = label.substring(PREFIX.length());
        return rest.isEmpty() || rest.equals(indexUrl) || rest.contains("://") ? null : rest;
    }

    /**
     * cargo's items hold one token per registry, for every operation: a token limited to some
     * operations cannot go into a keychain item cargo would read. (An expiry can: the item holds
     * none, and latchkey keeps it in its metadata book.)
     */
    public static void requireCargoShaped(StoredToken token, String store) throws StoreException {
        if (!token.operations().isEmpty()) {
            throw new StoreException.Refused("the " + store + " store keeps one token per registry for every "
                    + "operation, as cargo's own keychain providers do; store a token limited to some operations "
                    + "in the file store (`--store file`)");
        }
    }
}
