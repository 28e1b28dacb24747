package dev.latchkey.daemon.store.secretservice;

import com.sun.jna.Library;
import com.sun.jna.Pointer;

/** Raw JNA mapping of {@code libgio-2.0.so.0}: the cancellable that bounds every call. */
interface Gio extends Library {
    String SONAME = "libgio-2.0.so.0";

    /** {@code GCancellable *g_cancellable_new(void)}: released with {@code g_object_unref}. */
    Pointer g_cancellable_new();

    /** {@code void g_cancellable_cancel(GCancellable*)}: thread-safe; the blocked call then fails with G_IO_ERROR_CANCELLED. */
    void g_cancellable_cancel(Pointer cancellable);
}
