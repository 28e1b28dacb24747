package dev.latchkey.daemon.registry;

import dev.latchkey.daemon.files.TomlText;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code [registries.NAME] index} entries of cargo's config files, closest first: the
 * {@code .cargo/config.toml} files from the working directory up (none when it is null), then
 * {@code $CARGO_HOME}'s. Read on first use only: most requests carry the index URL and never need them.
 */
final class CargoConfigFiles {
    /** Far more than any cargo config holds. */
    static final int MAX_BYTES = 1024 * 1024;

    private final Path workingDirectory;
    private final Path cargoHome;
    private Map<String, String> indexByName;

    CargoConfigFiles(Path workingDirectory, Path cargoHome) {
        this.workingDirectory = workingDirectory;
        this.cargoHome = cargoHome;
    }

    Optional<String> indexOf(String name) {
        return Optional.ofNullable(registries().get(name));
    }

    Optional<String> nameOf(String indexUrl) {
        for (Map.Entry<String, String> registry : registries().entrySet()) {
            if (registry.getValue().equals(indexUrl)) {
                return Optional.of(registry.getKey());
            }
        }
        return Optional.empty();
    }

    private synchronized Map<String, String> registries() {
        if (indexByName == null) {
            Map<String, String> found = new LinkedHashMap<>();
            for (Path file : files()) {
                readInto(file, found);
            }
            indexByName = found;
        }
        return indexByName;
    }

    private List<Path> files() {
        List<Path> files = new ArrayList<>();
        for (Path dir = workingDirectory; dir != null; dir = dir.getParent()) { // none for a null directory
            addConfig(files, dir.resolve(".cargo"));
        }
        addConfig(files, cargoHome);
        return files;
    }

    private static void addConfig(List<Path> files, Path dir) {
        // cargo prefers config.toml and still reads the older extensionless name.
        for (String name : List.of("config.toml", "config")) {
            Path file = dir.resolve(name).toAbsolutePath().normalize();
            if (Files.isRegularFile(file) && !files.contains(file)) {
                files.add(file);
                return;
            }
        }
    }

    /**
     * Closer files come first and win, so a name already found is not replaced. A file larger than
     * {@link #MAX_BYTES} is passed over unread: a project's could be made to fill the daemon's heap.
     */
    private static void readInto(Path file, Map<String, String> found) {
        Map<String, Object> doc;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                return;
            }
            doc = TomlText.parse(new String(bytes, StandardCharsets.UTF_8), file);
        } catch (IOException | TomlText.MalformedTomlException e) {
            return; // cargo reports its own broken config; for us it only means fewer names
        }
        if (doc.get("registries") instanceof Map<?, ?> registries) {
            for (Map.Entry<?, ?> e : registries.entrySet()) {
                if (e.getValue() instanceof Map<?, ?> table && table.get("index") instanceof String index) {
                    found.putIfAbsent((String) e.getKey(), index);
                }
            }
        }
    }
}
