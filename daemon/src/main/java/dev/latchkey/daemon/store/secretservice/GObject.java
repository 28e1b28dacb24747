package dev.latchkey.daemon.store.secretservice;

import com.sun.jna.Library;
import com.sun.jna.Pointer;

/** Raw JNA mapping of {@code libgobject-2.0.so.0}: releasing the objects libsecret hands out. */
interface GObject extends Library {
    String SONAME = "libgobject-2.0.so.0";

    void g_object_unref(Pointer object);
}
