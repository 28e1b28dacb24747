package dev.latchkey.daemon.relay;

import dev.latchkey.daemon.service.Services;
import dev.latchkey.daemon.transport.RequestHandler;

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The daemon's side of the relay ({@link RelaySlots}, {@link CargoRelay}): it makes the slots'
 * pipes, keeps one thread on each slot, and takes them away when the daemon stops. The pipes are
 * made with {@code mkfifo}, which every Unix has and Java cannot do itself; without it there is
 * no relay, and cargo's requests take the socket, only more slowly.
 */
public final class RelayServer {
    private static final Duration MKFIFO_TIMEOUT = Duration.ofSeconds(10);
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final RelaySlots slots;
    private final FileChannel alive;
    private final Consumer<String> log;
    private final AtomicInteger busy = new AtomicInteger();
    private volatile boolean stopping;

    private RelayServer(RelaySlots slots, FileChannel alive, Consumer<String> log) {
        this.slots = slots;
        this.alive = alive;
        this.log = log;
    }

    /**
     * Makes the relay of the daemon that has claimed {@code socket}: whatever a daemon before it
     * left is removed, and the new directory is built aside and moved into place whole, with
     * {@code alive} already locked, so a relay never finds it half made. Null, logged, when it
     * cannot be made.
     */
    public static RelayServer open(Path socket, Consumer<String> log) {
        RelaySlots slots = new RelaySlots(socket);
        Path directory = slots.directory();
        Path building = directory.resolveSibling(directory.getFileName() + ".new");
        FileChannel alive = null;
        try {
            removeTree(directory);
            removeTree(building);
            Files.createDirectory(building, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            alive = FileChannel.open(building.resolve("alive"), Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    OWNER_ONLY);
            alive.lock(); // a relay probing it only delays this, never fails it
            List<String> mkfifo = new ArrayList<>(List.of("mkfifo", "-m", "600"));
            for (int slot = 0; slot < RelaySlots.COUNT; slot++) {
                Files.createFile(building.resolve(slots.lock(slot).getFileName()), OWNER_ONLY);
                mkfifo.add(building.resolve(slots.requests(slot).getFileName()).toString());
                mkfifo.add(building.resolve(slots.answers(slot).getFileName()).toString());
            }
            run(mkfifo);
            Files.move(building, directory, StandardCopyOption.ATOMIC_MOVE);
            return new RelayServer(slots, alive, log);
        } catch (IOException e) {
            log.accept("the relay for cargo is off, so cargo's requests take the socket, some 30 ms slower each: "
                    + e.getMessage());
            close(alive);
            try {
                removeTree(building);
            } catch (IOException ignored) {
                // left for the next daemon to remove
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close(alive);
            return null;
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            throw new IOException("cannot run mkfifo (" + e.getMessage() + ")", e);
        }
        String said = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!process.waitFor(MKFIFO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IOException("mkfifo did not finish within " + MKFIFO_TIMEOUT.toSeconds() + " s");
        }
        if (process.exitValue() != 0) {
            throw new IOException("mkfifo failed with status " + process.exitValue() + (said.isEmpty() ? "" : ": " + said));
        }
    }

    /** The directory the relay is served in. */
    public Path directory() {
        return slots.directory();
    }

    /**
     * Serves every slot on a thread of its own, each session through a {@link RelaySession} whose
     * handlers {@code tracking} wraps.
     */
    public void start(Services services, String version, UnaryOperator<RequestHandler> tracking) {
        RelaySession sessions = new RelaySession(services, version, handler -> {
            RequestHandler tracked = tracking.apply(handler);
            return line -> {
                busy.incrementAndGet();
                try {
                    return tracked.handle(line);
                } finally {
                    busy.decrementAndGet();
                }
            };
        }, () -> stopping);
        for (int slot = 0; slot < RelaySlots.COUNT; slot++) {
            int served = slot;
            Thread thread = new Thread(() -> serve(served, sessions), "latchkey-relay-" + slot);
            thread.setDaemon(true); // a thread waiting for a relay to open a pipe cannot be woken; the exit ends it
            thread.start();
        }
    }

    private void serve(int slot, RelaySession sessions) {
        while (!stopping) {
            // Each open waits for a relay to open the other end; the order is the relay's.
            try (FileInputStream in = new FileInputStream(slots.requests(slot).toFile());
                 OutputStream out = new BufferedOutputStream(new FileOutputStream(slots.answers(slot).toFile()))) {
                sessions.serve(in, out, slots.requests(slot));
            } catch (FileNotFoundException e) {
                return; // the pipes were removed: the daemon is stopping
            } catch (IOException e) {
                // the relay went away while it was being answered; the next one may come
            } catch (RuntimeException e) {
                // A bug met by one session must not take the slot with it: the next relay is served.
                log.accept("a relayed session on slot " + slot + " ended on an internal error (" + e.getClass().getName()
                        + "); the slot serves the next one");
            }
        }
    }

    /**
     * Takes no more sessions: the directory goes, so relays find no daemon and serve themselves,
     * and each request being served is answered, for up to {@code grace}. A request that comes on
     * an open session after this is handed back to its relay.
     */
    public void stop(Duration grace) {
        stopping = true;
        try {
            removeTree(slots.directory());
        } catch (IOException e) {
            log.accept("could not remove the relay's directory " + slots.directory() + ": " + e.getMessage());
        }
        close(alive);
        long giveUp = System.nanoTime() + grace.toNanos();
        while (busy.get() > 0 && System.nanoTime() - giveUp < 0) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void removeTree(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static void close(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // released either way
            }
        }
    }
}
