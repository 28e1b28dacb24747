package dev.latchkey.daemon.store;

import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Operation;

import java.util.List;
import java.util.Optional;

/**
 * Where tokens live. Four operations, as small as docker's helper contract; stores know this
 * interface and their own backend, never a transport or the wire format.
 *
 * <p>Failures are {@link CredentialException}s: {@code Locked} and {@code Unavailable} with the
 * fix in the message; "nothing stored" is an empty result, never an exception.
 */
public interface Store {

    /** The name users write in config and on the command line. */
    String name();

    /**
     * The name of the store that really holds the tokens: {@code keychain} stands for this
     * platform's keychain store, and latchkey's metadata on a token is kept under that one's name.
     */
    default String backend() {
        return name();
    }

    /** Whether its tokens outlive this process; latchkey's metadata book describes only such stores' tokens. */
    default boolean persistent() {
        return true;
    }

    /** Whether {@link #put} and {@link #erase} can work at all. */
    boolean writable();

    /**
     * Whether a read is slow enough (a keychain, a command, a decryption) that the daemon keeps
     * what it read for {@code daemon.cache-ttl}. A store that others change behind latchkey's back,
     * such as a file, must say no, so that every read sees their change.
     */
    default boolean slow() {
        return false;
    }

    /**
     * Whether {@link #put} can keep a token limited to some operations. Stores shaped as cargo's own
     * (a keychain item, cargo's credentials file) hold one token per registry for every operation,
     * so a scoped token that is not sent to a named store goes to the first store that can keep it.
     */
    default boolean keepsScopedTokens() {
        return true;
    }

    /**
     * Checked cheaply before a store is relied on (every lookup asks): whether it can be asked at
     * all here. Conditions a call reports by itself (a locked keyring) leave it usable.
     */
    StoreState state();

    /**
     * What {@code status} and {@code doctor} report: {@link #state()}, plus what only asking the
     * backend shows (a locked keyring, a service that does not answer), with the fix in the detail.
     */
    default StoreState diagnose() {
        return state();
    }

    /**
     * A warning to hand out with each token this store gives now (a file of cargo's that others can
     * read, say), naming the fix; null when there is none.
     */
    default String caution() {
        return null;
    }

    /** The token for {@code registry} that serves {@code operation}, if this store has one. */
    Optional<StoredToken> get(RegistryKey registry, Operation operation) throws CredentialException;

    /**
     * Keeps {@code token} for {@code registry}, replacing a token of the same operations. Callers
     * check {@link #writable()} first.
     */
    void put(RegistryKey registry, StoredToken token) throws CredentialException;

    /** Removes every token for {@code registry}; false when there was none. */
    boolean erase(RegistryKey registry) throws CredentialException;

    /** Every token this store holds, described. */
    List<StoreEntry> list() throws CredentialException;
}
