package dev.latchkey.daemon.service;

import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Secret;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's memory of tokens it read from {@linkplain Store#slow() slow} stores: kept for
 * {@code daemon.cache-ttl}, never past the token's own expiration, and wiped when dropped. Reads
 * of other stores pass straight through, so a change made behind the daemon's back to its token
 * file is seen at once. The service forgets a registry whenever it stores or erases a token for it.
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

    private record Key(String store, String indexUrl, Operation operation) {
    }

    /** A kept token; its secret is read and wiped only under the entry's lock. */
    private static final class Entry {
        private final StoredToken token;
        private final Instant until;

        Entry(StoredToken token, Instant until) {
            this.token = token;
            this.until = until;
        }

        synchronized Optional<StoredToken> copy() {
            return token.secret().isWiped() ? Optional.empty() : Optional.of(TokenCache.copy(token));
        }

        synchronized void wipe() {
            token.secret().wipe();
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

    /** {@code store}'s token for {@code registry} and {@code operation}: the kept one while it is fresh, else the store's. */
    public Optional<StoredToken> get(Store store, RegistryKey registry, Operation operation) throws CredentialException {
        if (ttl.isZero() || !store.slow()) {
            return store.get(registry, operation);
        }
        Key key = new Key(store.name(), registry.indexUrl(), operation);
        Instant now = clock.instant();
        long forgetsBefore = forgets();
        Entry kept = entries.get(key);
        if (kept != null) {
            if (now.isBefore(kept.until)) {
                Optional<StoredToken> copy = kept.copy();
                if (copy.isPresent()) {
                    return copy;
                }
            }
            drop(key, kept);
        }
        Optional<StoredToken> found = store.get(registry, operation);
        found.ifPresent(token -> keep(key, token, now, forgetsBefore));
        return found;
    }

    /** Drops every token kept for {@code registry}: it was just stored or erased through the daemon. */
    public synchronized void forget(RegistryKey registry) {
        forgets++;
        entries.forEach((key, entry) -> {
            if (key.indexUrl().equals(registry.indexUrl())) {
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

    /** Until when a token read at {@code now} may be kept: the TTL, cut short by the token's own expiration. */
    static Instant keptUntil(Instant now, Duration ttl, Long expiration) {
        Instant until = now.plus(ttl);
        if (expiration != null && Instant.ofEpochSecond(expiration).isBefore(until)) {
            return Instant.ofEpochSecond(expiration);
        }
        return until;
    }

    private synchronized long forgets() {
        return forgets;
    }

    private synchronized void keep(Key key, StoredToken token, Instant now, long forgetsBefore) {
        Instant until = keptUntil(now, ttl, token.expiration());
        if (closed || !now.isBefore(until) || forgets != forgetsBefore) {
            return; // expired already, or perhaps replaced while it was read: nothing to keep
        }
        Entry entry = new Entry(copy(token), until);
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
