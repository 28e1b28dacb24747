package dev.latchkey.daemon.store.cargo;


import dev.latchkey.daemon.config.StoreId;
import dev.latchkey.daemon.files.SecretFile;
import dev.latchkey.daemon.files.TomlText;
import dev.latchkey.daemon.store.Arrival;
import dev.latchkey.daemon.store.Capabilities;
import dev.latchkey.daemon.store.CredentialKey;
import dev.latchkey.daemon.store.NameBindings;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Secret;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * cargo's own {@code $CARGO_HOME/credentials.toml}, read and written as cargo does: crates.io's
 * token in {@code [registry]}, a named registry's in {@code [registries.NAME]}, everything else
 * in the file kept, mode 0600. A legacy {@code credentials} file without extension is used
 * instead when it exists, and a legacy top-level {@code token} moves into {@code [registry]} on
 * the next write, as cargo does.
 *
 * <p>cargo keys this file by registry name, so a registry it cannot name is simply not here, and
 * a name counts only for the index URL the user bound it to ({@link NameBindings}).
 */
public final class CargoCredentialsStore implements Store {
    /** What cargo's logout removes from a registry's table. */
    private static final List<String> SECRET_KEYS = List.of("token", "secret-key", "secret-key-subject");

    /** One item per registry, read by cargo for every operation; and latchkey writes here only when told to. */
    private static final Capabilities CAPABILITIES = Capabilities.writable(StoreId.CARGO).oneTokenPerRegistry().withoutLogins()
            .writtenOnlyWhenNamed();

    private static final long LOOK_AGAIN_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final SecretFile file;
    private final NameBindings names;
    private final StoreState ready; // made once: asked on every request
    private volatile Looked looked;

    public CargoCredentialsStore(Path cargoHome, NameBindings names) {
        Path legacy = cargoHome.resolve("credentials");
        this.file = new SecretFile(Files.isRegularFile(legacy) ? legacy : cargoHome.resolve("credentials.toml"),
                SecretFile.Keeper.ANOTHER_PROGRAM);
        this.names = names;
        this.ready = StoreState.ready("cargo's credentials file " + file.path()
                + "; written only when this store is named, since cargo warns about its tokens");
    }

    public Path path() {
        return file.path();
    }

