package dev.latchkey.daemon.service;

import dev.latchkey.daemon.config.StoreId;
import dev.latchkey.daemon.store.Arrival;
import dev.latchkey.daemon.store.CredentialKey;
import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.protocol.Secret;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's memory of tokens it read from {@linkplain Capabilities#slow() slow} stores: kept for
 * {@code daemon.cache-ttl}, never past the token's own expiration, and wiped when dropped. Reads
 * of other stores pass straight through, so a change made behind the daemon's back to its token
 * file is seen at once. The service forgets a key whenever it stores or erases a token for it.
 *
 * <p>The cache keeps its own copy of each token and hands out fresh copies, because whoever gets a
 * token wipes it once it is sent.
 */
public final class TokenCache {
    private final Duration ttl;
    private final Clock clock;
    private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
    /**
     * Counts {@link #forget}s. A read that began before a forget may have read the token that was
     * just replaced or erased: it is answered, but not kept. Guarded by this, with the keeping.
     */
    private long forgets;
    private ScheduledExecutorService sweeper; // made on first use
    /** Set by {@link #close()}: nothing more is kept. Guarded by this. */
    private boolean closed;

    private record Key(StoreId store, String credential) {
    }

    /** The tokens a store held for one key; their secrets are read and wiped only under the entry's lock. */
    private static final class Entry {
        private final List<StoredToken> tokens;
        private final Instant until;

        Entry(List<StoredToken> tokens, Instant until) {
            this.tokens = tokens;
            this.until = until;
        }

        /** Fresh copies; null once wiped. */
        synchronized List<StoredToken> copy() {
            List<StoredToken> copies = new ArrayList<>(tokens.size());
            for (StoredToken token : tokens) {
                if (token.secret().isWiped()) {
                    return null;
                }
                copies.add(TokenCache.copy(token));
            }
            return copies;
        }

        synchronized void wipe() {
            for (StoredToken token : tokens) {
                token.secret().wipe();
            }
        }
    }

    /** {@code ttl} zero: nothing is kept, every read goes to the store (how every process but the daemon runs). */
    public TokenCache(Duration ttl, Clock clock) {
        this.ttl = ttl;
        this.clock = clock;
    }

    public static TokenCache disabled() {
        return new TokenCache(Duration.ZERO, Clock.systemUTC());
    }

    /** {@code store}'s tokens for {@code credential}: the kept ones while they are fresh, else the store's. */
    public List<StoredToken> get(Store store, CredentialKey credential, Arrival arrival) throws StoreException {
        if (ttl.isZero() || !store.capabilities().slow()) {
            return store.get(credential, arrival);
        }
        Key key = new Key(store.capabilities().backend(), credential.canonical());
        Instant now = clock.instant();
        long forgetsBefore = forgets();
        Entry kept = entries.get(key);
        if (kept != null) {
            if (now.isBefore(kept.until)) {
                List<StoredToken> copies = kept.copy();
                if (copies != null) {
                    return copies;
                }
            }
            drop(key, kept);
        }
        List<StoredToken> found = store.get(credential, arrival);
        if (!found.isEmpty()) {
            keep(key, found, now, forgetsBefore);
        }
        return found;
    }

    /** Drops every token kept for {@code credential}: it was just stored or erased through the daemon. */
    public synchronized void forget(CredentialKey credential) {
        forgets++;
        entries.forEach((key, entry) -> {
            if (key.credential().equals(credential.canonical())) {
                drop(key, entry);
            }
        });
    }

    /**
     * Wipes every kept token and keeps none from now on, and stops the sweeper's thread: the
     * config this cache served is no longer served. A request still being answered reads its store.
     */
    public synchronized void close() {
        closed = true;
        entries.forEach(this::drop);
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
    }

    /** Until when tokens read at {@code now} may be kept: the TTL, cut short by the earliest of the tokens' own expirations. */
    static Instant keptUntil(Instant now, Duration ttl, List<StoredToken> tokens) {
        Instant until = now.plus(ttl);
        for (StoredToken token : tokens) {
            Long expiration = token.expiration();
            if (expiration != null && Instant.ofEpochSecond(expiration).isBefore(until)) {
                until = Instant.ofEpochSecond(expiration);
            }
        }
        return until;
    }

    private synchronized long forgets() {
        return forgets;
    }

    private synchronized void keep(Key key, List<StoredToken> tokens, Instant now, long forgetsBefore) {
        Instant until = keptUntil(now, ttl, tokens);
        if (closed || !now.isBefore(until) || forgets != forgetsBefore) {
            return; // expired already, or perhaps replaced while it was read: nothing to keep
        }
        List<StoredToken> copies = new ArrayList<>(tokens.size());
        for (StoredToken token : tokens) {
            copies.add(copy(token));
        }
        Entry entry = new Entry(copies, until);
        Entry previous = entries.put(key, entry);
        if (previous != null) {
            previous.wipe();
        }
        // Wiped when it goes stale even if nobody asks again: the daemon may sit idle for a long time.
        sweeper().schedule(() -> drop(key, entry), Duration.between(now, until).toMillis(), TimeUnit.MILLISECONDS);
    }

    private void drop(Key key, Entry entry) {
        if (entries.remove(key, entry)) {
            entry.wipe();
        }
    }

    private synchronized ScheduledExecutorService sweeper() {
        if (sweeper == null) {
            sweeper = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "latchkey-token-cache");
                thread.setDaemon(true);
                return thread;
            });
        }
        return sweeper;
    }

    private static StoredToken copy(StoredToken token) {
        return token.withSecret(Secret.copyOf(token.secret().exposeChars()));
    }
}
