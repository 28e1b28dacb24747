package dev.latchkey.daemon.jna;

import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.config.Locations;
import dev.latchkey.daemon.ownership.OwnerOnly;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;

/**
 * Where JNA unpacks its native stub (libjnidispatch) before loading it: {@code jna/} in latchkey's
 * own cache directory, made 0700 and checked like latchkey's other directories, and set as
 * {@code jna.tmpdir} before JNA's first use. Left to itself JNA makes its directory
 * ({@code $XDG_CACHE_HOME/JNA/temp}) and writes the library with the umask's mode, 0777 and 0666
 * under {@code umask 000}, so another user could put their own library in its place between its
 * unpacking and its loading, and run code as this user. (The system's libjnidispatch is not used
 * instead: few systems have one, and JNA refuses one of another version.)
 *
 * <p>Each binding calls {@link #prepare()} before touching JNA. The directory is found from this
 * process's environment, as JNA's own property is this process's.
 */
public final class JnaUnpackDirectory {
    private static boolean prepared; // guarded by the class

    private JnaUnpackDirectory() {
    }

    /**
     * Makes the directory and points {@code jna.tmpdir} at it, once per process; a
     * {@code -Djna.tmpdir} given on the command line is left as it is.
     *
     * @throws UncheckedIOException when the directory cannot be made, or is not the user's own
     *         that only the user can write (the message names the fix): JNA must not be loaded then
     */
    public static synchronized void prepare() {
        if (prepared || System.getProperty("jna.tmpdir") != null) {
            return;
        }
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            prepared = true; // Windows: JNA unpacks into the user's own %TEMP%
            return;
        }
        Path directory = new Locations(Environment.ofProcess()).cacheDirectory().resolve("jna");
        try {
            OwnerOnly.directory(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("JNA's unpack directory: " + e.getMessage(), e);
        }
        System.setProperty("jna.tmpdir", directory.toString());
        prepared = true;
    }
}
