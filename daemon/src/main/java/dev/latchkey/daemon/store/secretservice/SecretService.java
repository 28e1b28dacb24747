package dev.latchkey.daemon.store.secretservice;


import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.latchkey.daemon.store.keychain.CargoKeychainItems;
import dev.latchkey.protocol.Secret;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The safe side of the libsecret binding: the items of one {@link ItemSchema} by the value of its
 * one attribute (cargo's tokens by index URL, the encrypted store's key by key id), as Java values.
 * One per store, for the life of the process. Every call carries a {@code GCancellable} that a timer
 * cancels at the deadline, so a keyring daemon that never answers costs one deadline, not D-Bus's
 * 25 s per message. Native memory is freed in {@code finally}. A token read is copied into a
 * {@link Secret}; libsecret's own copy stays in locked memory, wiped when it is freed. A token
 * written goes through native memory that is zeroed at once.
 */
final class SecretService {
    /** One timer thread for every deadline in the process; a daemon thread, so it never keeps the JVM alive. */
    private static final class Deadlines {
        static final ScheduledThreadPoolExecutor TIMER = timer();

        private static ScheduledThreadPoolExecutor timer() {
            ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task -> {
                Thread thread = new Thread(task, "latchkey-keyring-deadline");
                thread.setDaemon(true);
                return thread;
            });
            timer.setRemoveOnCancelPolicy(true); // a call that returned in time leaves nothing queued behind
            return timer;
        }
    }

    /** What a collection alias points at. */
    enum CollectionState { UNLOCKED, LOCKED, MISSING }

    /** One item of the schema, described without its secret: {@code key} is its attribute's value. */
    record Item(String key, String label, long created, long modified) {
    }

    /** An item proxy kept for the next get of the same registry. */
    private record ItemProxy(String path, Pointer item) {
    }

    private final SecretServiceLibrary lib;
    private final Duration deadline;
    private final ItemSchema schema;
    /** By attribute value; guarded by {@code this}. At most one per registry, released when its item moves or is cleared. */
    private final Map<String, ItemProxy> items = new HashMap<>();

    SecretService(SecretServiceLibrary lib, Duration deadline, ItemSchema schema) {
        this.lib = lib;
        this.deadline = deadline;
        this.schema = schema;
    }

    /**
     * The secret the item for {@code key} holds; empty when no unlocked item matches (a
     * locked collection hides its items' attributes, so that may also mean "locked").
     *
     * <p>Not {@code secret_password_lookupv_sync}: in libsecret 0.20 its GetSecrets reply is never
     * released, about 1.3 KB per token found (valgrind: definitely lost). Instead: SearchItems for
     * the item's path, then GetSecret through one item proxy per registry, kept for the next get
     * (making a proxy costs glib about 120 bytes that are never freed). Measured flat over 10,000 gets.
     */
    synchronized Optional<Secret> lookup(String key) throws SecretServiceError {
        String path = matchingPath(key);
        if (path == null) {
            return Optional.empty();
        }
        Pointer item = itemProxy(key, path);
        int loaded = bounded((cancellable, error) -> lib.secret.secret_item_load_secret_sync(item, cancellable, error));
        Pointer value = loaded == 0 ? null : lib.secret.secret_item_get_secret(item);
        if (value == null) {
            return Optional.empty(); // the item went away between the search and the load
        }
        try {
            LongByReference length = new LongByReference();
            Pointer bytes = lib.secret.secret_value_get(value, length);
            return Optional.of(copyOut(bytes, Math.toIntExact(length.getValue())));
        } finally {
            lib.secret.secret_value_unref(value);
        }
    }

    /** The object path of the first unlocked item of the schema for {@code key}; null when there is none. */
    private String matchingPath(String key) throws SecretServiceError {
        Pointer service = bounded((cancellable, error) -> lib.secret.secret_service_get_sync(
                LibSecret.SERVICE_OPEN_SESSION, cancellable, error));
        Pointer attributes = attributes(key);
        PointerByReference unlocked = new PointerByReference();
        PointerByReference locked = new PointerByReference();
        try {
            bounded((cancellable, error) -> lib.secret.secret_service_search_for_dbus_paths_sync(service,
                    lib.schema(schema).getPointer(), attributes, cancellable, unlocked, locked, error));
            String first = firstString(unlocked.getValue());
            if (first == null && firstString(locked.getValue()) != null) {
                throw new SecretServiceError(SecretServiceError.SECRET_DOMAIN, SecretServiceError.SECRET_IS_LOCKED,
                        "the matching item is in a locked collection", false);
            }
            return first;
        } finally {
            lib.glib.g_strfreev(unlocked.getValue());
            lib.glib.g_strfreev(locked.getValue());
            lib.glib.g_hash_table_unref(attributes);
            lib.gobject.g_object_unref(service);
        }
    }

    /** The item proxy kept for {@code key}, made anew when the item now lives at another path. */
    private Pointer itemProxy(String key, String path) throws SecretServiceError {
        ItemProxy kept = items.get(key);
        if (kept != null && kept.path().equals(path)) {
            return kept.item();
        }
        Pointer service = bounded((cancellable, error) -> lib.secret.secret_service_get_sync(
                LibSecret.SERVICE_OPEN_SESSION, cancellable, error));
        try {
            Pointer item = bounded((cancellable, error) -> lib.secret.secret_item_new_for_dbus_path_sync(service, path,
                    LibSecret.ITEM_NONE, cancellable, error));
            forget(key);
            items.put(key, new ItemProxy(path, item));
            return item;
        } finally {
            lib.gobject.g_object_unref(service);
        }
    }

    /** Drops the proxy kept for {@code key}, and with it the copy of the secret libsecret keeps in it. */
    private void forget(String key) {
        ItemProxy kept = items.remove(key);
        if (kept != null) {
            lib.gobject.g_object_unref(kept.item());
        }
    }

    private static String firstString(Pointer list) {
        if (list == null) {
            return null;
        }
        Pointer first = list.getPointer(0);
        return first == null ? null : first.getString(0, StandardCharsets.UTF_8.name());
    }

    /** Creates or replaces the item for {@code key} in the default collection. */
    void store(String key, String label, Secret secret) throws SecretServiceError {
        Pointer attributes = attributes(key);
        byte[] utf8 = secret.toUtf8();
        Memory password = new Memory(utf8.length + 1L);
        try {
            password.write(0, utf8, 0, utf8.length);
            password.setByte(utf8.length, (byte) 0);
            int stored = bounded((cancellable, error) -> lib.secret.secret_password_storev_sync(lib.schema(schema).getPointer(),
                    attributes, CargoKeychainItems.COLLECTION, label, password, cancellable, error));
            if (stored == 0) {
                // FALSE without a GError: libsecret rejected the arguments (it logs a CRITICAL on stderr).
                throw new SecretServiceError(SecretServiceError.NO_DOMAIN, 0, "libsecret refused to store the item", false);
            }
        } finally {
            password.clear();
            password.close();
            Arrays.fill(utf8, (byte) 0);
            lib.glib.g_hash_table_unref(attributes);
        }
    }

    /** Removes the item for {@code key}; false when there was none (or the collection is locked). */
    synchronized boolean clear(String key) throws SecretServiceError {
        forget(key);
        Pointer attributes = attributes(key);
        try {
            return bounded((cancellable, error) -> lib.secret.secret_password_clearv_sync(lib.schema(schema).getPointer(),
                    attributes, cancellable, error)) != 0;
        } finally {
            lib.glib.g_hash_table_unref(attributes);
        }
    }

    /** Every item of the schema the service shows (a locked collection shows none), without secrets. */
    List<Item> search() throws SecretServiceError {
        Pointer attributes = attributes(null);
        try {
            Pointer list = bounded((cancellable, error) -> lib.secret.secret_password_searchv_sync(lib.schema(schema).getPointer(),
                    attributes, LibSecret.SEARCH_ALL, cancellable, error));
            List<Item> items = new ArrayList<>();
            try {
                // GList: { gpointer data; GList *next; GList *prev; }
                for (Pointer node = list; node != null; node = node.getPointer(Native.POINTER_SIZE)) {
                    items.add(describe(node.getPointer(0)));
                }
            } finally {
                if (list != null) {
                    lib.glib.g_list_free_full(list, lib.objectUnref);
                }
            }
            return items;
        } finally {
            lib.glib.g_hash_table_unref(attributes);
        }
    }

    /** Whether the collection cargo stores into exists, and whether it is locked. */
    CollectionState defaultCollection() throws SecretServiceError {
        Pointer service = bounded((cancellable, error) -> lib.secret.secret_service_get_sync(LibSecret.SERVICE_NONE,
                cancellable, error));
        try {
            Pointer collection = bounded((cancellable, error) -> lib.secret.secret_collection_for_alias_sync(service,
                    CargoKeychainItems.COLLECTION, LibSecret.COLLECTION_NONE, cancellable, error));
            if (collection == null) {
                return CollectionState.MISSING;
            }
            try {
                return lib.secret.secret_collection_get_locked(collection) != 0 ? CollectionState.LOCKED
                        : CollectionState.UNLOCKED;
            } finally {
                lib.gobject.g_object_unref(collection);
            }
        } finally {
            lib.gobject.g_object_unref(service);
        }
    }

    private Item describe(Pointer item) {
        Pointer table = lib.secret.secret_retrievable_get_attributes(item);
        String url;
        try {
            Pointer value = table == null ? null : lib.glib.g_hash_table_lookup(table, schema.attribute());
            url = value == null ? null : value.getString(0, StandardCharsets.UTF_8.name());
        } finally {
            if (table != null) {
                lib.glib.g_hash_table_unref(table);
            }
        }
        Pointer labelText = lib.secret.secret_retrievable_get_label(item);
        String label;
        try {
            label = labelText == null ? null : labelText.getString(0, StandardCharsets.UTF_8.name());
        } finally {
            lib.glib.g_free(labelText);
        }
        return new Item(url, label, lib.secret.secret_retrievable_get_created(item),
                lib.secret.secret_retrievable_get_modified(item));
    }

    /** A {@code GHashTable} of the schema's one attribute (none for a search of the whole schema); the caller unrefs it. */
    private Pointer attributes(String key) {
        Pointer table = lib.glib.g_hash_table_new_full(lib.strHash, lib.strEqual, lib.free, lib.free);
        if (key != null) {
            lib.glib.g_hash_table_insert(table, lib.glib.g_strdup(schema.attribute()), lib.glib.g_strdup(key));
        }
        return table;
    }

    /** The {@code length} bytes of UTF-8 at {@code password} as a secret; the Java-side bytes are wiped. */
    private static Secret copyOut(Pointer password, int length) {
        byte[] utf8 = password.getByteArray(0, length);
        try {
            return Secret.fromUtf8(utf8, 0, length);
        } finally {
            Arrays.fill(utf8, (byte) 0);
        }
    }

    /** One native call that takes a cancellable and reports through a {@code GError**}. */
    @FunctionalInterface
    private interface NativeCall<T> {
        T call(Pointer cancellable, PointerByReference error);
    }

    /** Runs {@code call} with a cancellable that is cancelled at the deadline; a reported GError becomes a {@link SecretServiceError}. */
    private <T> T bounded(NativeCall<T> call) throws SecretServiceError {
        Pointer cancellable = lib.gio.g_cancellable_new();
        AtomicBoolean cancelled = new AtomicBoolean();
        ScheduledFuture<?> timer = Deadlines.TIMER.schedule(() -> {
            cancelled.set(true);
            lib.gio.g_cancellable_cancel(cancellable);
        }, deadline.toMillis(), TimeUnit.MILLISECONDS);
        try {
            PointerByReference error = new PointerByReference();
            T result = call.call(cancellable, error);
            Pointer reported = error.getValue();
            if (reported != null) {
                throw takeError(reported, cancelled.get());
            }
            return result;
        } finally {
            if (!timer.cancel(false)) {
                awaitTimer(timer); // it is cancelling right now: the cancellable must outlive it
            }
            lib.gobject.g_object_unref(cancellable);
        }
    }

    private static void awaitTimer(ScheduledFuture<?> timer) {
        boolean interrupted = false;
        while (true) {
            try {
                timer.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException | CancellationException e) {
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Copies a GError out of native memory and frees it. */
    private SecretServiceError takeError(Pointer reported, boolean cancelledByDeadline) {
        GError error = new GError(reported);
        String domain = lib.glib.g_quark_to_string(error.domain);
        String message = error.message == null ? "" : error.message.getString(0, StandardCharsets.UTF_8.name());
        boolean deadlinePassed = cancelledByDeadline && SecretServiceError.IO_DOMAIN.equals(domain)
                && error.code == SecretServiceError.IO_CANCELLED;
        SecretServiceError copied = new SecretServiceError(domain == null ? SecretServiceError.NO_DOMAIN : domain,
                error.code, message, deadlinePassed);
        lib.glib.g_error_free(reported);
        return copied;
    }
}
