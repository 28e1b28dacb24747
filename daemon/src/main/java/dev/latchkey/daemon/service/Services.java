package dev.latchkey.daemon.service;

import dev.latchkey.daemon.audit.AuditLog;
import dev.latchkey.daemon.config.Config;
import dev.latchkey.daemon.config.ConfigException;
import dev.latchkey.daemon.config.ConfigLoader;
import dev.latchkey.daemon.config.ConfigStamp;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.config.Locations;
import dev.latchkey.daemon.metadata.MetadataBook;
import dev.latchkey.daemon.registry.RegistryResolver;
import dev.latchkey.daemon.store.Arrival;
import dev.latchkey.daemon.store.memory.MemoryStore;
import dev.latchkey.protocol.TokenVariables;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One {@link CredentialService} per config file, made when first asked for: a protocol request
 * may name its own config in cargo's {@code args}, and the config is read once per process.
 *
 * <p>What is the user's rather than a config's is made once and shared by every config's service:
 * the audit log (one open file) and the metadata book, both in the state directory. A config's
 * service, with its stores and the daemon's cache of their tokens, is kept by the config file's
 * real path, so two spellings of one file share it; at most {@link #MAX_NAMED_CONFIGS} named ones
 * are kept besides the default, and the oldest goes (its cached tokens wiped) when another comes,
 * so a caller naming ever new configs costs the daemon no more than that. The lookup of a config
 * served before takes no lock.
 *
 * <p>The daemon looks at each config file it serves ({@code stat}) before every request, and
 * serves a changed one anew, so that its answers are the ones a process of its own would give
 * (a broken one fails the request, naming the line, as it does there). The memory store is the
 * daemon's, kept across such changes; a process serving itself has none.
 */
public final class Services {
    /** How many configs named by requests are kept at once, besides the default one. */
    static final int MAX_NAMED_CONFIGS = 16;

    private final Environment env;
    private final Path defaultConfig;
    private final String version;
    private final boolean cacheSlowStores;
    /** Each config as it was named (absolute), to its service: several names may share one. */
    private final Map<Path, Served> byName = new ConcurrentHashMap<>();
    /** Each config by its real path, oldest first; guarded by this. */
    private final Map<Path, Served> byRealPath = new LinkedHashMap<>();
    /** The service of the default config, which is never let go. */
    private volatile Served byDefault;
    /** Made with the first service; guarded by this. */
    private AuditLog audit;
    private MetadataBook book;
    /** {@link Locations#signature()} of {@link #env}, made when first compared. */
    private volatile String locations;

    /** What a process that serves only itself says when asked to keep a token in memory. */
    static final String NO_MEMORY_HERE = "this process serves only itself and exits after its requests, so a token kept in its "
            + "memory would be lost with it: start the daemon (`latchkey daemon`) to keep tokens in memory, or name a store "
            + "that keeps them on disk (`--store file`)";

    /** The memory store of every config served here. */
    private final MemoryStore memory;

    /** A config's service, its cache (wiped when the service is let go), and how its file looked when read. */
    private record Served(CredentialService service, TokenCache cache, ConfigStamp stamp, AtomicLong lookedAt) {
        Served(CredentialService service, TokenCache cache, ConfigStamp stamp) {
            this(service, cache, stamp, new AtomicLong(System.nanoTime()));
        }
    }

    /** {@code defaultConfig} null: the config file of docs/configuration.md. */
    public Services(Environment env, Path defaultConfig, String version) {
        this(env, defaultConfig, version, false);
    }

    /** {@code cacheSlowStores}: keep tokens read from slow stores for the config's {@code daemon.cache-ttl}, as the daemon does. */
    private Services(Environment env, Path defaultConfig, String version, boolean cacheSlowStores) {
        this.env = env;
        this.defaultConfig = defaultConfig;
        this.version = version;
        this.cacheSlowStores = cacheSlowStores;
        this.memory = cacheSlowStores ? new MemoryStore() : MemoryStore.unusable(NO_MEMORY_HERE);
    }

    /**
     * The daemon's services: tokens read from slow stores are cached, and the {@code env} store sees
     * no token variables, because the daemon's environment is not its callers'. A request that would
     * read a variable its caller holds is served in the caller's own process instead ({@link TokenVariableWithheld}).
     */
    public static Services forDaemon(Environment env, Path defaultConfig, String version) {
        Map<String, String> variables = new HashMap<>(env.variables());
        variables.keySet().removeIf(TokenVariables::isTokenVariable);
        return new Services(new Environment(variables, env.workingDirectory(), env.home()), defaultConfig, version, true);
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
    public CredentialService forConfig(Path configPath) throws ConfigException {
        return forConfig(configPath, Arrival.NOW);
    }

    /**
     * The same for a request read at {@code arrival}: the daemon looks at the config file once for
     * the requests it read at one wake-up, as it does at a token file (a look begun after they
     * arrived sees every change made before they were sent).
     */
    public CredentialService forConfig(Path configPath, Arrival arrival) throws ConfigException {
        Path named = configPath != null ? configPath : defaultConfig;
        Served served = named == null ? byDefault : byName.get(named);
        return served != null && current(served, arrival) ? served.service() : make(named);
    }

    /** Whether {@code served} answers from its config file as it is now: always, but in the daemon. */
    private boolean current(Served served, Arrival arrival) {
        if (!cacheSlowStores || arrival.known() && served.lookedAt().get() - arrival.readAt() >= 0) {
            return true;
        }
        long lookingAt = System.nanoTime();
        if (!served.stamp().isCurrent()) {
            return false;
        }
        served.lookedAt().accumulateAndGet(lookingAt, Math::max);
        return true;
    }

    private synchronized CredentialService make(Path named) throws ConfigException {
        Served served = named == null ? byDefault : byName.get(named);
        if (served != null && current(served, Arrival.NOW)) {
            return served.service(); // made by another thread meanwhile
        }
        Path file = named != null ? named : new Locations(env).configFile();
        Path real = realPath(file);
        served = byRealPath.get(real);
        if (served != null && !current(served, Arrival.NOW)) {
            letGo(real, served);
            served = null;
        }
        if (served == null) {
            served = load(named, ConfigStamp.of(file));
            byRealPath.put(real, served);
            if (byRealPath.size() > MAX_NAMED_CONFIGS + 1) {
                letGoOfTheOldest();
            }
        }
        if (named == null) {
            byDefault = served;
        } else {
            if (byName.size() >= 4 * MAX_NAMED_CONFIGS) {
                byName.clear(); // names for the same files, found again by their real path when next asked for
            }
            byName.put(named, served);
        }
        return served.service();
    }

    /**
     * A service of the built-in defaults, as if there were no config file: what {@code doctor}
     * reports when the config cannot be used. Made anew for each call.
     */
    public synchronized CredentialService withoutConfigFile() {
        return serve(Config.defaults(new Locations(env)), null).service();
    }

    /** The service of the config file {@code named}, whose {@code stamp} was taken before it was read. */
    private Served load(Path named, ConfigStamp stamp) throws ConfigException {
        return serve(new ConfigLoader(env).load(named), stamp);
    }

    private Served serve(Config config, ConfigStamp stamp) {
        if (audit == null) {
            Path state = new Locations(env).stateDirectory();
            audit = new AuditLog(state.resolve("audit.log"));
            book = new MetadataBook(state.resolve("metadata.json"));
        }
        RegistryResolver resolver = new RegistryResolver(config, env);
        TokenCache cache = cacheSlowStores ? new TokenCache(config.cacheTtl(), Clock.systemUTC()) : TokenCache.disabled();
        // The daemon (which caches) serves other processes: it never asks at its own terminal.
        CredentialService service = new CredentialService(config, new StoreCatalog(config, env, resolver, memory, !cacheSlowStores),
                resolver, env, Clock.systemUTC(), version, cache, book, audit);
        return new Served(service, cache, stamp);
    }

    /** Lets go of the named config served longest ago, wiping what its cache holds; never the default one. */
    private void letGoOfTheOldest() {
        for (Map.Entry<Path, Served> oldest : byRealPath.entrySet()) {
            if (oldest.getValue() != byDefault) {
                letGo(oldest.getKey(), oldest.getValue());
                return;
            }
        }
    }

    /** Forgets the service of the config file at {@code real}, wiping what its cache holds. */
    private void letGo(Path real, Served gone) {
        byRealPath.remove(real);
        byName.values().removeIf(served -> served == gone);
        if (byDefault == gone) {
            byDefault = null;
        }
        gone.cache().close();
    }

    /** The file's real path (links resolved), so that two names of one file are one config; a missing file's own path. */
    private static Path realPath(Path file) {
        try {
            return file.toRealPath();
        } catch (IOException | RuntimeException e) {
            return file.toAbsolutePath().normalize();
        }
    }

    public Environment environment() {
        return env;
    }

    /** The config file named on the command line or in {@code LATCHKEY_CONFIG}; null for the default location. */
    public Path explicitConfig() {
        return defaultConfig;
    }
}
