package dev.latchkey.daemon.store.env;

import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.config.StoreId;
import dev.latchkey.daemon.store.Arrival;
import dev.latchkey.daemon.store.Capabilities;
import dev.latchkey.daemon.store.CredentialKey;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.store.StoreEntry;
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
import java.util.function.Function;

/**
 * Tokens from the environment, named as cargo names them: {@code CARGO_REGISTRY_TOKEN} for
 * crates.io, {@code CARGO_REGISTRIES_<NAME>_TOKEN} for a named registry (upper case, {@code -}
 * as {@code _}). Read-only.
 */
public final class EnvStore implements Store {
    private static final String PREFIX = TokenVariables.PREFIX;
    private static final String SUFFIX = TokenVariables.SUFFIX;
    private static final Capabilities CAPABILITIES = Capabilities.readOnly(StoreId.ENV);
    private static final StoreState READY = StoreState.ready("reads CARGO_REGISTRY_TOKEN and CARGO_REGISTRIES_<NAME>_TOKEN; read-only");

    private final Environment env;
    private final Function<String, Optional<String>> indexOfName;

    /** {@code indexOfName} finds a registry's index URL for {@code list}. */
    public EnvStore(Environment env, Function<String, Optional<String>> indexOfName) {
        this.env = env;
        this.indexOfName = indexOfName;
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
    public List<StoredToken> get(CredentialKey key, Arrival arrival) {
        String variable = key instanceof RegistryKey registry ? variableFor(registry) : null;
        Optional<String> value = variable == null ? Optional.empty() : env.get(variable);
        return value.isPresent() ? List.of(StoredToken.plain(Secret.fromString(value.get()))) : List.of();
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
                indexOfName.apply(name).ifPresent(url -> entries.add(entry(new RegistryKey(url, name))));
            }
        }
        return entries;
    }

    private static StoreEntry entry(RegistryKey registry) {
        return new StoreEntry(registry, Set.of(), null, null, null);
    }
}
