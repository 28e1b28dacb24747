package dev.latchkey.daemon.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * latchkey's configuration (docs/configuration.md), read once into plain values and passed in.
 *
 * @param source        the file it came from, or null when none exists and defaults apply
 * @param storeOrder    lookup order of stores
 * @param idleTimeout   how long an idle daemon lives; zero keeps it running
 * @param cacheTtl      how long the daemon keeps a token read from a slow store
 * @param autostart     whether a request that finds no daemon starts one, so that the next is served by it
 * @param tokenFile     the {@code file} store's path
 * @param encryptedFile the {@code encrypted} store's path
 * @param passphraseEnv the variable that holds the {@code encrypted} store's passphrase
 * @param encryptedKey  how a new {@code encrypted} store file's key is kept
 * @param commandGet    the {@code command} store's command, with {@code {index_url}} and {@code {name}} placeholders
 * @param registries    registries by name
 * @param rotateAfter   how old a token may get before {@code list} flags it and using it warns; zero: never
 */
public record Config(Path source, List<StoreId> storeOrder, Duration idleTimeout, Duration cacheTtl, boolean autostart, Path tokenFile,
                     Path encryptedFile, String passphraseEnv, EncryptedKey encryptedKey, List<String> commandGet,
                     Map<String, RegistryConfig> registries, Duration rotateAfter) {

    /** The lookup order when the config names none (docs/stores.md). */
    public static final List<StoreId> DEFAULT_STORE_ORDER = List.of(StoreId.ENV, StoreId.KEYCHAIN, StoreId.FILE, StoreId.CARGO);

    public Config {
        storeOrder = List.copyOf(storeOrder);
        commandGet = List.copyOf(commandGet);
        registries = Map.copyOf(registries);
    }

    /** {@code [store.encrypted] key}: where the key of an encrypted store file comes from. */
    public enum EncryptedKey {
        /** Derived from a passphrase (the variable {@code passphrase-env} names, or typed) by scrypt. */
        PASSPHRASE("passphrase"),
        /** A random key kept in the keychain. */
        KEYCHAIN("keychain");

        private final String configName;

        EncryptedKey(String configName) {
            this.configName = configName;
        }

        /** How the config file spells it. */
        public String configName() {
            return configName;
        }
    }

    /**
     * One {@code [registries.NAME]} table: an index URL, the stores this registry's tokens live in,
     * and its own {@code rotate-after} (null: the top-level one).
     */
    public record RegistryConfig(String name, String index, List<StoreId> stores, Duration rotateAfter) {
        public RegistryConfig {
            stores = List.copyOf(stores);
        }

        public RegistryConfig(String name, String index, List<StoreId> stores) {
            this(name, index, stores, null);
        }
    }

    public Optional<RegistryConfig> registry(String name) {
        return Optional.ofNullable(registries.get(name));
    }

    /** The registry whose configured index is {@code indexUrl}, if any. */
    public Optional<RegistryConfig> registryByIndex(String indexUrl) {
        for (RegistryConfig registry : registries.values()) {
            if (indexUrl.equals(registry.index())) {
                return Optional.of(registry);
            }
        }
        return Optional.empty();
    }

    /**
     * How old a token of {@code registryName} (null: unnamed) may get before it is due for rotation;
     * zero when never.
     */
    public Duration rotateAfter(String registryName) {
        RegistryConfig own = registryName == null ? null : registries.get(registryName);
        return own != null && own.rotateAfter() != null ? own.rotateAfter() : rotateAfter;
    }

    public static Config defaults(Locations locations) {
        Path data = locations.dataDirectory();
        return new Config(null, DEFAULT_STORE_ORDER, Duration.ofMinutes(30), Duration.ofMinutes(10), true,
                data.resolve("tokens.toml"), data.resolve("secrets.enc"), "LATCHKEY_PASSPHRASE", EncryptedKey.PASSPHRASE, List.of(),
                Map.of(), Duration.ZERO);
    }
}
