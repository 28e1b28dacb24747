package dev.latchkey.it;

import dev.latchkey.daemon.files.TomlText;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The writable stores that keep every token in one file, as the crash and concurrency tests drive
 * them: each named in the config and in every request, in a private home ({@link PrivateHomes}).
 * A store that lands later joins the tests with one constant here. The {@code encrypted} store
 * comes twice, keyed by a passphrase and by a random key in the suite's keyring: the second is the
 * one whose file the tests can also open by themselves ({@link EncryptedFileFormat}); the first
 * has no plain reading, and latchkey's own answers check its file.
 */
enum FileBackedStore {
    FILE("file", "file", PrivateHomes::tokenFile, FileBackedStore::tokensOfTokenFile, Map.of(), "", false),
    CARGO("cargo", "cargo", home -> home.resolve("cargo/credentials.toml"), FileBackedStore::tokensOfCargoFile,
            Map.of(), "", false),
    ENCRYPTED("encrypted", "encrypted with a passphrase", FileBackedStore::encryptedFile, null,
            Map.of("LATCHKEY_PASSPHRASE", "test passphrase"), "", false),
    ENCRYPTED_KEYCHAIN_KEY("encrypted", "encrypted with a keychain key", FileBackedStore::encryptedFile,
            file -> EncryptedFileFormat.tokens(file, System.getenv()), Map.of(), "[store.encrypted]\nkey = \"keychain\"\n", true);

    /** Reads a store's file by itself, independently of the store's code: registry name to token. */
    @FunctionalInterface
    interface PlainReading {
        Map<String, String> tokens(Path file) throws Exception;
    }

    final String storeName;
    private final String shown;
    private final java.util.function.Function<Path, Path> file;
    private final PlainReading plain;
    private final Map<String, String> environment;
    private final String storeConfig;
    private final boolean keyring;

    FileBackedStore(String storeName, String shown, java.util.function.Function<Path, Path> file, PlainReading plain,
                    Map<String, String> environment, String storeConfig, boolean keyring) {
        this.storeName = storeName;
        this.shown = shown;
        this.file = file;
        this.plain = plain;
        this.environment = environment;
        this.storeConfig = storeConfig;
        this.keyring = keyring;
    }

    /**
     * What a latchkey process needs in its environment (beyond {@link PrivateHomes}) to use this
     * store: a passphrase, or the suite's session bus, whose absence fails the test under CI.
     */
    Map<String, String> environment() {
        if (!keyring) {
            return environment;
        }
        Map<String, String> env = new HashMap<>(environment);
        env.put("DBUS_SESSION_BUS_ADDRESS", SessionKeyring.environment().get("DBUS_SESSION_BUS_ADDRESS"));
        return env;
    }

    /**
     * Removes what a test left outside {@code home}: the keychain items of the encrypted store's
     * keys (the suite's session bus is in this JVM's environment, checked by {@link #environment()}).
     */
    void cleanUp(Path home) throws IOException {
        if (keyring && Files.exists(file(home))) {
            EncryptedFileFormat.forgetKeys(file(home), System.getenv());
        }
    }

    /** How tests name it: the store, and how its key is kept. */
    @Override
    public String toString() {
        return shown;
    }

    /** The store's file in the private home {@code home}. */
    Path file(Path home) {
        return file.apply(home);
    }

    /** The temporary file a writer fills before renaming it over {@link #file}: what a writer killed mid-write leaves. */
    Path temporaryFile(Path home) {
        Path data = file(home);
        return data.resolveSibling("." + data.getFileName() + ".tmp");
    }

    /**
     * The config that makes this store the only one, so every get, store and erase goes there, and
     * names {@code registries} (with {@link TokenOperation#indexUrl}), so the command line finds them.
     */
    void configure(Path home, List<String> registries) throws IOException {
        StringBuilder config = new StringBuilder("stores = [\"" + storeName + "\"]\n" + storeConfig);
        for (String registry : registries) {
            config.append("\n[registries.").append(registry).append("]\nindex = \"")
                    .append(TokenOperation.indexUrl(registry)).append("\"\n");
        }
        Path file = LatchkeyProcess.configFile(home);
        Files.createDirectories(file.getParent());
        Files.writeString(file, config);
    }

    /** The file read without latchkey (registry name to token, empty when absent); empty when the store has no such reading. */
    Optional<Map<String, String>> readPlain(Path home) throws Exception {
        if (plain == null) {
            return Optional.empty();
        }
        Path path = file(home);
        return Optional.of(Files.exists(path) ? plain.tokens(path) : Map.of());
    }

    private static Path encryptedFile(Path home) {
        return home.resolve("xdg/data/latchkey/secrets.enc");
    }

    private static Map<String, String> tokensOfTokenFile(Path file) throws Exception {
        Map<String, String> tokens = new HashMap<>();
        Object entries = TomlText.parse(Files.readString(file), file).get("token");
        for (Object entry : entries == null ? List.of() : (List<?>) entries) {
            Map<?, ?> table = (Map<?, ?>) entry;
            tokens.put((String) table.get("name"), (String) table.get("token"));
        }
        return tokens;
    }

    private static Map<String, String> tokensOfCargoFile(Path file) throws Exception {
        Map<String, String> tokens = new HashMap<>();
        Object registries = TomlText.parse(Files.readString(file), file).get("registries");
        if (registries != null) {
            ((Map<?, ?>) registries).forEach((name, table) -> {
                Object token = ((Map<?, ?>) table).get("token");
                if (token != null) {
                    tokens.put((String) name, (String) token); // cargo's logout keeps the emptied table
                }
            });
        }
        return tokens;
    }
}
