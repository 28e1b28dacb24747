package dev.latchkey.daemon.registry;

import dev.latchkey.daemon.config.Config;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.config.Locations;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Registry;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns what a request or the command line names into a {@link RegistryKey} (docs/configuration.md). A name
 * resolves through latchkey's config, then cargo's config files, then
 * {@code CARGO_REGISTRIES_<NAME>_INDEX}; {@code crates-io} is built in. An index URL is taken
 * exactly as given, and named the same way in reverse when the request did not name it.
 */
public final class RegistryResolver {
    private static final String ENV_PREFIX = "CARGO_REGISTRIES_";
    private static final String ENV_SUFFIX = "_INDEX";

    private final Config config;
    private final Environment env;
    private final Scope scope;
    private final CargoConfigFiles cargoConfig;
    /**
     * The names found for index URLs: asked on every request, a name is otherwise looked for
     * through the whole environment each time. What it is looked up in never changes here.
     */
    private final Map<String, Optional<String>> names = new ConcurrentHashMap<>();
    private static final int MAX_NAMES = 1024;

    public RegistryResolver(Config config, Environment env) {
        this.config = config;
        this.env = env;
        this.scope = Scope.of(env);
        this.cargoConfig = new CargoConfigFiles(env.workingDirectory(), new Locations(env).cargoHome());
    }

    /**
     * What a resolver's answers depend on besides latchkey's config: the working directory (the
     * cargo config files from it up), cargo's home, and the {@code CARGO_REGISTRIES_<NAME>_INDEX}
     * variables. Two environments of one scope resolve every name alike.
     */
    public record Scope(Path workingDirectory, Path cargoHome, Map<String, String> indexVariables) {
        public static Scope of(Environment env) {
            Map<String, String> variables = new TreeMap<>();
            for (Map.Entry<String, String> e : env.variables().entrySet()) {
                if (e.getKey().startsWith(ENV_PREFIX) && e.getKey().endsWith(ENV_SUFFIX)) {
                    variables.put(e.getKey(), e.getValue());
                }
            }
            return new Scope(env.workingDirectory(), new Locations(env).cargoHome(), variables);
        }
    }

    public Scope scope() {
        return scope;
    }

    public RegistryKey resolve(Registry registry) throws CredentialException {
        if (registry.indexUrl() != null) {
            String name = registry.name() != null ? registry.name() : nameOf(registry.indexUrl()).orElse(null);
            return new RegistryKey(registry.indexUrl(), name);
        }
        String name = registry.name();
        Optional<String> url = indexOf(name);
        if (url.isEmpty()) {
            throw new CredentialException.BadRequest("unknown registry `" + name
                    + "`: no index URL for it in latchkey's config, cargo's config or " + envName(name)
                    + "; give its index URL instead, or add [registries." + name + "] index = \"...\" to latchkey's config");
        }
        return new RegistryKey(url.get(), name);
    }

    public Optional<String> indexOf(String name) {
        if (name.equals(Registry.CRATES_IO_NAME)) {
            return Optional.of(Registry.CRATES_IO_INDEX);
        }
        Optional<Config.RegistryConfig> configured = config.registry(name);
        if (configured.isPresent() && configured.get().index() != null) { // a table may give only the registry's stores
            return Optional.of(configured.get().index());
        }
        Optional<String> fromCargo = cargoConfig.indexOf(name);
        if (fromCargo.isPresent()) {
            return fromCargo;
        }
        return env.get(envName(name));
    }

    public Optional<String> nameOf(String indexUrl) {
        Optional<String> known = names.get(indexUrl);
        if (known != null) {
            return known;
        }
        Optional<String> found = lookUpName(indexUrl);
        if (names.size() < MAX_NAMES) {
            names.put(indexUrl, found);
        }
        return found;
    }

    private Optional<String> lookUpName(String indexUrl) {
        if (indexUrl.equals(Registry.CRATES_IO_INDEX)) {
            return Optional.of(Registry.CRATES_IO_NAME);
        }
        Optional<Config.RegistryConfig> configured = config.registryByIndex(indexUrl);
        if (configured.isPresent()) {
            return Optional.of(configured.get().name());
        }
        Optional<String> fromCargo = cargoConfig.nameOf(indexUrl);
        if (fromCargo.isPresent()) {
            return fromCargo;
        }
        for (Map.Entry<String, String> e : env.variables().entrySet()) {
            String variable = e.getKey();
            if (variable.startsWith(ENV_PREFIX) && variable.endsWith(ENV_SUFFIX) && e.getValue().equals(indexUrl)
                    && variable.length() > ENV_PREFIX.length() + ENV_SUFFIX.length()) {
                // cargo lower-cases a name it finds this way
                return Optional.of(variable.substring(ENV_PREFIX.length(), variable.length() - ENV_SUFFIX.length())
                        .toLowerCase(Locale.ROOT));
            }
        }
        return Optional.empty();
    }

    private static String envName(String name) {
        return ENV_PREFIX + name.toUpperCase(Locale.ROOT).replace('-', '_') + ENV_SUFFIX;
    }
}
