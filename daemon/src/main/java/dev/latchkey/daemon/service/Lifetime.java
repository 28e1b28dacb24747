package dev.latchkey.daemon.service;

import dev.latchkey.daemon.metadata.BookEntry;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoredToken;

import java.util.Optional;

/**
 * A token's life as far as latchkey knows it: what its store says, completed by the metadata book.
 * The book's times win (they follow the token itself, not the slot a store keeps it in); of two
 * expirations the earlier one does, so a token is never handed out past either.
 */
record Lifetime(Long expiration, Long created, Long updated, Long rotated, Long lastUsed) {

    static Lifetime of(StoredToken token, Optional<BookEntry> entry) {
        return of(token.expiration(), token.created(), token.updated(), entry);
    }

    static Lifetime of(StoreEntry listed, Optional<BookEntry> entry) {
        return of(listed.expiration(), listed.created(), listed.updated(), entry);
    }

    private static Lifetime of(Long expiration, Long created, Long updated, Optional<BookEntry> entry) {
        if (entry.isEmpty()) {
            return new Lifetime(expiration, created, updated, null, null);
        }
        BookEntry e = entry.get();
        return new Lifetime(earlier(expiration, e.expiration()), first(e.created(), created), first(e.updated(), updated),
                e.rotated(), e.lastUsed());
    }

    private static Long earlier(Long a, Long b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return Long.valueOf(Math.min(a, b));
    }

    private static Long first(Long preferred, Long fallback) {
        return preferred != null ? preferred : fallback;
    }
}
