package dev.latchkey.daemon.service;

import dev.latchkey.daemon.audit.AuditLog;
import dev.latchkey.daemon.config.Config;
import dev.latchkey.daemon.config.ConfigException;
import dev.latchkey.daemon.config.ConfigLoader;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.config.Locations;
import dev.latchkey.daemon.metadata.MetadataBook;
import dev.latchkey.daemon.registry.RegistryResolver;
import dev.latchkey.daemon.store.StoreCatalog;
import dev.latchkey.protocol.TokenVariables;

import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
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
    private final boolean cacheSlowStores;
    private final Map<Optional<Path>, CredentialService> byConfig = new ConcurrentHashMap<>();
    /** {@link Locations#signature()} of {@link #env}, made when first compared. */
    private volatile String locations;

    /** {@code defaultConfig} null: the config file of SPEC §8. */
    public Services(Environment env, Path defaultConfig, String version) {
        this(env, defaultConfig, version, false);
    }

    /** {@code cacheSlowStores}: keep tokens read from slow stores for the config's {@code daemon.cache-ttl}, as the daemon does. */
    private Services(Environment env, Path defaultConfig, String version, boolean cacheSlowStores) {
        this.env = env;
        this.defaultConfig = defaultConfig;
        this.version = version;
        this.cacheSlowStores = cacheSlowStores;
    }

    /**
     * The daemon's services: tokens read from slow stores are cached, and the {@code env} store sees
     * no token variables, because the daemon's environment is not its callers'. Callers whose
     * environment holds tokens are served in their own process instead ({@link #environmentHoldsTokens()}).
     */
    public static Services forDaemon(Environment env, Path defaultConfig, String version) {
        Map<String, String> variables = new HashMap<>(env.variables());
        variables.keySet().removeIf(TokenVariables::isTokenVariable);
        return new Services(new Environment(variables, env.workingDirectory(), env.home()), defaultConfig, version, true);
    }

    /** Whether this process's environment holds tokens for the {@code env} store, which only this process can see. */
    public boolean environmentHoldsTokens() {
        return holdTokens(env.variables());
    }

    /** Whether {@code variables} hold tokens for the {@code env} store. */
    public static boolean holdTokens(Map<String, String> variables) {
        for (Map.Entry<String, String> e : variables.entrySet()) {
            if (TokenVariables.isTokenVariable(e.getKey()) && !e.getValue().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a caller whose environment has the {@link Locations#signature() signature}
     * {@code callerLocations} keeps its files where this environment does, so that these services
     * answer it as its own process would. The daemon serves a caller only then.
     */
    public boolean sharesLocations(String callerLocations) {
        String own = locations;
        if (own == null) {
            locations = own = new Locations(env).signature();
        }
        return own.equals(callerLocations);
    }

    /** The service for {@code configPath}, or for the default config when null. */
    public synchronized CredentialService forConfig(Path configPath) throws ConfigException {
        Optional<Path> key = Optional.ofNullable(configPath != null ? configPath : defaultConfig);
        CredentialService service = byConfig.get(key);
        if (service == null) {
            Config config = new ConfigLoader(env).load(key.orElse(null));
            RegistryResolver resolver = new RegistryResolver(config, env);
            TokenCache cache = cacheSlowStores ? new TokenCache(config.cacheTtl(), Clock.systemUTC()) : TokenCache.disabled();
            // The daemon (which caches) serves other processes: it never asks at its own terminal.
            Path state = new Locations(env).stateDirectory();
            service = new CredentialService(config, new StoreCatalog(config, env, resolver, !cacheSlowStores), resolver,
                    Clock.systemUTC(), version, cache, new MetadataBook(state.resolve("metadata.json")),
                    new AuditLog(state.resolve("audit.log")));
            byConfig.put(key, service);
        }
        return service;
    }

    public Environment environment() {
        return env;
    }

    /** The config file named on the command line or in {@code LATCHKEY_CONFIG}; null for the default location. */
    public Path explicitConfig() {
        return defaultConfig;
    }
}
