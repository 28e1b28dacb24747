package dev.latchkey.daemon.service;

import dev.latchkey.daemon.metadata.BookEntry;
import dev.latchkey.daemon.metadata.MetadataBook;
import dev.latchkey.daemon.store.Arrival;
import dev.latchkey.daemon.store.Capabilities;
import dev.latchkey.daemon.store.CredentialKey;
import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Secret;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every call the service makes into a store, with the metadata book and the daemon's cache kept in
 * step and the store's failures mapped once ({@link StoreFailures}). What a token's store knows of
 * it (a token file keeps its expiry and operations, a keychain item nothing) is completed from the
 * book for every store whose tokens outlive the process and that latchkey writes; read-only
 * stores (the environment, a command) are never looked up there, so their tokens cost no file read.
 */
final class StoreAccess {
    private final MetadataBook book;
    private final TokenCache cache;
    private final Clock clock;

    StoreAccess(MetadataBook book, TokenCache cache, Clock clock) {
        this.book = book;
        this.cache = cache;
        this.clock = clock;
    }

    long now() {
        return clock.instant().getEpochSecond();
    }

    /** A credential found: the token, the store that gave it, what is known of its life, and its book entry (or null). */
    record Found(StoredToken token, Store store, Lifetime life, BookEntry entry) {
    }

    /** What a lookup came to: the credential found, or null and when the newest expired one found expired (or null). */
    record Outcome(Found found, Long expiredAt) {
    }

    /** The book, or null when it cannot be read: a lookup then fails only if it finds a token whose metadata it needs. */
    MetadataBook.Page bookOrNull(Arrival arrival) {
        try {
            return book.read(arrival);
        } catch (StoreException unreadable) {
            return null;
        }
    }

    MetadataBook.Page book(Arrival arrival) throws CredentialException {
        try {
            return book.read(arrival);
        } catch (StoreException e) {
            throw StoreFailures.of(e);
        }
    }

    /**
     * The first credential of {@code key} for {@code operation} in {@code order} that has not
     * expired. A store that is locked or unavailable may hold it: the others are still asked, and
     * when none has it that failure is the answer, never "not found".
     */
    Outcome find(List<Store> order, CredentialKey key, Operation operation, MetadataBook.Page page, Arrival arrival)
            throws CredentialException {
        long now = now();
        CredentialException firstFailure = null;
        Long expiredAt = null;
        for (Store store : order) {
            Optional<StoredToken> best;
            try {
                best = TokenChoice.best(cache.get(store, key, arrival), operation);
            } catch (StoreException.Locked | StoreException.Unavailable e) {
                firstFailure = firstFailure == null ? StoreFailures.of(e) : firstFailure;
                continue;
            } catch (StoreException e) {
                throw StoreFailures.of(e);
            }
            if (best.isEmpty()) {
                continue;
            }
            StoredToken token = best.get();
            Optional<BookEntry> entry = Optional.empty();
            if (describedInBook(store)) {
                try {
                    page = page != null ? page : book.read(arrival);
                } catch (StoreException e) {
                    token.secret().wipe(); // its expiry may be written there: never hand it out unread
                    throw StoreFailures.of(e);
                }
                entry = page.entryFor(key.canonical(), token.secret());
            }
            Lifetime life = Lifetime.of(token, entry);
            if (life.expiration() != null && life.expiration() <= now) {
                expiredAt = expiredAt == null ? life.expiration() : expiredAt;
                token.secret().wipe();
                continue;
            }
            return new Outcome(new Found(token, store, life, entry.orElse(null)), null);
        }
        if (firstFailure != null) {
            throw firstFailure;
        }
        return new Outcome(null, expiredAt);
    }

    /**
     * Records in the book that {@code found} was handed out, at most once a minute; what went
     * wrong, for a warning, or null.
     */
    String used(CredentialKey key, Found found) {
        if (!describedInBook(found.store())) {
            return null;
        }
        long now = now();
        StoredToken token = found.token();
        String backend = found.store().capabilities().backend().configName();
        BookEntry entry = found.entry();
        if (entry != null && !MetadataBook.isStale(entry.lastUsed(), now) && entry.stores().contains(backend)) {
            return null;
        }
        try {
            book.used(key, backend, token.secret(), token.operations(), token.expiration(), token.created(), token.updated(), now);
            return null;
        } catch (StoreException e) {
            return "could not record that the token was used: " + e.getMessage();
        }
    }

    /**
     * Puts a token into {@code target} with its metadata: recorded in the book first, so that an
     * expiry a keychain item cannot hold is known before the token can be handed out; settled
     * after, or withdrawn when the store refused it.
     */
    void keep(Store target, CredentialKey key, Secret token, Set<Operation> operations, Long expiration, boolean rotation)
            throws CredentialException {
        long now = now();
        boolean described = describedInBook(target);
        String backend = target.capabilities().backend().configName();
        try {
            if (described) {
                book.recordStored(key, backend, token, operations, expiration, now, rotation);
            }
            try {
                target.put(key, new StoredToken(token, operations, expiration, now, now));
            } catch (StoreException | RuntimeException e) {
                if (described) {
                    try {
                        book.withdraw(key, backend, token);
                    } catch (StoreException ignored) {
                        // an entry no store holds is never matched: the put's own failure is what to report
                    }
                }
                throw e;
            } finally {
                cache.forget(key);
            }
            if (described) {
                book.settle(key, backend, token, operations);
            }
        } catch (StoreException e) {
            throw StoreFailures.of(e);
        }
    }

    /** Removes every token of {@code key} from {@code store}; false when it held none. */
    boolean erase(Store store, CredentialKey key) throws CredentialException {
        boolean erased;
        try {
            erased = store.erase(key);
        } catch (StoreException e) {
            throw StoreFailures.of(e);
        } finally {
            cache.forget(key);
        }
        if (erased && describedInBook(store)) {
            try {
                book.erased(key, store.capabilities().backend().configName());
            } catch (StoreException e) {
                // a stale entry is matched by no token (see MetadataBook): harmless
            }
        }
        return erased;
    }

    /** What {@code store} holds, described without secrets. */
    List<StoreEntry> list(Store store, Arrival arrival) throws CredentialException {
        try {
            return store.list(arrival);
        } catch (StoreException e) {
            throw StoreFailures.of(e);
        }
    }

    /** {@code store}'s tokens under exactly {@code key}, each a copy the caller wipes. */
    List<StoredToken> get(Store store, CredentialKey key, Arrival arrival) throws CredentialException {
        try {
            return new ArrayList<>(cache.get(store, key, arrival));
        } catch (StoreException e) {
            throw StoreFailures.of(e);
        }
    }

    /** The book's entry describing what {@code store} holds under {@code key} for {@code operations}, for {@code list}. */
    static Optional<BookEntry> entryFilling(MetadataBook.Page page, CredentialKey key, Store store, Set<Operation> operations) {
        return describedInBook(store)
                ? page.entryFilling(key.canonical(), store.capabilities().backend().configName(), operations) : Optional.empty();
    }

    /**
     * Whether the metadata book describes {@code store}'s tokens: those of stores that latchkey
     * writes and that outlive the process. Read-only stores are never looked up there, and the
     * memory store keeps what it knows itself.
     */
    static boolean describedInBook(Store store) {
        Capabilities can = store.capabilities();
        return can.writable() && can.persistent();
    }
}
