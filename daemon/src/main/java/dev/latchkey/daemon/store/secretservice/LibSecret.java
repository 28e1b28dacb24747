package dev.latchkey.daemon.store.secretservice;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * Raw JNA mapping of the parts of {@code libsecret-1.so.0} latchkey calls, mirroring the C
 * declarations (gboolean is {@code int}, gsize {@code long}, every pointer a {@link Pointer}). No
 * variadic calls: attributes travel in a {@code GHashTable}, since a variadic call with a missing
 * terminator crashes the process. Nothing checks errors or frees memory here; that is
 * {@link SecretService}'s job.
 */
interface LibSecret extends Library {
    String SONAME = "libsecret-1.so.0";

    /** {@code SECRET_SEARCH_ALL}: every matching item, not only the first. */
    int SEARCH_ALL = 1 << 1;

    /** {@code SECRET_SERVICE_NONE}: connect without opening a session or loading collections. */
    int SERVICE_NONE = 0;

    /** {@code SECRET_SERVICE_OPEN_SESSION}: also negotiate the session secrets travel in. */
    int SERVICE_OPEN_SESSION = 1 << 1;

    /** {@code SECRET_ITEM_NONE}: a plain item proxy. */
    int ITEM_NONE = 0;

    /** {@code SECRET_COLLECTION_NONE}: no flags. */
    int COLLECTION_NONE = 0;

    /**
     * {@code gboolean secret_password_storev_sync(const SecretSchema*, GHashTable *attributes,
     * const gchar *collection, const gchar *label, const gchar *password, GCancellable*, GError**)}.
     * {@code password} is a pointer to NUL-terminated UTF-8 that the caller wipes afterwards.
     */
    int secret_password_storev_sync(Pointer schema, Pointer attributes, String collection, String label,
                                    Pointer password, Pointer cancellable, PointerByReference error);

    /** {@code gboolean secret_password_clearv_sync(...)}: TRUE when at least one item was removed. */
    int secret_password_clearv_sync(Pointer schema, Pointer attributes, Pointer cancellable, PointerByReference error);

    /** {@code GList *secret_password_searchv_sync(...)}: a list of {@code SecretRetrievable*}, freed with {@code g_list_free_full(l, g_object_unref)}. */
    Pointer secret_password_searchv_sync(Pointer schema, Pointer attributes, int flags, Pointer cancellable,
                                         PointerByReference error);

    /**
     * {@code gboolean secret_service_search_for_dbus_paths_sync(SecretService*, const SecretSchema*,
     * GHashTable *attributes, GCancellable*, gchar ***unlocked, gchar ***locked, GError**)}: the
     * object paths of the matching items, no proxies made; both lists freed with {@code g_strfreev}.
     */
    int secret_service_search_for_dbus_paths_sync(Pointer service, Pointer schema, Pointer attributes,
                                                  Pointer cancellable, PointerByReference unlocked,
                                                  PointerByReference locked, PointerByReference error);

    /** {@code SecretItem *secret_item_new_for_dbus_path_sync(SecretService*, const gchar *path, SecretItemFlags, GCancellable*, GError**)}. */
    Pointer secret_item_new_for_dbus_path_sync(Pointer service, String path, int flags, Pointer cancellable,
                                               PointerByReference error);

    /** {@code gboolean secret_item_load_secret_sync(SecretItem*, GCancellable*, GError**)}: fetches the secret into the item. */
    int secret_item_load_secret_sync(Pointer item, Pointer cancellable, PointerByReference error);

    /** {@code SecretValue *secret_item_get_secret(SecretItem*)}: a reference to release with {@link #secret_value_unref}; NULL when not loaded. */
    Pointer secret_item_get_secret(Pointer item);

    /** {@code const gchar *secret_value_get(SecretValue*, gsize *length)}: borrowed from the value. */
    Pointer secret_value_get(Pointer value, LongByReference length);

    /** {@code void secret_value_unref(gpointer value)}: the last reference wipes the secret's memory. */
    void secret_value_unref(Pointer value);

    /** {@code gchar *secret_retrievable_get_label(SecretRetrievable*)}: freed with {@code g_free}. */
    Pointer secret_retrievable_get_label(Pointer item);

    /** {@code GHashTable *secret_retrievable_get_attributes(SecretRetrievable*)}: released with {@code g_hash_table_unref}. */
    Pointer secret_retrievable_get_attributes(Pointer item);

    /** {@code guint64 secret_retrievable_get_created(SecretRetrievable*)}: Unix seconds. */
    long secret_retrievable_get_created(Pointer item);

    /** {@code guint64 secret_retrievable_get_modified(SecretRetrievable*)}: Unix seconds. */
    long secret_retrievable_get_modified(Pointer item);

    /** {@code SecretService *secret_service_get_sync(SecretServiceFlags, GCancellable*, GError**)}: a reference to release with {@code g_object_unref}. */
    Pointer secret_service_get_sync(int flags, Pointer cancellable, PointerByReference error);

    /**
     * {@code SecretCollection *secret_collection_for_alias_sync(SecretService*, const gchar *alias,
     * SecretCollectionFlags, GCancellable*, GError**)}: NULL without an error when no collection has the alias.
     */
    Pointer secret_collection_for_alias_sync(Pointer service, String alias, int flags, Pointer cancellable,
                                             PointerByReference error);

    /** {@code gboolean secret_collection_get_locked(SecretCollection*)}. */
    int secret_collection_get_locked(Pointer collection);
}
