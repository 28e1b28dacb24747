package dev.latchkey.daemon.store.keychain;

import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Operation;

import java.util.List;
import java.util.Optional;

/**
 * The {@code keychain} store: this platform's keychain ({@code libsecret} on Linux,
 * {@code macos-keychain} on macOS, {@code wincred} on Windows) under the portable name, so one
 * config works everywhere. Its state says which keychain it is.
 */
public final class PlatformKeychainStore implements Store {
    private final Store platform;
    private volatile Described lastDescribed;

    /** {@code platform}: the keychain store {@link #choose} picked. */
    public PlatformKeychainStore(Store platform) {
        this.platform = platform;
    }

    /** The name of the keychain store for {@code os}: what {@code keychain} stands for there. */
    public static String choose(OperatingSystem os) {
        return switch (os) {
            case MACOS -> "macos-keychain";
            case WINDOWS -> "wincred";
            case LINUX, OTHER -> "libsecret";
        };
    }

    @Override
    public String name() {
        return "keychain";
    }

    @Override
    public String backend() {
        return platform.name();
    }

    @Override
    public boolean slow() {
        return platform.slow();
    }

    @Override
    public boolean keepsScopedTokens() {
        return platform.keepsScopedTokens();
    }

    @Override
    public boolean writable() {
        return platform.writable();
    }

    @Override
    public StoreState state() {
        return described(platform.state());
    }

    @Override
    public StoreState diagnose() {
        return described(platform.diagnose());
    }

    private StoreState described(StoreState state) {
        Described last = lastDescribed;
        if (last != null && last.plain() == state) {
            return last.described(); // most states are kept constants: don't build the same text per request
        }
        StoreState described = new StoreState(state.usable(), platform.name() + ": " + state.detail());
        lastDescribed = new Described(state, described);
        return described;
    }

    /** A state of the platform's store, and how it is shown here. */
    private record Described(StoreState plain, StoreState described) {
    }

    @Override
    public Optional<StoredToken> get(RegistryKey registry, Operation operation) throws CredentialException {
        return platform.get(registry, operation);
    }

    @Override
    public void put(RegistryKey registry, StoredToken token) throws CredentialException {
        platform.put(registry, token);
    }

    @Override
    public boolean erase(RegistryKey registry) throws CredentialException {
        return platform.erase(registry);
    }

    @Override
    public List<StoreEntry> list() throws CredentialException {
        return platform.list();
    }
}
