package dev.latchkey.daemon.store.file;

import dev.latchkey.daemon.config.StoreId;
import dev.latchkey.daemon.files.FileReading;
import dev.latchkey.daemon.files.SecretFile;
import dev.latchkey.daemon.files.TomlText;
import dev.latchkey.daemon.store.Arrival;
import dev.latchkey.daemon.store.Capabilities;
import dev.latchkey.daemon.store.CredentialKey;
import dev.latchkey.daemon.store.LoginKey;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Secret;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * latchkey's own token file ({@code tokens.toml}): plain text, mode 0600, one {@code [[token]]}
 * table per registry token and one {@code [[login]]} table per login, each with its metadata.
 *
 * <pre>
 * [[token]]
 * index-url = "sparse+https://packages.example.com/index/"
 * name = "company"
 * token = "..."
 * operations = ["publish"]     # absent: every operation
 * expiration = 1767225600      # Unix seconds; absent: never
 * created = 1764000000
 * updated = 1764000000
 *
 * [[login]]
 * protocol = "https"           # absent for a client that gives none (docker, pip's bare host)
 * host = "git.example.com"
 * path = "team/repo.git"       # absent: the whole site
 * username = "alice"           # absent: a login without a user name
 * password = "..."
 * expiration = 1767225600
 * created = 1764000000
 * updated = 1764000000
 * </pre>
 *
 * A file it cannot parse is never overwritten: the error names it, and the fix is the user's.
 *
 * <p>A get reads the file only when it has changed since the last one ({@link FileReading}), so a
 * change made behind the daemon's back is seen at the next get; the tokens kept meanwhile leave
 * only as copies, and are wiped once the file has changed.
 */
public final class TokenFileStore implements Store {
    private static final String HEADER = "# latchkey token file. Written by latchkey; keep it mode 0600.\n";
    private static final String TOKEN = "token";
    private static final String LOGIN = "login";
    private static final Capabilities CAPABILITIES = Capabilities.writable(StoreId.FILE);
    private final SecretFile file;
    private final FileReading<Snapshot> reading;
    private final StoreState ready; // made once: asked on every request

    public TokenFileStore(Path path) {
        this(path, Clock.systemUTC());
    }

    TokenFileStore(Path path, Clock clock) {
        this.file = new SecretFile(path);
        Snapshots snapshots = new Snapshots();
        this.reading = new FileReading<>(file, clock, snapshots, snapshots);
        this.ready = StoreState.ready("plain-text token file " + file.path());
    }

