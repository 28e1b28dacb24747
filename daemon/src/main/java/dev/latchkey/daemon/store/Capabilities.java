package dev.latchkey.daemon.store;

import dev.latchkey.daemon.config.StoreId;

/**
 * What a store is and can do, which the service goes by instead of by the store's name.
 *
 * @param backend       the store that really holds the credentials ({@code keychain} stands for this
 *                      platform's); latchkey's metadata on a credential is kept under it, and a store
 *                      reached by two names is asked once
 * @param writable      whether {@code put} and {@code erase} can work at all
 * @param persistent    whether its credentials outlive this process; the metadata book describes only theirs
 * @param slow          whether a read is slow enough (a keychain, a command) that the daemon keeps what it
 *                      read for {@code daemon.cache-ttl}; a store others change behind latchkey's back (a
 *                      file) must say no, so that every read sees their change
 * @param scopedTokens  whether it can keep a token limited to some operations; stores shaped as cargo's own
 *                      (a keychain item, cargo's file) hold one token per registry for every operation
 * @param logins        whether it can keep logins (a site and a user name), not only registry tokens
 * @param onlyWhenNamed whether latchkey writes here only when the store is named for the request or the
 *                      registry (cargo's file: cargo warns about each token it finds there)
 */
public record Capabilities(StoreId backend, boolean writable, boolean persistent, boolean slow, boolean scopedTokens,
                           boolean logins, boolean onlyWhenNamed) {

    /** A store that keeps registry tokens and logins, scoped or not, read fast, in files or memory that outlive the process. */
    public static Capabilities writable(StoreId backend) {
        return new Capabilities(backend, true, true, false, true, true, false);
    }

    /** A store latchkey only reads registry tokens from. */
    public static Capabilities readOnly(StoreId backend) {
        return new Capabilities(backend, false, true, false, false, false, false);
    }

    public Capabilities slowToRead() {
        return new Capabilities(backend, writable, persistent, true, scopedTokens, logins, onlyWhenNamed);
    }

    public Capabilities oneTokenPerRegistry() {
        return new Capabilities(backend, writable, persistent, slow, false, logins, onlyWhenNamed);
    }

    public Capabilities withoutLogins() {
        return new Capabilities(backend, writable, persistent, slow, scopedTokens, false, onlyWhenNamed);
    }

    public Capabilities forgottenAtExit() {
        return new Capabilities(backend, writable, false, slow, scopedTokens, logins, onlyWhenNamed);
    }

    public Capabilities writtenOnlyWhenNamed() {
        return new Capabilities(backend, writable, persistent, slow, scopedTokens, logins, true);
    }
}
