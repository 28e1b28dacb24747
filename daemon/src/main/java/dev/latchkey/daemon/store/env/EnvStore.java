package dev.latchkey.daemon.store.env;

import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.config.StoreId;
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
import dev.latchkey.protocol.TokenVariables;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Tokens from the environment, named as cargo names them: {@code CARGO_REGISTRY_TOKEN} for
 * crates.io, {@code CARGO_REGISTRIES_<NAME>_TOKEN} for a named registry (upper case, {@code -}
 * as {@code _}). Read-only. A named registry's variable is handed out only for the index URL
 * the user bound that name to ({@link NameBindings}).
 */
public final class EnvStore implements Store {
    private static final String PREFIX = TokenVariables.PREFIX;
    private static final String SUFFIX = TokenVariables.SUFFIX;
    private static final Capabilities CAPABILITIES = Capabilities.readOnly(StoreId.ENV);
    private static final StoreState READY = StoreState.ready("reads CARGO_REGISTRY_TOKEN and CARGO_REGISTRIES_<NAME>_TOKEN; read-only");

    private final Environment env;
    private final NameBindings names;

    public EnvStore(Environment env, NameBindings names) {
        this.env = env;
        this.names = names;
    }

    /** The variable cargo reads a registry's token from. */
    public static String variableFor(RegistryKey registry) {
        if (Registry.CRATES_IO_INDEX.equals(registry.indexUrl())) {
            return "CARGO_REGISTRY_TOKEN";
        }
        if (registry.name() == null) {
            return null;
        }
        return PREFIX + registry.name().toUpperCase(Locale.ROOT).replace('-', '_') + SUFFIX;
    }

    @Override
    public StoreId id() {
        return StoreId.ENV;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public StoreState diagnose(boolean thorough) {
        return READY;
    }

    @Override
    public List<StoredToken> get(CredentialKey key, Arrival arrival) throws StoreException {
        if (!(key instanceof RegistryKey registry)) {
            return List.of();
        }
        String variable = variableFor(registry);
        Optional<String> value = variable == null ? Optional.empty() : env.get(variable);
        if (value.isEmpty()) {
            return List.of();
        }
        if (!names.trusted(registry)) { // asked only now: where names are bound is read only for a token to hand out
            throw NameBindings.untrusted(registry, "the token in " + variable);
        }
        return List.of(StoredToken.plain(Secret.fromString(value.get())));
    }

    @Override
    public void put(CredentialKey key, StoredToken token) {
        throw new UnsupportedOperationException("the env store is read-only");
    }

    @Override
    public boolean erase(CredentialKey key) {
        throw new UnsupportedOperationException("the env store is read-only");
    }

    @Override
    public List<StoreEntry> list(Arrival arrival) {
        List<StoreEntry> entries = new ArrayList<>();
        for (Map.Entry<String, String> e : env.variables().entrySet()) {
            String variable = e.getKey();
            if (e.getValue().isEmpty()) {
                continue;
            }
            if (variable.equals("CARGO_REGISTRY_TOKEN")) {
                entries.add(entry(new RegistryKey(Registry.CRATES_IO_INDEX, Registry.CRATES_IO_NAME)));
            } else if (variable.startsWith(PREFIX) && variable.endsWith(SUFFIX)
                    && variable.length() > PREFIX.length() + SUFFIX.length()) {
                // cargo lower-cases names it discovers from the environment; so do we.
                String name = variable.substring(PREFIX.length(), variable.length() - SUFFIX.length()).toLowerCase(Locale.ROOT);
                names.indexOf(name).ifPresent(url -> entries.add(entry(new RegistryKey(url, name))));
            }
        }
        return entries;
    }

    private static StoreEntry entry(RegistryKey registry) {
        return new StoreEntry(registry, Set.of(), null, null, null);
    }
}