    @Override
    public StoreId id() {
        return StoreId.FILE;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    /** Thorough: the file's mode as it is, or why latchkey refuses it (another user's, open to others) and the fix. */
    @Override
    public StoreState diagnose(boolean thorough) {
        if (!thorough) {
            return ready;
        }
        try {
            String refused = file.refusal();
            if (refused != null) {
                return StoreState.unusable(refused);
            }
            String mode = file.octalMode();
            return StoreState.ready(ready.detail() + (mode == null ? " (not made yet)" : " (mode " + mode + ")"));
        } catch (StoreException e) {
            return StoreState.unusable(e.getMessage());
        }
    }

    @Override
    public List<StoredToken> get(CredentialKey key, Arrival arrival) throws StoreException {
        while (true) {
            List<StoredToken> found = reading.current(arrival.readAt()).get(key);
            if (found != null) {
                return found;
            }
            // wiped by a newer reading while we looked: look again
        }
    }

    /** How the file's text becomes a snapshot, and how one is let go. Not lambdas: see {@link StoreCatalog}. */
    private final class Snapshots implements FileReading.Parser<Snapshot>, FileReading.Discard<Snapshot> {
        @Override
        public Snapshot parse(String text) throws StoreException {
            Map<String, Object> doc = TokenFileStore.this.parse(text);
            return new Snapshot(tables(doc, TOKEN), tables(doc, LOGIN));
        }

        @Override
        public void discard(Snapshot snapshot) {
            snapshot.wipe();
        }
    }

    /**
     * The credentials read from the file at one moment, by canonical key. They leave only as
     * copies, since whoever gets one wipes it after use.
     */
    private static final class Snapshot {
        private final Map<String, List<StoredToken>> byKey = new HashMap<>();
        /** Copies are made under the read lock, many at once; the wipe takes the write lock. */
        private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        private boolean wiped; // guarded by lock

        Snapshot(List<Map<String, Object>> tokens, List<Map<String, Object>> logins) {
            for (Map<String, Object> t : tokens) {
                add((String) t.get("index-url"), toStored(t, "token"));
            }
            for (Map<String, Object> l : logins) {
                add(loginKey(l).canonical(), toStored(l, "password"));
            }
        }

        private void add(String key, StoredToken credential) {
            List<StoredToken> under = byKey.get(key);
            if (under == null) {
                byKey.put(key, under = new ArrayList<>());
            }
            under.add(credential);
        }

        /** Copies of every credential under {@code key}; null when this snapshot has been wiped. */
        List<StoredToken> get(CredentialKey key) {
            lock.readLock().lock();
            try {
                if (wiped) {
                    return null;
                }
                List<StoredToken> copies = new ArrayList<>();
                for (StoredToken kept : byKey.getOrDefault(key.canonical(), List.of())) {
                    copies.add(kept.withSecret(Secret.copyOf(kept.secret().exposeChars())));
                }
                return copies;
            } finally {
                lock.readLock().unlock();
            }
        }

        void wipe() {
            lock.writeLock().lock();
            try {
                wiped = true;
                for (List<StoredToken> tokens : byKey.values()) {
                    for (StoredToken token : tokens) {
                        token.secret().wipe();
                    }
                }
            } finally {
                lock.writeLock().unlock();
            }
        }
    }

    @Override
    public void put(CredentialKey key, StoredToken token) throws StoreException {
        try {
            write(key, token);
        } finally {
            reading.forget(); // the replaced token goes from memory now, not at the next get
        }
    }

    private void write(CredentialKey key, StoredToken token) throws StoreException {
        String table = key instanceof LoginKey ? LOGIN : TOKEN;
        file.update(current -> {
            Map<String, Object> doc = parse(current);
            List<Map<String, Object>> entries = tables(doc, table);
            Long created = token.created();
            for (var it = entries.iterator(); it.hasNext(); ) {
                Map<String, Object> t = it.next();
                if (keyOf(table, t).equals(key.canonical()) && operationsOf(t).equals(token.operations())) {
                    if (t.get("created") instanceof Long previous) {
                        created = previous;
                    }
                    it.remove();
                }
            }
            entries.add(toTable(key, token, created));
            doc.put(table, entries);
            return new SecretFile.Result<>(HEADER + TomlText.write(doc), null);
        });
    }

    @Override
    public boolean erase(CredentialKey key) throws StoreException {
        try {
            return remove(key);
        } finally {
            reading.forget(); // the erased token goes from memory now, not at the next get
        }
    }

    private boolean remove(CredentialKey key) throws StoreException {
        String table = key instanceof LoginKey ? LOGIN : TOKEN;
        return file.update(current -> {
            Map<String, Object> doc = parse(current);
            List<Map<String, Object>> entries = tables(doc, table);
            boolean removed = entries.removeIf(t -> keyOf(table, t).equals(key.canonical()));
            if (!removed) {
                return new SecretFile.Result<>(null, false);
            }
            if (entries.isEmpty()) {
                doc.remove(table);
            } else {
                doc.put(table, entries);
            }
            return new SecretFile.Result<>(HEADER + TomlText.write(doc), true);
        });
    }

    @Override
    public List<StoreEntry> list(Arrival arrival) throws StoreException {
        List<StoreEntry> entries = new ArrayList<>();
        Map<String, Object> doc = parse(file.read());
        for (Map<String, Object> t : tables(doc, TOKEN)) {
            entries.add(entryOf(new RegistryKey((String) t.get("index-url"), (String) t.get("name")), t));
        }
        for (Map<String, Object> l : tables(doc, LOGIN)) {
            entries.add(entryOf(loginKey(l), l));
        }
        return entries;
    }

    private static StoreEntry entryOf(CredentialKey key, Map<String, Object> t) {
        return new StoreEntry(key, operationsOf(t), (Long) t.get("expiration"), (Long) t.get("created"), (Long) t.get("updated"));
    }

    /** The canonical key of an entry of {@code table}. */
    private static String keyOf(String table, Map<String, Object> t) {
        return table.equals(LOGIN) ? loginKey(t).canonical() : (String) t.get("index-url");
    }

    private static LoginKey loginKey(Map<String, Object> l) {
        return new LoginKey((String) l.get("protocol"), (String) l.get("host"), (String) l.get("path"), (String) l.get("username"));
    }

    private Map<String, Object> parse(String text) throws StoreException {
        if (text == null) {
            return new LinkedHashMap<>();
        }
        try {
            Map<String, Object> doc = TomlText.parse(text, file.path());
            validate(doc);
            return doc;
        } catch (TomlText.MalformedTomlException e) {
            throw corrupt(e.getMessage());
        }
    }

    /** Checks every entry's shape once, so the rest of this class can cast without fear. */
    private void validate(Map<String, Object> doc) throws StoreException {
        validate(doc, TOKEN, "token", List.of("index-url"), List.of("name"));
        validate(doc, LOGIN, "password", List.of("host"), List.of("protocol", "path", "username"));
    }

    private void validate(Map<String, Object> doc, String table, String secret, List<String> required, List<String> optional)
            throws StoreException {
        Object entries = doc.get(table);
        if (entries == null) {
            return;
        }
        if (!(entries instanceof List<?> list)) {
            throw corrupt(file.path() + ": `" + table + "` must be an array of tables ([[" + table + "]])");
        }
        int index = 0;
        for (Object element : list) {
            index++;
            String where = file.path() + ": " + table + " entry " + index + ": ";
            if (!(element instanceof Map<?, ?> t)) {
                throw corrupt(where + "is not a table");
            }
            for (String key : required) {
                if (!(t.get(key) instanceof String value) || value.isEmpty()) {
                    throw corrupt(where + "`" + key + "` is missing or not a string");
                }
            }
            if (!(t.get(secret) instanceof String)) {
                throw corrupt(where + "`" + secret + "` is missing or not a string");
            }
            for (String key : optional) {
                if (t.containsKey(key) && !(t.get(key) instanceof String)) {
                    throw corrupt(where + "`" + key + "` must be a string");
                }
            }
            if (table.equals(LOGIN)) {
                try {
                    loginKey(castTable(t));
                } catch (IllegalArgumentException e) {
                    throw corrupt(where + e.getMessage());
                }
            }
            for (String time : List.of("expiration", "created", "updated")) {
                if (t.containsKey(time) && !(t.get(time) instanceof Long)) {
                    throw corrupt(where + "`" + time + "` must be an integer (Unix seconds)");
                }
            }
            if (t.containsKey("operations") && !knownOperations(t.get("operations"))) {
                throw corrupt(where + "`operations` must list read, publish, yank, unyank or owners");
            }
        }
    }

    private static boolean knownOperations(Object value) {
        if (!(value instanceof List<?> ops)) {
            return false;
        }
        for (Object op : ops) {
            if (!(op instanceof String s) || Operation.fromWire(s) == Operation.UNKNOWN) {
                return false;
            }
        }
        return true;
    }

    private StoreException corrupt(String problem) {
        return new StoreException.Unavailable("the token file is damaged: " + problem
                + ". latchkey will not overwrite it: repair it, or move it away and store the tokens again");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> tables(Map<String, Object> doc, String table) {
        Object entries = doc.get(table);
        return entries == null ? new ArrayList<>() : new ArrayList<>((List<Map<String, Object>>) entries);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castTable(Map<?, ?> t) {
        return (Map<String, Object>) t;
    }

    private static Set<Operation> operationsOf(Map<String, Object> t) {
        Set<Operation> ops = EnumSet.noneOf(Operation.class);
        if (t.get("operations") instanceof List<?> list) {
            for (Object op : list) {
                ops.add(Operation.fromWire((String) op));
            }
        }
        return ops;
    }

    private static StoredToken toStored(Map<String, Object> t, String secret) {
        return new StoredToken(Secret.fromString((String) t.get(secret)), operationsOf(t),
                (Long) t.get("expiration"), (Long) t.get("created"), (Long) t.get("updated"));
    }

    private static Map<String, Object> toTable(CredentialKey key, StoredToken token, Long created) {
        Map<String, Object> t = new LinkedHashMap<>();
        if (key instanceof RegistryKey registry) {
            t.put("index-url", registry.indexUrl());
            putIfKnown(t, "name", registry.name());
            t.put("token", token.secret());
        } else if (key instanceof LoginKey login) {
            putIfKnown(t, "protocol", login.protocol());
            t.put("host", login.host());
            putIfKnown(t, "path", login.path());
            putIfKnown(t, "username", login.username());
            t.put("password", token.secret());
        }
        if (!token.operations().isEmpty()) {
            t.put("operations", EnumSet.copyOf(token.operations()).stream().map(Operation::wire).toList());
        }
        putIfKnown(t, "expiration", token.expiration());
        putIfKnown(t, "created", created);
        putIfKnown(t, "updated", token.updated());
        return t;
    }

    private static void putIfKnown(Map<String, Object> t, String key, Object value) {
        if (value != null) {
            t.put(key, value);
        }
    }
}
