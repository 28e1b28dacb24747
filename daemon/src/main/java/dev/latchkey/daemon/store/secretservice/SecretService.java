package dev.latchkey.daemon.store.secretservice;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import dev.latchkey.daemon.store.keychain.CargoKeychainItems;
import dev.latchkey.protocol.Secret;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The safe side of the libsecret binding: cargo's items by index URL, as Java values. Every call
 * carries a {@code GCancellable} that a timer cancels at the deadline, so a keyring daemon that
 * never answers costs one deadline, not D-Bus's 25 s per message. Native memory is freed in
 * {@code finally}; a secret is copied into a {@link Secret} and its native copy wiped and freed.
 */
final class SecretService {
    /** One timer thread for every deadline in the process; a daemon thread, so it never keeps the JVM alive. */
    private static final class Deadlines {
        static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "latchkey-keyring-deadline");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** What a collection alias points at. */
    enum CollectionState { UNLOCKED, LOCKED, MISSING }

    /** One of cargo's items, described without its secret. */
    record Item(String indexUrl, String label, long created, long modified) {
    }

    private final SecretServiceLibrary lib;
    private final Duration deadline;

    SecretService(SecretServiceLibrary lib, Duration deadline) {
        this.lib = lib;
        this.deadline = deadline;
    }

    /** The token cargo's item for {@code indexUrl} holds; empty when none matches (or, indistinguishably, the collection is locked). */
    Optional<Secret> lookup(String indexUrl) throws SecretServiceError {
        Pointer attributes = urlAttributes(indexUrl);
        try {
            Pointer password = bounded((cancellable, error) -> lib.secret.secret_password_lookupv_nonpageable_sync(
                    lib.cargoSchema.getPointer(), attributes, cancellable, error));
            if (password == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(copyOut(password));
            } finally {
                lib.secret.secret_password_free(password);
            }
        } finally {
            lib.glib.g_hash_table_unref(attributes);
        }
    }

    /** Creates or replaces cargo's item for {@code indexUrl} in the default collection. */
    void store(String indexUrl, String label, Secret token) throws SecretServiceError {
        Pointer attributes = urlAttributes(indexUrl);
        byte[] utf8 = token.toUtf8();
        Memory password = new Memory(utf8.length + 1L);
        try {
            password.write(0, utf8, 0, utf8.length);
            password.setByte(utf8.length, (byte) 0);
            int stored = bounded((cancellable, error) -> lib.secret.secret_password_storev_sync(lib.cargoSchema.getPointer(),
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

    /** Removes cargo's item for {@code indexUrl}; false when there was none (or the collection is locked). */
    boolean clear(String indexUrl) throws SecretServiceError {
        Pointer attributes = urlAttributes(indexUrl);
        try {
            return bounded((cancellable, error) -> lib.secret.secret_password_clearv_sync(lib.cargoSchema.getPointer(),
                    attributes, cancellable, error)) != 0;
        } finally {
            lib.glib.g_hash_table_unref(attributes);
        }
    }

    /** Every item of cargo's schema the service shows (a locked collection shows none), without secrets. */
    List<Item> search() throws SecretServiceError {
        Pointer attributes = urlAttributes(null);
        try {
            Pointer list = bounded((cancellable, error) -> lib.secret.secret_password_searchv_sync(lib.cargoSchema.getPointer(),
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
            Pointer value = table == null ? null : lib.glib.g_hash_table_lookup(table, CargoKeychainItems.URL_ATTRIBUTE);
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

    /** A {@code GHashTable} of cargo's one attribute (none for a search of the whole schema); the caller unrefs it. */
    private Pointer urlAttributes(String indexUrl) {
        Pointer table = lib.glib.g_hash_table_new_full(lib.strHash, lib.strEqual, lib.free, lib.free);
        if (indexUrl != null) {
            lib.glib.g_hash_table_insert(table, lib.glib.g_strdup(CargoKeychainItems.URL_ATTRIBUTE), lib.glib.g_strdup(indexUrl));
        }
        return table;
    }

    /** The NUL-terminated UTF-8 at {@code password} as a secret; the Java-side bytes are wiped. */
    private static Secret copyOut(Pointer password) {
        int length = Math.toIntExact(password.indexOf(0, (byte) 0));
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
