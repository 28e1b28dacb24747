package dev.latchkey.daemon.store.secretservice;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/** Raw layout of glib's {@code GError}: {@code { GQuark domain; gint code; gchar *message; }}. */
@Structure.FieldOrder({"domain", "code", "message"})
public class GError extends Structure {
    public int domain;
    public int code;
    public Pointer message;

    public GError() {
    }

    /** The error at {@code address}, read at once. */
    GError(Pointer address) {
        super(address);
        read();
    }
}
