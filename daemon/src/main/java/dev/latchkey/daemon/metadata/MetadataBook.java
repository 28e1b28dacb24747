package dev.latchkey.daemon.metadata;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.latchkey.daemon.files.FileReading;
import dev.latchkey.daemon.files.SecretFile;
import dev.latchkey.daemon.store.Arrival;
import dev.latchkey.daemon.store.CredentialKey;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Secret;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The metadata book ({@code $XDG_STATE_HOME/latchkey/metadata.json}): when each token latchkey keeps
 * was created, replaced, rotated and last used, when it expires and what it is for, whatever store
 * holds it. A keychain item or cargo's {@code credentials.toml} has no room for any of that, so it
 * is kept here, beside the stores, never holding a token.
 *
 * <pre>
 * {"format":1,"salt":"...","tokens":[
 *   {"key":"sparse+https://packages.example.com/index/","name":"company","fingerprint":"...",
 *    "stores":["libsecret"],"operations":["publish"],"expiration":1767225600,
 *    "created":1764000000,"updated":1764000000,"rotated":1764000000,"last-used":1764003600}]}
 * </pre>
 *
 * A {@code key} is a registry's index URL, or a login's {@code login:} form (books written before
 * logins call it {@code index-url}, which is read the same). Each entry is tied to one token by its fingerprint: the first 128 bits of SHA-256 over a random
 * salt (made with the book, so a fingerprint cannot be looked up in a table of known tokens) and the
 * token. A token that a store hands out without a matching entry (replaced by {@code cargo login}
 * behind latchkey's back, say) is therefore never judged by another token's expiry.
 *
 * <p>It is read with jackson's streaming parser (already loaded for the protocol) on every lookup
 * that finds a token, and rewritten like a token file (locked, atomically, mode 0600) only when
 * something changes; the time a token was last used is rewritten at most once a minute.
 */
public final class MetadataBook {
    /** How stale a recorded "last used" may get before a lookup writes it again. */
    public static final long LAST_USED_RESOLUTION_SECONDS = 60;
    static final int FORMAT = 1;
    private static final JsonFactory JSON = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private final SecretFile file;
    /** The book as last read: a get reads it only when it has changed, not for every request. */
    private final FileReading<Page> reading;

    public MetadataBook(Path path) {
        this.file = new SecretFile(path);
        Pages pages = new Pages();
        this.reading = new FileReading<>(file, Clock.systemUTC(), pages, pages);
    }

    /** How the book's text becomes a page; a page holds no secret, so one let go needs nothing. Not lambdas, on this path. */
    private final class Pages implements FileReading.Parser<Page>, FileReading.Discard<Page> {
        @Override
        public Page parse(String text) throws StoreException {
            return MetadataBook.this.parse(text);
        }

        @Override
        public void discard(Page page) {
            // nothing to wipe: fingerprints and times only
        }
    }

    public Path path() {
        return file.path();
    }

    /** The book as a request that arrived at {@code arrival} sees it; a book not written yet is empty. */
    public Page read(Arrival arrival) throws StoreException {
        return reading.current(arrival.readAt());
    }

    /** A registry's name, kept beside its entries for people reading the book; a login has none. */
    private static String nameOf(CredentialKey key) {
        return key instanceof RegistryKey registry ? registry.name() : null;
    }

    /** The book at one moment: the salt of its fingerprints and its entries. */
    public static final class Page {
        private final byte[] salt;
        private final List<BookEntry> entries;

        Page(byte[] salt, List<BookEntry> entries) {
            this.salt = salt;
            this.entries = List.copyOf(entries);
        }

        public List<BookEntry> entries() {
            return entries;
        }

        /** The stores (by backend name) latchkey put a token of {@code key} in. */
        public Set<String> storesHolding(String key) {
            Set<String> stores = new HashSet<>();
            for (BookEntry e : entries) {
                if (e.key().equals(key)) {
                    stores.addAll(e.stores());
                }
            }
            return stores;
        }

        /** Whether a token of {@code key} kept in a writable store is limited to some operations. */
        public boolean hasScopedTokens(String key) {
            for (BookEntry e : entries) {
                if (e.key().equals(key) && !e.operations().isEmpty()) {
                    return true;
                }
            }
            return false;
        }

        /** The stores (by backend name) holding a token of {@code key} limited to operations that include {@code operation}. */
        public Set<String> storesScopedTo(String key, Operation operation) {
            Set<String> stores = new HashSet<>();
            for (BookEntry e : entries) {
                if (e.key().equals(key) && e.operations().contains(operation)) {
                    stores.addAll(e.stores());
                }
            }
            return stores;
        }

        /** The entry for exactly this token of {@code key}. */
        public Optional<BookEntry> entryFor(String key, Secret token) {
            if (salt == null) {
                return Optional.empty();
            }
            String fingerprint = fingerprint(salt, token);
            for (BookEntry e : entries) { // a loop, not a stream: this runs once per cargo request, in a cold JVM
                if (e.key().equals(key) && e.fingerprint().equals(fingerprint)) {
                    return Optional.of(e);
                }
            }
            return Optional.empty();
        }

        /**
         * The entry for the token {@code store} holds for {@code operations} of {@code key}, for
         * {@code list}, which sees no tokens: the one latchkey was given last.
         */
        public Optional<BookEntry> entryFilling(String key, String store, Set<Operation> operations) {
            return entries.stream().filter(e -> e.fills(key, store, operations))
                    .max(Comparator.comparing(e -> e.updated() == null ? Long.MIN_VALUE : e.updated()));
        }
    }

    /**
     * Records, before {@code store} is given {@code token}, that it will hold it. The entry keeps
     * the {@code created} of the token it replaces there; {@code rotation} marks it rotated now.
     * A token given again keeps its own age.
     */
    public void recordStored(CredentialKey key, String store, Secret token, Set<Operation> operations, Long expiration,
                             long now, boolean rotation) throws StoreException {
        change(page -> {
            String fingerprint = fingerprint(page.salt, token);
            List<BookEntry> entries = new ArrayList<>(page.entries);
            BookEntry same = remove(entries, key.canonical(), fingerprint);
            Optional<BookEntry> replaced = page.entryFilling(key.canonical(), store, operations);
            Long created = replaced.map(BookEntry::created).orElse(same != null ? same.created() : null);
            Set<String> stores = new HashSet<>(same != null ? same.stores() : Set.of());
            stores.add(store);
            entries.add(new BookEntry(key.canonical(), nameOf(key), fingerprint, stores, operations, expiration,
                    created != null ? created : now,
                    same != null && same.updated() != null ? same.updated() : now,
                    rotation ? Long.valueOf(now) : same != null ? same.rotated() : null,
                    same != null ? same.lastUsed() : null));
            return new Page(page.salt, entries);
        });
    }

    /** After {@code store} took {@code token}: no other token of the registry is there for the same operations. */
    public void settle(CredentialKey key, String store, Secret token, Set<Operation> operations) throws StoreException {
        change(page -> {
            String fingerprint = fingerprint(page.salt, token);
            return new Page(page.salt, withoutStore(page.entries, store,
                    e -> e.fills(key.canonical(), store, operations) && !e.fingerprint().equals(fingerprint)));
        });
    }

    /** After {@code store} refused {@code token}: it does not hold it after all. */
    public void withdraw(CredentialKey key, String store, Secret token) throws StoreException {
        change(page -> {
            String fingerprint = fingerprint(page.salt, token);
            return new Page(page.salt, withoutStore(page.entries, store,
                    e -> e.key().equals(key.canonical()) && e.fingerprint().equals(fingerprint)));
        });
    }

    /** {@code store} no longer holds any token of the registry. */
    public void erased(CredentialKey key, String store) throws StoreException {
        change(page -> new Page(page.salt, withoutStore(page.entries, store, e -> e.key().equals(key.canonical()))));
    }

    /**
     * {@code store} just handed out {@code token}, which it holds for {@code operations}: records the
     * time (unless already recorded within the last minute), and starts an entry for a token latchkey
     * has not seen before, with what the store knows of it.
     */
    public void used(CredentialKey key, String store, Secret token, Set<Operation> operations, Long expiration,
                     Long created, Long updated, long now) throws StoreException {
        // A class, not a lambda: this runs on a get served in a fresh process (docs/architecture.md, "The cold path").
        change(new UnaryOperator<>() {
            @Override
            public Page apply(Page page) {
                String fingerprint = fingerprint(page.salt, token);
                List<BookEntry> entries = new ArrayList<>(page.entries);
                BookEntry known = remove(entries, key.canonical(), fingerprint);
                if (known != null && known.stores().contains(store) && !isStale(known.lastUsed(), now)) {
                    return null;
                }
                if (known == null) {
                    known = new BookEntry(key.canonical(), nameOf(key), fingerprint, Set.of(store), operations,
                            expiration, created, updated, null, now);
                    // The store holds this token in its slot now, so whatever entry said otherwise is stale.
                    entries = withoutStore(entries, store, new Predicate<>() {
                        @Override
                        public boolean test(BookEntry e) {
                            return e.fills(key.canonical(), store, operations);
                        }
                    });
                } else {
                    Set<String> stores = new HashSet<>(known.stores());
                    stores.add(store);
                    known = known.withStores(stores).withLastUsed(now);
                }
                entries.add(known);
                return new Page(page.salt, entries);
            }
        });
    }


    /** Whether a "last used" time recorded as {@code lastUsed} should be written again at {@code now}. */
    public static boolean isStale(Long lastUsed, long now) {
        return lastUsed == null || now - lastUsed >= LAST_USED_RESOLUTION_SECONDS;
    }

    private static BookEntry remove(List<BookEntry> entries, String key, String fingerprint) {
        for (var it = entries.iterator(); it.hasNext(); ) {
            BookEntry e = it.next();
            if (e.key().equals(key) && e.fingerprint().equals(fingerprint)) {
                it.remove();
                return e;
            }
        }
        return null;
    }

    /** {@code entries} with {@code store} taken off those {@code matching}; an entry left in no store is dropped. */
    private static List<BookEntry> withoutStore(List<BookEntry> entries, String store, Predicate<BookEntry> matching) {
        List<BookEntry> kept = new ArrayList<>();
        for (BookEntry e : entries) {
            if (matching.test(e) && e.stores().contains(store)) {
                Set<String> stores = new HashSet<>(e.stores());
                stores.remove(store);
                if (!stores.isEmpty()) {
                    kept.add(e.withStores(stores));
                }
            } else {
                kept.add(e);
            }
        }
        return kept;
    }

    /** Applies {@code edit} (null: no change) to the book under its lock, making the salt on first write. */
    private void change(UnaryOperator<Page> edit) throws StoreException {
        file.update(new SecretFile.Edit<Void>() {
            @Override
            public SecretFile.Result<Void> apply(String current) throws StoreException {
                Page page = parse(current);
                if (page.salt == null) {
                    byte[] salt = new byte[16];
                    new SecureRandom().nextBytes(salt);
                    page = new Page(salt, page.entries);
                }
                Page changed = edit.apply(page);
                return new SecretFile.Result<>(changed == null ? null : write(changed), null);
            }
        });
    }

    /** The first 128 bits of SHA-256 over the salt and the token's UTF-8, in base64url. */
    static String fingerprint(byte[] salt, Secret token) {
        byte[] utf8 = token.toUtf8();
        byte[] message = Arrays.copyOf(salt, salt.length + utf8.length);
        System.arraycopy(utf8, 0, message, salt.length, utf8.length);
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(Sha256.digest(message), 16));
        } finally {
            Arrays.fill(utf8, (byte) 0);
            Arrays.fill(message, (byte) 0);
        }
    }

    private Page parse(String text) throws StoreException {
        if (text == null) {
            return new Page(null, List.of());
        }
        try (JsonParser p = JSON.createParser(text)) {
            expect(p.nextToken() == JsonToken.START_OBJECT, "it is not a JSON object");
            byte[] salt = null;
            long format = 0;
            List<BookEntry> entries = new ArrayList<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "format" -> {
                        expect(value == JsonToken.VALUE_NUMBER_INT, "`format` must be an integer");
                        format = integer(p, "`format`");
                    }
                    case "salt" -> {
                        expect(value == JsonToken.VALUE_STRING, "`salt` must be a string");
                        try {
                            salt = Base64.getDecoder().decode(p.getText());
                        } catch (IllegalArgumentException e) {
                            throw new Damaged("`salt` is not base64");
                        }
                    }
                    case "tokens" -> {
                        expect(value == JsonToken.START_ARRAY, "`tokens` must be an array");
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            entries.add(entry(p, entries.size() + 1));
                        }
                        expect(p.currentToken() == JsonToken.END_ARRAY, "`tokens` must hold objects only");
                    }
                    default -> p.skipChildren();
                }
            }
            expect(p.nextToken() == null, "there is data after the JSON object");
            if (format != FORMAT) {
                throw new Damaged("its format is " + format + ", and this latchkey reads format " + FORMAT
                        + " (a newer latchkey wrote it?)");
            }
            expect(salt != null || entries.isEmpty(), "it has entries but no `salt`");
            return new Page(salt, entries);
        } catch (Damaged e) {
            throw damaged(e.getMessage());
        } catch (JsonProcessingException e) {
            throw damaged("it is not valid JSON (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        } catch (IOException e) {
            throw damaged("it cannot be read as JSON");
        }
    }

    /**
     * An integer, from the token's text: asking the parser for the number would load its number
     * parsing, whose set-up compiles a regular expression, milliseconds of every cargo request.
     */
    private static long integer(JsonParser p, String what) throws IOException, Damaged {
        try {
            return Long.parseLong(p.getText());
        } catch (NumberFormatException e) {
            throw new Damaged(what + " is out of range");
        }
    }

    private static BookEntry entry(JsonParser p, int index) throws IOException, Damaged {
        String where = "token entry " + index + ": ";
        String key = null;
        String name = null;
        String fingerprint = null;
        Set<String> stores = new HashSet<>();
        Set<Operation> operations = EnumSet.noneOf(Operation.class);
        Long[] times = new Long[5]; // expiration, created, updated, rotated, last-used
        List<String> timeFields = List.of("expiration", "created", "updated", "rotated", "last-used");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            int time = timeFields.indexOf(field);
            if (time >= 0) {
                expect(value == JsonToken.VALUE_NUMBER_INT, where + "`" + field + "` must be an integer (Unix seconds)");
                times[time] = integer(p, where + "`" + field + "`");
                continue;
            }
            switch (field) {
                case "key", "index-url" -> key = text(p, value, where + "`key`");
                case "name" -> name = text(p, value, where + "`name`");
                case "fingerprint" -> fingerprint = text(p, value, where + "`fingerprint`");
                case "stores" -> stores.addAll(texts(p, value, where + "`stores`"));
                case "operations" -> {
                    for (String op : texts(p, value, where + "`operations`")) {
                        Operation parsed = Operation.fromWire(op);
                        expect(parsed != Operation.UNKNOWN, where + "unknown operation `" + op + "`");
                        operations.add(parsed);
                    }
                }
                default -> p.skipChildren();
            }
        }
        expect(key != null && !key.isEmpty(), where + "`key` is missing");
        expect(fingerprint != null, where + "`fingerprint` is missing");
        expect(!stores.isEmpty(), where + "`stores` is missing or empty");
        return new BookEntry(key, name, fingerprint, stores, operations, times[0], times[1], times[2], times[3], times[4]);
    }

    private static String text(JsonParser p, JsonToken value, String what) throws IOException, Damaged {
        expect(value == JsonToken.VALUE_STRING, what + " must be a string");
        return p.getText();
    }

    private static List<String> texts(JsonParser p, JsonToken value, String what) throws IOException, Damaged {
        expect(value == JsonToken.START_ARRAY, what + " must be an array of strings");
        List<String> out = new ArrayList<>();
        while (p.nextToken() == JsonToken.VALUE_STRING) {
            out.add(p.getText());
        }
        expect(p.currentToken() == JsonToken.END_ARRAY, what + " must be an array of strings");
        return out;
    }

    /** The book as text: its header, then one entry per line, for the person who opens the file. */
    private static String write(Page page) {
        StringBuilder out = new StringBuilder("{\"format\":" + FORMAT + ",\"salt\":\""
                + Base64.getEncoder().encodeToString(page.salt) + "\",\"tokens\":[");
        String separator = "\n  ";
        for (BookEntry e : page.entries) {
            out.append(separator).append(json(e));
            separator = ",\n  ";
        }
        return out.append("]}\n").toString();
    }

    private static String json(BookEntry e) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("key", e.key());
            if (e.name() != null) {
                g.writeStringField("name", e.name());
            }
            g.writeStringField("fingerprint", e.fingerprint());
            g.writeArrayFieldStart("stores");
            for (String store : e.stores().stream().sorted().toList()) {
                g.writeString(store);
            }
            g.writeEndArray();
            if (!e.operations().isEmpty()) {
                g.writeArrayFieldStart("operations");
                for (Operation op : EnumSet.copyOf(e.operations())) {
                    g.writeString(op.wire());
                }
                g.writeEndArray();
            }
            number(g, "expiration", e.expiration());
            number(g, "created", e.created());
            number(g, "updated", e.updated());
            number(g, "rotated", e.rotated());
            number(g, "last-used", e.lastUsed());
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException("writing to memory cannot fail", ex);
        }
        return out.toString();
    }

    private static void number(JsonGenerator g, String field, Long value) throws IOException {
        if (value != null) {
            g.writeNumberField(field, value);
        }
    }

    private static void expect(boolean condition, String problem) throws Damaged {
        if (!condition) {
            throw new Damaged(problem);
        }
    }

    private StoreException damaged(String problem) {
        return new StoreException.Unavailable("latchkey's metadata book " + file.path() + " is damaged: " + problem
                + ". latchkey will not overwrite it: repair it, or move it away (the tokens stay in their stores; "
                + "the expirations, ages and last use recorded there are lost)");
    }

    /** A book that cannot be read; the message says what is wrong, never more of the file. */
    private static final class Damaged extends Exception {
        private static final long serialVersionUID = 1L;

        Damaged(String message) {
            super(message, null, false, false);
        }
    }
}
