package dev.latchkey.daemon.service;

import dev.latchkey.daemon.config.Config;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.config.Locations;
import dev.latchkey.daemon.config.StoreId;
import dev.latchkey.daemon.registry.RegistryResolver;
import dev.latchkey.daemon.registry.TrustedNames;
import dev.latchkey.daemon.store.NameBindings;
import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.store.cargo.CargoCredentialsStore;
import dev.latchkey.daemon.store.command.CommandStore;
import dev.latchkey.daemon.store.encrypted.EncryptedStore;
import dev.latchkey.daemon.store.encrypted.Passphrases;
import dev.latchkey.daemon.store.env.EnvStore;
import dev.latchkey.daemon.store.file.TokenFileStore;
import dev.latchkey.daemon.store.keychain.OperatingSystem;
import dev.latchkey.daemon.store.keychain.PlatformKeychainStore;
import dev.latchkey.daemon.store.macos.MacosKeychainStore;
import dev.latchkey.daemon.store.memory.MemoryStore;
import dev.latchkey.daemon.store.secretservice.EncryptionKeys;
import dev.latchkey.daemon.store.secretservice.SecretServiceStore;
import dev.latchkey.daemon.store.wincred.WincredStore;
import dev.latchkey.protocol.CredentialException;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** The stores by name, each made on first use: a request that needs only the file store opens nothing else. */
public final class StoreCatalog {
    private final Config config;
    private final Environment env;
    private final RegistryResolver resolver;
    private final MemoryStore memory;
    private final boolean mayAsk;
    private final Map<StoreId, Store> made = new EnumMap<>(StoreId.class); // guarded by this
    private TrustedNames trustedNames; // guarded by this
    /**
     * A registry's index URL by name, for the stores that know registries by name. A class, not the
     * method reference {@code resolver::indexOf}: linking that costs a fresh JVM a few milliseconds,
     * on the path of every cargo request.
     */
    private final Function<String, Optional<String>> indexOfName = new Function<>() {
        @Override
        public Optional<String> apply(String name) {
            return resolver.indexOf(name);
        }
    };

    /**
     * @param memory the memory store, which outlives this catalog (the daemon's, kept across config
     *               changes); in a process that serves itself, one that refuses every token
     * @param mayAsk whether a store may ask at the terminal (the encrypted store's passphrase);
     *               never in the daemon, which serves other processes
     */
    public StoreCatalog(Config config, Environment env, RegistryResolver resolver, MemoryStore memory, boolean mayAsk) {
        this.config = config;
        this.env = env;
        this.resolver = resolver;
        this.memory = memory;
        this.mayAsk = mayAsk;
    }

    /** The store a user named {@code name}; an unknown name is the caller's mistake. */
    public Store named(String name) throws CredentialException {
        Optional<StoreId> id = StoreId.named(name);
        if (id.isEmpty()) {
            throw new CredentialException.BadRequest("unknown store `" + name + "`; stores are " + StoreId.allNames());
        }
        return get(id.get());
    }

    /** The store {@code id}; making one has no effect beyond the object. */
    public synchronized Store get(StoreId id) {
        Store store = made.get(id);
        if (store == null) {
            made.put(id, store = make(id));
        }
        return store;
    }

    private Store make(StoreId id) {
        return switch (id) {
            case ENV -> new EnvStore(env, nameBindings());
            case FILE -> new TokenFileStore(config.tokenFile());
            case CARGO -> new CargoCredentialsStore(new Locations(env).cargoHome(), nameBindings());
            case MEMORY -> memory;
            case COMMAND -> new CommandStore(config.commandGet(), config.passphraseEnv(), trustedNameOf());
            // Making a keychain store loads no native code: that waits for its first use.
            case LIBSECRET -> new SecretServiceStore(OperatingSystem.current(), env);
            case MACOS_KEYCHAIN -> new MacosKeychainStore(OperatingSystem.current());
            case WINCRED -> new WincredStore(OperatingSystem.current());
            case KEYCHAIN -> new PlatformKeychainStore(get(PlatformKeychainStore.choose(OperatingSystem.current())));
            // Making it loads neither javax.crypto nor scrypt, nor JNA for a key kept in the keychain.
            case ENCRYPTED -> new EncryptedStore(config.encryptedFile(), config.encryptedKey(),
                    new Passphrases(env, config.passphraseEnv(), mayAsk ? Passphrases.Terminal.CONTROLLING : null),
                    new EncryptionKeys(OperatingSystem.current(), env));
        };
    }

    /** The names only the user's own config files bind: made once, for the stores that act on names. */
    private TrustedNames trustedNames() { // guarded by this, as make is
        if (trustedNames == null) {
            trustedNames = new TrustedNames(config, new Locations(env).cargoHome());
        }
        return trustedNames;
    }

    /** The name the command store may put in its command for an index URL. */
    private Function<String, Optional<String>> trustedNameOf() {
        TrustedNames trusted = trustedNames();
        return new Function<>() {
            @Override
            public Optional<String> apply(String indexUrl) {
                return trusted.nameOf(indexUrl);
            }
        };
    }

    /** What a name stands for, for the env and cargo stores: anywhere, for list; where it is trusted, for a token. */
    private NameBindings nameBindings() {
        TrustedNames trusted = trustedNames();
        return new NameBindings(indexOfName, new Function<>() {
            @Override
            public Optional<String> apply(String name) {
                return trusted.indexOf(name);
            }
        });
    }
}
