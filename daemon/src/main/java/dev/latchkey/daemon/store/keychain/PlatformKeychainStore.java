package dev.latchkey.daemon.store.keychain;

import dev.latchkey.daemon.config.StoreId;
import dev.latchkey.daemon.store.Arrival;
import dev.latchkey.daemon.store.Capabilities;
import dev.latchkey.daemon.store.CredentialKey;
import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.StoredToken;

import java.util.List;

/**
 * The {@code keychain} store: this platform's keychain ({@code libsecret} on Linux,
 * {@code macos-keychain} on macOS, {@code wincred} on Windows) under the portable name, so one
 * config works everywhere. Its state says which keychain it is; its capabilities are the
 * platform's, whose store holds the credentials.
 */
public final class PlatformKeychainStore implements Store {
    private final Store platform;
    private volatile Described lastDescribed;

    /** {@code platform}: the keychain store {@link #choose} picked. */
    public PlatformKeychainStore(Store platform) {
        this.platform = platform;
    }

    /** The keychain store for {@code os}: what {@code keychain} stands for there. */
    public static StoreId choose(OperatingSystem os) {
        return switch (os) {
            case MACOS -> StoreId.MACOS_KEYCHAIN;
            case WINDOWS -> StoreId.WINCRED;
            case LINUX, OTHER -> StoreId.LIBSECRET;
        };
    }

    @Override
    public StoreId id() {
        return StoreId.KEYCHAIN;
    }

    @Override
    public Capabilities capabilities() {
        return platform.capabilities();
    }

    @Override
    public StoreState diagnose(boolean thorough) {
        StoreState state = platform.diagnose(thorough);
        Described last = lastDescribed;
        if (last != null && last.plain() == state) {
            return last.described(); // most states are kept constants: don't build the same text per request
        }
        StoreState described = new StoreState(state.usable(), platform.id() + ": " + state.detail(), state.caution());
        lastDescribed = new Described(state, described);
        return described;
    }

    /** A state of the platform's store, and how it is shown here. */
    private record Described(StoreState plain, StoreState described) {
    }

    @Override
    public List<StoredToken> get(CredentialKey key, Arrival arrival) throws StoreException {
        return platform.get(key, arrival);
    }

    @Override
    public void put(CredentialKey key, StoredToken token) throws StoreException {
        platform.put(key, token);
    }

    @Override
    public boolean erase(CredentialKey key) throws StoreException {
        return platform.erase(key);
    }

    @Override
    public List<StoreEntry> list(Arrival arrival) throws StoreException {
        return platform.list(arrival);
    }
}
