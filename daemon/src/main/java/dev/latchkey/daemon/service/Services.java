package dev.latchkey.daemon.service;

import dev.latchkey.daemon.config.Config;
import dev.latchkey.daemon.config.ConfigException;
import dev.latchkey.daemon.config.ConfigLoader;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.registry.RegistryResolver;
import dev.latchkey.daemon.store.StoreCatalog;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link CredentialService} per config file, made when first asked for: a protocol request
 * may name its own config in cargo's {@code args}, and the config is read once per process.
 */
public final class Services {
    private final Environment env;
    private final Path defaultConfig;
    private final String version;
    private final Map<Optional<Path>, CredentialService> byConfig = new ConcurrentHashMap<>();

    /** {@code defaultConfig} null: the config file of SPEC §8. */
    public Services(Environment env, Path defaultConfig, String version) {
        this.env = env;
        this.defaultConfig = defaultConfig;
        this.version = version;
    }

    /** The service for {@code configPath}, or for the default config when null. */
    public synchronized CredentialService forConfig(Path configPath) throws ConfigException {
        Optional<Path> key = Optional.ofNullable(configPath != null ? configPath : defaultConfig);
        CredentialService service = byConfig.get(key);
        if (service == null) {
            Config config = new ConfigLoader(env).load(key.orElse(null));
            RegistryResolver resolver = new RegistryResolver(config, env);
            service = new CredentialService(config, new StoreCatalog(config, env, resolver), resolver,
                    Clock.systemUTC(), version);
            byConfig.put(key, service);
        }
        return service;
    }

    public Environment environment() {
        return env;
    }
}
