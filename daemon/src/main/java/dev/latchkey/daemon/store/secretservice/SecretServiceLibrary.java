package dev.latchkey.daemon.store.secretservice;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import dev.latchkey.daemon.jna.JnaUnpackDirectory;

import java.util.EnumMap;
import java.util.Map;

/**
 * libsecret and the glib libraries under it, loaded once per process when a libsecret store is
 * first used (never at startup, so commands that do not touch the keyring never load JNA), plus
 * the schemas of {@link ItemSchema} in native memory for as long as the process lives.
 */
final class SecretServiceLibrary {
    /** Strings cross as UTF-8 whatever the locale says: registry URLs are compared byte for byte with cargo's. */
    private static final Map<String, Object> OPTIONS = Map.of(Library.OPTION_STRING_ENCODING, "UTF-8");

    final LibSecret secret;
    final GLib glib;
    final GObject gobject;
    final Gio gio;
    /** {@code g_str_hash}, {@code g_str_equal}, {@code g_free}, {@code g_object_unref}, passed to glib as function pointers. */
    final Function strHash;
    final Function strEqual;
    final Function free;
    final Function objectUnref;
    /** Each schema with flags NONE (so {@code xdg:schema} is matched too) and its one string attribute. */
    private final Map<ItemSchema, SecretSchema> schemas = new EnumMap<>(ItemSchema.class);

    private SecretServiceLibrary() {
        secret = Native.load(LibSecret.SONAME, LibSecret.class, OPTIONS);
        glib = Native.load(GLib.SONAME, GLib.class, OPTIONS);
        gobject = Native.load(GObject.SONAME, GObject.class, OPTIONS);
        gio = Native.load(Gio.SONAME, Gio.class, OPTIONS);
        NativeLibrary glibLibrary = NativeLibrary.getInstance(GLib.SONAME, OPTIONS);
        strHash = glibLibrary.getFunction("g_str_hash");
        strEqual = glibLibrary.getFunction("g_str_equal");
        free = glibLibrary.getFunction("g_free");
        objectUnref = NativeLibrary.getInstance(GObject.SONAME, OPTIONS).getFunction("g_object_unref");
        for (ItemSchema schema : ItemSchema.values()) {
            schemas.put(schema, new SecretSchema(schema.schemaName(), SecretSchema.FLAGS_NONE, schema.attribute()));
        }
    }

    /** {@code schema} in native memory. */
    SecretSchema schema(ItemSchema schema) {
        return schemas.get(schema);
    }

    /** The library, or why it cannot be loaded; decided on the first call, then remembered. */
    static Loaded get() {
        return Holder.LOADED;
    }

    /** Either the library or the reason it is missing, with the fix. */
    record Loaded(SecretServiceLibrary library, String problem) {
    }

    /** Loads on first access to {@link #LOADED}: the JVM runs this once, thread-safely. */
    private static final class Holder {
        static final Loaded LOADED = load();

        private static Loaded load() {
            try {
                JnaUnpackDirectory.prepare();
                return new Loaded(new SecretServiceLibrary(), null);
            } catch (UnsatisfiedLinkError e) {
                return new Loaded(null, "library missing: cannot load " + LibSecret.SONAME + " (" + firstLine(e)
                        + "); install libsecret: `sudo apt-get install libsecret-1-0` (Debian, Ubuntu), "
                        + "`sudo dnf install libsecret` (Fedora)");
            } catch (LinkageError | RuntimeException e) {
                // JNA unpacks its own native stub into a temporary directory; a read-only or noexec one fails here.
                return new Loaded(null, "JNA cannot start (" + firstLine(e) + "); point -Djna.tmpdir or "
                        + "XDG_CACHE_HOME at a writable directory that allows executables");
            }
        }

        private static String firstLine(Throwable e) {
            String message = String.valueOf(e.getMessage());
            int newline = message.indexOf('\n');
            return newline < 0 ? message : message.substring(0, newline);
        }
    }
}
