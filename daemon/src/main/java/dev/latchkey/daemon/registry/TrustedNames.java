package dev.latchkey.daemon.registry;

import dev.latchkey.daemon.config.Config;
import dev.latchkey.protocol.Registry;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The registry names latchkey trusts to stand for an index URL where a name decides what happens
 * (the {@code command} store's {@code {name}}, {@code latchkey import cargo}): only those bound in
 * latchkey's own config or in the user's {@code $CARGO_HOME/config.toml}. Never a project's
 * {@code .cargo/config.toml}: any repository a user clones can hold one, naming {@code company}
 * for its own index URL. A name must also be one cargo allows.
 */
public final class TrustedNames {
    /** Where a trusted name is bound, as messages name the places. */
    public static final String PLACES = "latchkey's config ([registries.NAME] index = \"URL\") or $CARGO_HOME/config.toml";

    private final Config config;
    private final CargoConfigFiles cargoHomeConfig;

    public TrustedNames(Config config, Path cargoHome) {
        this.config = config;
        this.cargoHomeConfig = new CargoConfigFiles(null, cargoHome);
    }

    /** The trusted name bound to exactly {@code indexUrl}; empty when none is, or it is not a name cargo allows. */
    public Optional<String> nameOf(String indexUrl) {
        if (indexUrl.equals(Registry.CRATES_IO_INDEX)) {
            return Optional.of(Registry.CRATES_IO_NAME);
        }
        Optional<String> named = config.registryByIndex(indexUrl).map(Config.RegistryConfig::name);
        if (named.isEmpty()) {
            named = cargoHomeConfig.nameOf(indexUrl);
        }
        return named.filter(TrustedNames::isRegistryName);
    }

    /** The index URL a trusted name is bound to. */
    public Optional<String> indexOf(String name) {
        if (name.equals(Registry.CRATES_IO_NAME)) {
            return Optional.of(Registry.CRATES_IO_INDEX);
        }
        if (!isRegistryName(name)) {
            return Optional.empty();
        }
        Optional<String> index = config.registry(name).map(Config.RegistryConfig::index);
        return index.isPresent() ? index : cargoHomeConfig.indexOf(name);
    }

    /** cargo's rule for a registry name: letters, digits, {@code -} and {@code _}, starting with a letter or digit. */
    public static boolean isRegistryName(String name) {
        if (name == null || name.isEmpty() || name.length() > 64 || name.charAt(0) == '-' || name.charAt(0) == '_') {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }
}
