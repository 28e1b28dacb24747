package dev.latchkey.daemon.store.secretservice;

import com.sun.jna.Library;
import com.sun.jna.Pointer;

/** Raw JNA mapping of the {@code libglib-2.0.so.0} calls libsecret's API needs around it. */
interface GLib extends Library {
    String SONAME = "libglib-2.0.so.0";

    /** {@code GHashTable *g_hash_table_new_full(GHashFunc, GEqualFunc, GDestroyNotify key, GDestroyNotify value)}. */
    Pointer g_hash_table_new_full(Pointer hash, Pointer equal, Pointer keyDestroy, Pointer valueDestroy);

    /** {@code gboolean g_hash_table_insert(GHashTable*, gpointer key, gpointer value)}: takes both. */
    int g_hash_table_insert(Pointer table, Pointer key, Pointer value);

    /** {@code gpointer g_hash_table_lookup(GHashTable*, gconstpointer key)}: borrowed. */
    Pointer g_hash_table_lookup(Pointer table, String key);

    void g_hash_table_unref(Pointer table);

    /** {@code gchar *g_strdup(const gchar*)}: a copy in glib's memory, freed with {@code g_free}. */
    Pointer g_strdup(String text);

    void g_free(Pointer memory);

    /** {@code void g_strfreev(gchar **list)}: a NULL-terminated list of strings and the list. */
    void g_strfreev(Pointer list);

    /** {@code const gchar *g_quark_to_string(GQuark)}: borrowed. */
    String g_quark_to_string(int quark);

    void g_error_free(Pointer error);

    /** {@code void g_list_free_full(GList*, GDestroyNotify)}. */
    void g_list_free_full(Pointer list, Pointer destroy);
}
