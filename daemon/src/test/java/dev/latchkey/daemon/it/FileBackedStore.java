package dev.latchkey.daemon.it;

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
 * A store that lands later joins the tests with one constant here; the {@code encrypted} store,
 * for one, has no plain-text reading (latchkey's own answers then check the file):
 * {@code ENCRYPTED("encrypted", home -> home.resolve("xdg/data/latchkey/secrets.enc"), null,
 * Map.of("LATCHKEY_PASSPHRASE", "test passphrase"))}.
 */
enum FileBackedStore {
    FILE("file", PrivateHomes::tokenFile, FileBackedStore::tokensOfTokenFile, Map.of()),
    CARGO("cargo", home -> home.resolve("cargo/credentials.toml"), FileBackedStore::tokensOfCargoFile, Map.of());

    /** Reads a store's file as plain text, independently of the store's code: registry name to token. */
    @FunctionalInterface
    interface PlainReading {
        Map<String, String> tokens(Path file) throws Exception;
    }

    final String storeName;
    private final java.util.function.Function<Path, Path> file;
    private final PlainReading plain;
    final Map<String, String> environment;

    FileBackedStore(String storeName, java.util.function.Function<Path, Path> file, PlainReading plain,
                    Map<String, String> environment) {
        this.storeName = storeName;
        this.file = file;
        this.plain = plain;
        this.environment = environment;
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
        StringBuilder config = new StringBuilder("stores = [\"" + storeName + "\"]\n");
        for (String registry : registries) {
            config.append("\n[registries.").append(registry).append("]\nindex = \"")
                    .append(TokenOperation.indexUrl(registry)).append("\"\n");
        }
        Path file = LatchkeyProcess.configFile(home);
        Files.createDirectories(file.getParent());
        Files.writeString(file, config);
    }

    /** The file read as plain text (registry name to token, empty when absent); empty when the store has no plain reading. */
    Optional<Map<String, String>> readPlain(Path home) throws Exception {
        if (plain == null) {
            return Optional.empty();
        }
        Path path = file(home);
        return Optional.of(Files.exists(path) ? plain.tokens(path) : Map.of());
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
