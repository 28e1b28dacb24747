package dev.latchkey.daemon.store.file;

import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.daemon.store.TokenChoice;

import dev.latchkey.daemon.files.FileReading;
import dev.latchkey.daemon.files.SecretFile;
import dev.latchkey.daemon.files.TomlText;
import dev.latchkey.protocol.CredentialException;
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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * latchkey's own token file ({@code tokens.toml}): plain text, mode 0600, one {@code [[token]]}
 * table per token with its metadata.
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
    private final SecretFile file;
    private final FileReading<Snapshot> reading;
    private final StoreState ready; // made once: state() is asked on every request

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
    public String name() {
        return "file";
    }

    @Override
    public boolean writable() {
        return true;
    }

    @Override
    public StoreState state() {
        return ready;
    }

    /** The file's mode as it is, or why latchkey refuses it (another user's, open to others) and the fix. */
    @Override
    public StoreState diagnose() {
        try {
            String refused = file.refusal();
            if (refused != null) {
                return StoreState.unusable(refused);
            }
            String mode = file.octalMode();
            return StoreState.ready(ready.detail() + (mode == null ? " (not made yet)" : " (mode " + mode + ")"));
        } catch (CredentialException e) {
            return StoreState.unusable(e.getMessage());
        }
    }

    @Override
    public Optional<StoredToken> get(RegistryKey registry, Operation operation) throws CredentialException {
        while (true) {
            Optional<StoredToken> found = reading.current().get(registry, operation);
            if (found != null) {
                return found;
            }
            // wiped by a newer reading while we looked: look again
        }
    }

    /** How the file's text becomes a snapshot, and how one is let go. Not lambdas: see {@link StoreCatalog}. */
    private final class Snapshots implements FileReading.Parser<Snapshot>, FileReading.Discard<Snapshot> {
        @Override
        public Snapshot parse(String text) throws CredentialException {
            return new Snapshot(tokens(TokenFileStore.this.parse(text)));
        }

        @Override
        public void discard(Snapshot snapshot) {
            snapshot.wipe();
        }
    }

    /**
     * The tokens read from the file at one moment, by index URL. Tokens leave only as copies, since
     * whoever gets one wipes it after use.
     */
    private static final class Snapshot {
        private final Map<String, List<StoredToken>> byIndexUrl = new HashMap<>();
        /** Copies are made under the read lock, many at once; the wipe takes the write lock. */
        private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        private boolean wiped; // guarded by lock

        Snapshot(List<Map<String, Object>> tokens) {
            for (Map<String, Object> t : tokens) {
                List<StoredToken> forUrl = byIndexUrl.get((String) t.get("index-url"));
                if (forUrl == null) {
                    byIndexUrl.put((String) t.get("index-url"), forUrl = new ArrayList<>());
                }
                forUrl.add(toStored(t));
            }
        }

        /** The best token for {@code operation}, a copy; null when this snapshot has been wiped. */
        Optional<StoredToken> get(RegistryKey registry, Operation operation) {
            lock.readLock().lock();
            try {
                if (wiped) {
                    return null;
                }
                List<StoredToken> tokens = byIndexUrl.get(registry.indexUrl());
                Optional<StoredToken> best = tokens == null ? Optional.empty() : TokenChoice.best(tokens, operation);
                if (best.isEmpty()) {
                    return best;
                }
                StoredToken kept = best.get();
                return Optional.of(new StoredToken(Secret.copyOf(kept.secret().exposeChars()), kept.operations(),
                        kept.expiration(), kept.created(), kept.updated(), kept.scopedSiblings()));
            } finally {
                lock.readLock().unlock();
            }
        }

        void wipe() {
            lock.writeLock().lock();
            try {
                wiped = true;
                for (List<StoredToken> tokens : byIndexUrl.values()) {
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
    public void put(RegistryKey registry, StoredToken token) throws CredentialException {
        try {
            write(registry, token);
        } finally {
            reading.forget(); // the replaced token goes from memory now, not at the next get
        }
    }

    private void write(RegistryKey registry, StoredToken token) throws CredentialException {
        file.update(current -> {
            Map<String, Object> doc = parse(current);
            List<Map<String, Object>> tokens = tokens(doc);
            Long created = token.created();
            for (var it = tokens.iterator(); it.hasNext(); ) {
                Map<String, Object> t = it.next();
                if (registry.indexUrl().equals(t.get("index-url")) && operationsOf(t).equals(token.operations())) {
                    if (t.get("created") instanceof Long previous) {
                        created = previous;
                    }
                    it.remove();
                }
            }
            tokens.add(toTable(registry, token, created));
            doc.put("token", tokens);
            return new SecretFile.Result<>(HEADER + TomlText.write(doc), null);
        });
    }

    @Override
    public boolean erase(RegistryKey registry) throws CredentialException {
        try {
            return remove(registry);
        } finally {
            reading.forget(); // the erased token goes from memory now, not at the next get
        }
    }

    private boolean remove(RegistryKey registry) throws CredentialException {
        return file.update(current -> {
            Map<String, Object> doc = parse(current);
            List<Map<String, Object>> tokens = tokens(doc);
            boolean removed = tokens.removeIf(t -> registry.indexUrl().equals(t.get("index-url")));
            if (!removed) {
                return new SecretFile.Result<>(null, false);
            }
            if (tokens.isEmpty()) {
                doc.remove("token");
            } else {
                doc.put("token", tokens);
            }
            return new SecretFile.Result<>(HEADER + TomlText.write(doc), true);
        });
    }

    @Override
    public List<StoreEntry> list() throws CredentialException {
        List<StoreEntry> entries = new ArrayList<>();
        for (Map<String, Object> t : tokens(parse(file.read()))) {
            RegistryKey registry = new RegistryKey((String) t.get("index-url"), (String) t.get("name"));
            entries.add(new StoreEntry(registry, operationsOf(t), (Long) t.get("expiration"),
                    (Long) t.get("created"), (Long) t.get("updated")));
        }
        return entries;
    }

    private Map<String, Object> parse(String text) throws CredentialException {
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
    private void validate(Map<String, Object> doc) throws CredentialException {
        Object tokens = doc.get("token");
        if (tokens == null) {
            return;
        }
        if (!(tokens instanceof List<?> list)) {
            throw corrupt(file.path() + ": `token` must be an array of tables ([[token]])");
        }
        int index = 0;
        for (Object element : list) {
            index++;
            String where = file.path() + ": token entry " + index + ": ";
            if (!(element instanceof Map<?, ?> t)) {
                throw corrupt(where + "is not a table");
            }
            if (!(t.get("index-url") instanceof String url) || url.isEmpty()) {
                throw corrupt(where + "`index-url` is missing or not a string");
            }
            if (!(t.get("token") instanceof String)) {
                throw corrupt(where + "`token` is missing or not a string");
            }
            if (t.containsKey("name") && !(t.get("name") instanceof String)) {
                throw corrupt(where + "`name` must be a string");
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

    private CredentialException corrupt(String problem) {
        return new CredentialException.Unavailable("the token file is damaged: " + problem
                + ". latchkey will not overwrite it: repair it, or move it away and store the tokens again");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> tokens(Map<String, Object> doc) {
        Object tokens = doc.get("token");
        return tokens == null ? new ArrayList<>() : new ArrayList<>((List<Map<String, Object>>) tokens);
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

    private static StoredToken toStored(Map<String, Object> t) {
        return new StoredToken(Secret.fromString((String) t.get("token")), operationsOf(t),
                (Long) t.get("expiration"), (Long) t.get("created"), (Long) t.get("updated"));
    }

    private static Map<String, Object> toTable(RegistryKey registry, StoredToken token, Long created) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("index-url", registry.indexUrl());
        if (registry.name() != null) {
            t.put("name", registry.name());
        }
        t.put("token", token.secret());
        if (!token.operations().isEmpty()) {
            t.put("operations", EnumSet.copyOf(token.operations()).stream().map(Operation::wire).toList());
        }
        putIfKnown(t, "expiration", token.expiration());
        putIfKnown(t, "created", created);
        putIfKnown(t, "updated", token.updated());
        return t;
    }

    private static void putIfKnown(Map<String, Object> t, String key, Long value) {
        if (value != null) {
            t.put(key, value);
        }
    }
}
