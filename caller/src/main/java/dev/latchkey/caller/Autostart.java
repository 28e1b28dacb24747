package dev.latchkey.caller;

import dev.latchkey.daemon.config.ConfigException;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.config.Locations;
import dev.latchkey.daemon.door.CommandLine;
import dev.latchkey.daemon.service.Services;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The daemon started by the first request that finds none, so that the clients that start a
 * helper for every request (cargo, git, docker, pip, pnpm) are served by the daemon from their
 * second request on.
 * Off with {@code [daemon] autostart = false}, {@code LATCHKEY_AUTOSTART=0}, {@code LATCHKEY_NO_DAEMON}
 * or {@code --no-daemon}; only through the launcher (system property {@code latchkey.launcher}), which
 * gives the daemon its own JVM flags. The request itself is answered first and does not wait.
 */
final class Autostart {
    /** The front doors clients start for every request. */
    private static final Set<String> PER_REQUEST = Set.of("--cargo-plugin", "git-credential", "docker-credential", "keyring",
            "npm-token");
    /** Requests within this long of a start do not start another: the first daemon is still coming up. */
    private static final long STARTING_MILLIS = TimeUnit.SECONDS.toMillis(30);

    private Autostart() {
    }

    /** After a request served here: starts the daemon in the background if it should run and does not. */
    static void afterServing(CommandLine command, Environment env, Path config, Path socket, Services services,
                             PrintStream stderr) {
        String launcher = System.getProperty("latchkey.launcher");
        if (launcher == null || command.word() == null || !PER_REQUEST.contains(command.word()) || command.noDaemon()
                || env.enabled("LATCHKEY_NO_DAEMON") || "0".equals(env.variables().get("LATCHKEY_AUTOSTART"))
                || Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            if (!services.forConfig(config).config().autostart() || !claim(socket)) {
                return;
            }
            List<String> options = new ArrayList<>();
            if (config != null) {
                options.addAll(List.of("--config", config.toAbsolutePath().toString()));
            }
            new DaemonLauncher(socket, new Locations(env).stateDirectory().resolve("daemon.log"), env.home())
                    .startInBackground(launcher, options);
        } catch (ConfigException | IOException | RuntimeException e) {
            // The request was answered; the next one will try again, and `latchkey daemon` says what is wrong.
            if (command.verbose() || env.enabled("LATCHKEY_LOG")) {
                stderr.println("latchkey: verbose: could not start the daemon for the next request: " + e.getClass().getSimpleName());
            }
        }
    }

    /**
     * Whether this request starts the daemon: none started one within {@link #STARTING_MILLIS}.
     * Several requests at once may each start one; all but one daemon then find the socket taken.
     */
    private static boolean claim(Path socket) throws IOException {
        Path marker = socket.resolveSibling(socket.getFileName() + ".starting");
        dev.latchkey.protocol.socket.SocketDirectory.create(socket.getParent());
        try {
            FileTime last = Files.getLastModifiedTime(marker, LinkOption.NOFOLLOW_LINKS);
            if (System.currentTimeMillis() - last.toMillis() < STARTING_MILLIS) {
                return false;
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // never started from here
        }
        Files.write(marker, new byte[0], StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        return true;
    }
}
