package dev.latchkey.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Where tests keep what they fetch once and reuse (pnpm, git's own helper tests):
 * {@code $XDG_CACHE_HOME/latchkey-tests}, else {@code ~/.cache/latchkey-tests}, shared by every
 * checkout of the user (scripts/test installs into the same place). An entry appears whole or not
 * at all: it is made in a scratch directory beside it and renamed into place, so two runs at once
 * (several worktrees) never see half of one. The versions of the tools are in
 * {@code test-tools.properties}, which scripts/test reads too.
 */
final class TestToolCache {
    private static final Properties TOOLS = loadTools();

    private TestToolCache() {
    }

    /** The version of a tool the tests use, from test-tools.properties ({@code pnpm.version}). */
    static String toolVersion(String key) {
        String value = TOOLS.getProperty(key);
        if (value == null) {
            throw new IllegalStateException("test-tools.properties has no " + key);
        }
        return value;
    }

    static Path root() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && Path.of(xdg).isAbsolute() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("latchkey-tests");
    }

    /** Makes an entry in a scratch directory. */
    interface Maker {
        void make(Path scratch) throws IOException;
    }

    /**
     * The entry {@code name}, made by {@code maker} when it is not there yet; {@code complete} is
     * a file inside the entry whose presence says it is whole.
     */
    static Path entry(String name, String complete, Maker maker) throws IOException {
        Path entry = root().resolve(name);
        if (Files.exists(entry.resolve(complete))) {
            return entry;
        }
        Files.createDirectories(root());
        Path scratch = Files.createTempDirectory(root(), "." + name + ".");
        try {
            maker.make(scratch);
            if (!Files.exists(scratch.resolve(complete))) {
                throw new IOException("making " + name + " left no " + complete);
            }
            try {
                Files.move(scratch, entry, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException e) {
                // Another run made it first: theirs is as good as ours.
                if (!Files.exists(entry.resolve(complete))) {
                    throw e;
                }
            }
        } finally {
            deleteTree(scratch);
        }
        return entry;
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Properties loadTools() {
        Properties properties = new Properties();
        try (InputStream in = TestToolCache.class.getResourceAsStream("test-tools.properties")) {
            if (in == null) {
                throw new IllegalStateException("test-tools.properties is missing from the test resources");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }
}
