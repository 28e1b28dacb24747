package dev.latchkey.daemon.service;

import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.store.cargo.CargoCredentialsStore;
import dev.latchkey.daemon.store.command.CommandStore;
import dev.latchkey.daemon.store.env.EnvStore;
import dev.latchkey.daemon.store.file.TokenFileStore;
import dev.latchkey.daemon.store.memory.MemoryStore;

import dev.latchkey.daemon.config.Config;
import dev.latchkey.daemon.config.ConfigLoader;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.config.Locations;
import dev.latchkey.daemon.registry.RegistryResolver;
import dev.latchkey.daemon.store.encrypted.EncryptedStore;
import dev.latchkey.daemon.store.encrypted.Passphrases;
import dev.latchkey.daemon.store.keychain.OperatingSystem;
import dev.latchkey.daemon.store.keychain.PlatformKeychainStore;
import dev.latchkey.daemon.store.macos.MacosKeychainStore;
import dev.latchkey.daemon.store.secretservice.EncryptionKeys;
import dev.latchkey.daemon.store.secretservice.SecretServiceStore;
import dev.latchkey.daemon.store.wincred.WincredStore;
import dev.latchkey.protocol.CredentialException;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** The stores by name, each made on first use: a request that needs only the file store opens nothing else. */
public final class StoreCatalog {
    /** The order {@code status} and {@code doctor} report stores in. */
    public static final List<String> ALL = List.of("env", "keychain", "libsecret", "macos-keychain", "wincred", "file", "cargo", "encrypted", "command", "memory");

    private final Config config;
    private final Environment env;
    private final RegistryResolver resolver;
    private final boolean mayAsk;
    private final Map<String, Store> made = new ConcurrentHashMap<>();
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

    /** Stores that may ask at the terminal (for the encrypted store's passphrase). */
    public StoreCatalog(Config config, Environment env, RegistryResolver resolver) {
        this(config, env, resolver, true);
    }

    /** {@code mayAsk} false: no store asks at the terminal (the daemon's, which serves other processes). */
    public StoreCatalog(Config config, Environment env, RegistryResolver resolver, boolean mayAsk) {
        this.config = config;
        this.env = env;
        this.resolver = resolver;
        this.mayAsk = mayAsk;
    }

    /** The store called {@code name}; an unknown name is the caller's mistake. */
    public Store named(String name) throws CredentialException {
        if (!ConfigLoader.STORE_NAMES.contains(name)) {
            throw new CredentialException.BadRequest("unknown store `" + name + "`; stores are "
                    + String.join(", ", ConfigLoader.STORE_NAMES.stream().sorted().toList()));
        }
        Store store = made.get(name);
        if (store == null) {
            // Making a store has no effect beyond the object, so two threads may both make one.
            Store raced = made.putIfAbsent(name, store = make(name));
            store = raced != null ? raced : store;
        }
        return store;
    }

    private Store make(String name) {
        return switch (name) {
            case "env" -> new EnvStore(env, indexOfName);
            case "file" -> new TokenFileStore(config.tokenFile());
            case "cargo" -> new CargoCredentialsStore(new Locations(env).cargoHome(), indexOfName);
            case "memory" -> new MemoryStore();
            case "command" -> new CommandStore(config.commandGet(), config.passphraseEnv());
            // Making a keychain store loads no native code: that waits for its first use.
            case "libsecret" -> new SecretServiceStore(OperatingSystem.current(), env);
            case "macos-keychain" -> new MacosKeychainStore(OperatingSystem.current());
            case "wincred" -> new WincredStore(OperatingSystem.current());
            case "keychain" -> new PlatformKeychainStore(make(PlatformKeychainStore.choose(OperatingSystem.current())));
            // Making it loads neither javax.crypto nor scrypt, nor JNA for a key kept in the keychain.
            case "encrypted" -> new EncryptedStore(config.encryptedFile(), config.encryptedKey(),
                    new Passphrases(env, config.passphraseEnv(), mayAsk ? Passphrases.Terminal.CONTROLLING : null), new EncryptionKeys(OperatingSystem.current(), env));
            default -> throw new IllegalArgumentException("no store is called " + name);
        };
    }
}