    @Override
    public StoreId id() {
        return StoreId.CARGO;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    /**
     * Another user's file is refused; one that others can read or write is used, with a caution
     * (SecretFile.Keeper). Quick: what a look at most a second old said, since every lookup of the
     * default order asks and looking costs two {@code stat}s; reading the file checks its owner
     * again all the same.
     */
    @Override
    public StoreState diagnose(boolean thorough) {
        Looked last = looked;
        long now = System.nanoTime();
        if (!thorough && last != null && now - last.at() < LOOK_AGAIN_NANOS) {
            return last.state();
        }
        StoreState state = look();
        looked = new Looked(now, state);
        return state;
    }

    /** When the file was last looked at, and what that said. */
    private record Looked(long at, StoreState state) {
    }

    private StoreState look() {
        try {
            String refused = file.refusal();
            if (refused != null) {
                return StoreState.unusable(refused);
            }
        } catch (StoreException e) {
            return StoreState.unusable(e.getMessage());
        }
        String caution = file.caution();
        return caution == null ? ready : StoreState.cautioned(ready.detail(), caution);
    }

    @Override
    public List<StoredToken> get(CredentialKey key, Arrival arrival) throws StoreException {
        if (!(key instanceof RegistryKey registry)) {
            return List.of();
        }
        Map<String, Object> doc = parse(file.read());
        Optional<Map<String, Object>> table = tableOf(doc, registry);
        Object token = table.isPresent() ? table.get().get("token") : null;
        if (token == null && isCratesIo(registry)) {
            token = doc.get("token"); // legacy top-level token
        }
        if (!(token instanceof String s)) {
            return List.of();
        }
        refuseUntrusted(registry, "the token in cargo's credentials file");
        return List.of(StoredToken.plain(Secret.fromString(s)));
    }

    @Override
    public void put(CredentialKey key, StoredToken token) throws StoreException {
        if (!(key instanceof RegistryKey registry)) {
            throw new StoreException.Refused("cargo's credentials file keeps registry tokens only; keep logins in another store");
        }
        if (!token.operations().isEmpty()) {
            // cargo would hand it out for every operation (an expiry is fine: latchkey's metadata book keeps it)
            throw new StoreException.Refused("cargo's credentials file keeps one token per registry, for every "
                    + "operation; store a token limited to some operations in the file store (`--store file`)");
        }
        String[] path = pathOf(registry);
        if (path == null) {
            throw new StoreException.Refused("cargo's credentials file keys tokens by registry name, and `"
                    + registry.indexUrl() + "` has none; add `[registries.NAME] index = \"" + registry.indexUrl()
                    + "\"` to " + NameBindings.TRUSTED_PLACES + ", or use another store");
        }
        refuseUntrusted(registry, "a token written to cargo's credentials file");
        file.update(current -> {
            Map<String, Object> doc = parse(current);
            Object legacy = doc.remove("token");
            if (legacy != null) {
                table(doc, "registry").putIfAbsent("token", legacy);
            }
            Map<String, Object> table = path.length == 1 ? table(doc, path[0]) : table(table(doc, path[0]), path[1]);
            table.put("token", token.secret());
            return new SecretFile.Result<>(TomlText.write(doc), null);
        });
    }

    @Override
    public boolean erase(CredentialKey key) throws StoreException {
        if (!(key instanceof RegistryKey registry) || pathOf(registry) == null) {
            return false;
        }
        if (!names.trusted(registry)) {
            Optional<Map<String, Object>> table = tableOf(parse(file.read()), registry);
            if (table.isPresent() && !Collections.disjoint(table.get().keySet(), SECRET_KEYS)) {
                throw NameBindings.untrusted(registry, "the token in cargo's credentials file");
            }
            return false;
        }
        return file.update(current -> {
            Map<String, Object> doc = parse(current);
            boolean removed = false;
            Optional<Map<String, Object>> table = tableOf(doc, registry);
            if (table.isPresent()) {
                for (String secretKey : SECRET_KEYS) {
                    removed |= table.get().remove(secretKey) != null;
                }
            }
            if (isCratesIo(registry)) {
                removed |= doc.remove("token") != null;
            }
            // cargo leaves the emptied table behind, and so do we.
            return new SecretFile.Result<>(removed ? TomlText.write(doc) : null, removed);
        });
    }

    @Override
    public List<StoreEntry> list(Arrival arrival) throws StoreException {
        Map<String, Object> doc = parse(file.read());
        List<StoreEntry> entries = new ArrayList<>();
        boolean cratesIo = doc.get("token") instanceof String
                || (doc.get("registry") instanceof Map<?, ?> r && r.get("token") instanceof String);
        if (cratesIo) {
            entries.add(entry(new RegistryKey(Registry.CRATES_IO_INDEX, Registry.CRATES_IO_NAME)));
        }
        if (doc.get("registries") instanceof Map<?, ?> registries) {
            for (Map.Entry<?, ?> e : registries.entrySet()) {
                String name = (String) e.getKey();
                if (e.getValue() instanceof Map<?, ?> t && t.get("token") instanceof String) {
                    String url = names.indexOf(name).orElse(null);
                    if (url != null) {
                        entries.add(entry(new RegistryKey(url, name)));
                    }
                }
            }
        }
        return entries;
    }

    private void refuseUntrusted(RegistryKey registry, String what) throws StoreException.Refused {
        if (!names.trusted(registry)) {
            throw NameBindings.untrusted(registry, what);
        }
    }

    private static StoreEntry entry(RegistryKey registry) {
        return new StoreEntry(registry, Set.of(), null, null, null);
    }

    private static boolean isCratesIo(RegistryKey registry) {
        return Registry.CRATES_IO_INDEX.equals(registry.indexUrl());
    }

    private static String[] pathOf(RegistryKey registry) {
        if (isCratesIo(registry)) {
            return new String[] {"registry"};
        }
        return registry.name() == null ? null : new String[] {"registries", registry.name()};
    }

    @SuppressWarnings("unchecked")
    private static Optional<Map<String, Object>> tableOf(Map<String, Object> doc, RegistryKey registry) {
        String[] path = pathOf(registry);
        if (path == null) {
            return Optional.empty();
        }
        Object node = doc;
        for (String part : path) {
            if (!(node instanceof Map<?, ?> map)) {
                return Optional.empty();
            }
            node = map.get(part);
        }
        return node instanceof Map<?, ?> ? Optional.of((Map<String, Object>) node) : Optional.empty();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> table(Map<String, Object> parent, String key) {
        Object existing = parent.get(key);
        if (existing instanceof Map<?, ?>) {
            return (Map<String, Object>) existing;
        }
        Map<String, Object> created = new LinkedHashMap<>();
        parent.put(key, created);
        return created;
    }

    private Map<String, Object> parse(String text) throws StoreException {
        if (text == null) {
            return new LinkedHashMap<>();
        }
        try {
            return TomlText.parse(text, file.path());
        } catch (TomlText.MalformedTomlException e) {
            throw new StoreException.Unavailable("cargo's credentials file is not valid TOML: " + e.getMessage()
                    + ". latchkey will not overwrite it: repair it (cargo cannot read it either)");
        }
    }
}
