package dev.latchkey.daemon.config;

import dev.latchkey.daemon.ownership.FileCheck;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads latchkey's config file. An absent file means defaults; anything it cannot use (bad TOML,
 * an unknown key, a value of the wrong type) is an error naming the file and line, so a typo never
 * silently changes where tokens go. So is a file another user could have written
 * ({@link #othersCouldChange}).
 */
public final class ConfigLoader {
    /** What a file with a bad line needs; every command reads the file, `doctor` included. */
    private static final String FIX_THE_LINE = "; correct that line (see docs/configuration.md), then retry";

    /** Far more than any real config; the limit only stops a path that never ends. */
    static final int MAX_CONFIG_BYTES = 1024 * 1024;

    private final Locations locations;
    private final Environment env;

    public ConfigLoader(Environment env) {
        this.env = env;
        this.locations = new Locations(env);
    }

    /** Loads the file at {@code explicit}, or at the default location when null. */
    public Config load(Path explicit) throws ConfigException {
        Path path = explicit != null ? explicit : locations.configFile();
        Config defaults = Config.defaults(locations);
        String text;
        try {
            text = read(path);
        } catch (NoSuchFileException e) {
            if (explicit != null) {
                throw new ConfigException(path + ": no such config file; create it, or stop naming it in --config or LATCHKEY_CONFIG");
            }
            return defaults;
        } catch (IOException e) {
            throw new ConfigException(path + ": cannot be read (" + e.getMessage() + "); make it readable by you");
        }
        TomlParseResult toml = Toml.parse(text);
        if (toml.hasErrors()) {
            TomlParseError first = toml.errors().get(0);
            throw new ConfigException(path + ":" + first.position().line() + ":" + first.position().column()
                    + ": " + first.getMessage() + FIX_THE_LINE);
        }
        return new Reader(path, toml, defaults).read();
    }

    /**
     * The file's text. A request may name any path as its config ({@code --config} in cargo's
     * args), so only a regular file is opened (a FIFO would block the connection forever) and at
     * most {@link #MAX_CONFIG_BYTES} are read ({@code /dev/zero} or a {@code /proc} file would
     * otherwise fill the heap).
     */
    private static String read(Path path) throws IOException, ConfigException {
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
        if (!attributes.isRegularFile()) {
            throw new ConfigException(path + ": not a regular file; a config file is a TOML text file");
        }
        String untrusted = othersCouldChange(path);
        if (untrusted != null) {
            throw new ConfigException(untrusted);
        }
        try (InputStream in = Files.newInputStream(path)) {
            byte[] bytes = in.readNBytes(MAX_CONFIG_BYTES + 1);
            if (bytes.length > MAX_CONFIG_BYTES) {
                throw new ConfigException(path + ": larger than " + MAX_CONFIG_BYTES / 1024
                        + " KiB, which no latchkey config is; is this the right file?");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /**
     * Why the config at {@code path} must not be used, or null. A config decides where tokens go
     * and which commands latchkey runs ({@code [store.command]}), so, as ssh does with its own, one
     * that another user owns or that its group or others can write is refused, and so is one in a
     * directory they could write (they could put another file in its place): the directory of the
     * path as named and, for a link, that of the file it leads to. Root, whom latchkey does not
     * defend against, may own either.
     */
    private static String othersCouldChange(Path path) throws IOException {
        FileCheck.Seen file = FileCheck.stat(path);
        if (file != null && !file.ownedByMeOrRoot()) {
            return path + " belongs to " + file.owner() + ", not to you, so its owner decides which commands latchkey runs "
                    + "and where your tokens go; if it is yours, `sudo chown " + FileCheck.me() + " " + path
                    + "`, else stop using it";
        }
        if (file != null && file.writableByOthers()) {
            return path + " is writable by " + file.otherWriters() + " (mode " + file.octalMode() + "), so other users "
                    + "could change which commands latchkey runs and where your tokens go; `chmod go-w " + path + "`, then retry";
        }
        Set<Path> directories = new LinkedHashSet<>();
        directories.add(path.toAbsolutePath().getParent());
        directories.add(path.toRealPath().getParent());
        for (Path directory : directories) {
            FileCheck.Seen seen = FileCheck.stat(directory);
            if (seen != null && !seen.ownedByMeOrRoot()) {
                return "the directory " + directory + " holding " + path + " belongs to " + seen.owner()
                        + ", not to you, so its owner could put another config in its place; if it is yours, `sudo chown "
                        + FileCheck.me() + " " + directory + "`, else keep the config elsewhere";
            }
            if (seen != null && seen.writableByOthers()) {
                return "the directory " + directory + " holding " + path + " is writable by " + seen.otherWriters() + " (mode "
                        + seen.octalMode() + "), so other users could put another config in its place; `chmod go-w "
                        + directory + "`, or keep the config elsewhere";
            }
        }
        return null;
    }

    private final class Reader {
        private final Path path;
        private final TomlParseResult toml;
        private final Config defaults;

        Reader(Path path, TomlParseResult toml, Config defaults) {
            this.path = path;
            this.toml = toml;
            this.defaults = defaults;
        }

        Config read() throws ConfigException {
            allowOnly(toml, "", Set.of("stores", "daemon", "store", "registries", "rotate-after"));
            Duration rotateAfter = duration(toml, "rotate-after", defaults.rotateAfter());
            List<StoreId> stores = toml.contains("stores") ? storeList(toml, "stores") : defaults.storeOrder();
            Duration idle = defaults.idleTimeout();
            Duration ttl = defaults.cacheTtl();
            boolean autostart = defaults.autostart();
            TomlTable daemon = table(toml, "daemon");
            if (daemon != null) {
                allowOnly(daemon, "daemon.", Set.of("idle-timeout", "cache-ttl", "autostart"));
                idle = duration(daemon, "idle-timeout", idle);
                ttl = duration(daemon, "cache-ttl", ttl);
                autostart = booleanOr(daemon, "autostart", autostart);
            }
            Path tokenFile = defaults.tokenFile();
            Path encrypted = defaults.encryptedFile();
            String passphraseEnv = defaults.passphraseEnv();
            Config.EncryptedKey encryptedKey = defaults.encryptedKey();
            List<String> command = defaults.commandGet();
            TomlTable store = table(toml, "store");
            if (store != null) {
                allowOnly(store, "store.", Set.of("file", "encrypted", "command"));
                TomlTable file = table(store, "file");
                if (file != null) {
                    allowOnly(file, "store.file.", Set.of("path"));
                    tokenFile = pathOr(file, "path", tokenFile);
                }
                TomlTable enc = table(store, "encrypted");
                if (enc != null) {
                    allowOnly(enc, "store.encrypted.", Set.of("path", "passphrase-env", "key"));
                    encrypted = pathOr(enc, "path", encrypted);
                    passphraseEnv = stringOr(enc, "passphrase-env", passphraseEnv);
                    encryptedKey = encryptedKey(enc, encryptedKey);
                }
                TomlTable cmd = table(store, "command");
                if (cmd != null) {
                    allowOnly(cmd, "store.command.", Set.of("get"));
                    command = strings(cmd, "get");
                }
            }
            Map<String, Config.RegistryConfig> registries = new LinkedHashMap<>();
            TomlTable regs = table(toml, "registries");
            if (regs != null) {
                for (String name : regs.keySet()) {
                    TomlTable reg = table(regs, name);
                    if (reg == null) {
                        throw error(regs, List.of(name), "`registries." + name + "` must be a table");
                    }
                    allowOnly(reg, "registries." + name + ".", Set.of("index", "stores", "rotate-after"));
                    String index = stringOr(reg, "index", null);
                    List<StoreId> regStores = reg.contains("stores") ? storeList(reg, "stores") : List.of();
                    registries.put(name, new Config.RegistryConfig(name, index, regStores, duration(reg, "rotate-after", null)));
                }
            }
            return new Config(path, stores, idle, ttl, autostart, tokenFile, encrypted, passphraseEnv, encryptedKey, command, registries,
                    rotateAfter);
        }

        private void allowOnly(TomlTable table, String prefix, Set<String> known) throws ConfigException {
            for (String key : table.keySet()) {
                if (!known.contains(key)) {
                    throw error(table, List.of(key), "unknown key `" + prefix + key + "` (known here: "
                            + String.join(", ", known.stream().sorted().toList()) + ")");
                }
            }
        }

        private TomlTable table(TomlTable parent, String key) throws ConfigException {
            Object value = parent.get(List.of(key));
            if (value == null) {
                return null;
            }
            if (!(value instanceof TomlTable t)) {
                throw error(parent, List.of(key), "`" + key + "` must be a table");
            }
            return t;
        }

        private List<StoreId> storeList(TomlTable table, String key) throws ConfigException {
            List<StoreId> stores = new ArrayList<>();
            for (String name : strings(table, key)) {
                Optional<StoreId> store = StoreId.named(name);
                if (store.isEmpty()) {
                    throw error(table, List.of(key), "unknown store `" + name + "` (stores: " + StoreId.allNames() + ")");
                }
                stores.add(store.get());
            }
            return stores;
        }

        private List<String> strings(TomlTable table, String key) throws ConfigException {
            Object value = table.get(List.of(key));
            if (!(value instanceof TomlArray array)) {
                throw error(table, List.of(key), "`" + key + "` must be an array of strings");
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < array.size(); i++) {
                if (!(array.get(i) instanceof String s)) {
                    throw error(table, List.of(key), "`" + key + "` must be an array of strings");
                }
                out.add(s);
            }
            return out;
        }

        private String stringOr(TomlTable table, String key, String fallback) throws ConfigException {
            Object value = table.get(List.of(key));
            if (value == null) {
                return fallback;
            }
            if (!(value instanceof String s)) {
                throw error(table, List.of(key), "`" + key + "` must be a string");
            }
            return s;
        }

        private boolean booleanOr(TomlTable table, String key, boolean fallback) throws ConfigException {
            Object value = table.get(List.of(key));
            if (value == null) {
                return fallback;
            }
            if (!(value instanceof Boolean b)) {
                throw error(table, List.of(key), "`" + key + "` must be true or false");
            }
            return b;
        }

        private Path pathOr(TomlTable table, String key, Path fallback) throws ConfigException {
            String value = stringOr(table, key, null);
            return value == null ? fallback : env.expand(value);
        }

        private Config.EncryptedKey encryptedKey(TomlTable table, Config.EncryptedKey fallback) throws ConfigException {
            String value = stringOr(table, "key", null);
            if (value == null) {
                return fallback;
            }
            for (Config.EncryptedKey key : Config.EncryptedKey.values()) {
                if (key.configName().equals(value)) {
                    return key;
                }
            }
            throw error(table, List.of("key"), "`key` must be \"passphrase\" (derived from a passphrase) or \"keychain\" "
                    + "(a random key kept in the keychain), not \"" + value + "\"");
        }

        private Duration duration(TomlTable table, String key, Duration fallback) throws ConfigException {
            String value = stringOr(table, key, null);
            if (value == null) {
                return fallback;
            }
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw error(table, List.of(key), "`" + key + "`: " + e.getMessage());
            }
        }

        private ConfigException error(TomlTable table, List<String> key, String problem) {
            TomlPosition at = table.inputPositionOf(key);
            String where = at == null ? "" : at.line() + ":" + at.column() + ":";
            return new ConfigException(path + ":" + where + " " + problem + FIX_THE_LINE);
        }
    }
}
