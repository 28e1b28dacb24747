package dev.latchkey.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the real-cargo tests give cargo to work on: its config (a registry with latchkey as its
 * provider, crates.io replaced by an empty local source so that nothing can reach the network) and
 * two fixture crates, a library to publish and an app that depends on it from the registry.
 */
final class CargoFixtures {
    static final String CORE = "latchkey-e2e-core";
    static final String APP = "latchkey-e2e-app";
    static final String VERSION = "0.1.0";

    private CargoFixtures() {
    }

    /** The two ways a user can make cargo use latchkey. */
    enum ProviderSetting {
        /** {@code registries.NAME.credential-provider}: latchkey for this registry only. */
        PER_REGISTRY,
        /** {@code registry.global-credential-providers}: latchkey for every registry. */
        GLOBAL
    }

    /** The launcher users name in cargo's config: {@code scripts/latchkey} of this checkout. */
    static Path launcher() {
        return Path.of(System.getProperty("latchkey.root")).toAbsolutePath().normalize().resolve("scripts/latchkey");
    }

    /** cargo's config for {@code registry} at {@code indexUrl}, latchkey as its provider in one of the two ways. */
    static String cargoConfig(Path temp, String registry, String indexUrl, Path launcher, ProviderSetting setting) throws IOException {
        Path noCratesIo = Files.createDirectories(temp.resolve("no-crates-io"));
        String provider = "[" + toml(launcher.toString()) + "]";
        String config = "[registries." + registry + "]\n"
                + "index = " + toml(indexUrl) + "\n";
        switch (setting) {
            case PER_REGISTRY -> config += "credential-provider = " + provider + "\n";
            case GLOBAL -> config += "\n" + globalSnippet(provider);
        }
        return config + "\n[source.crates-io]\nreplace-with = \"no-crates-io\"\n"
                + "\n[source.no-crates-io]\ndirectory = " + toml(noCratesIo.toString()) + "\n";
    }

    /**
     * The snippet users copy into cargo's config, {@code native-config/cargo/config.toml}, with
     * {@code provider} for the {@code latchkey} it names: the end-to-end tests run cargo with it.
     */
    private static String globalSnippet(String provider) throws IOException {
        String snippet = Files.readString(launcher().getParent().resolveSibling("native-config/cargo/config.toml"));
        String global = "global-credential-providers = [\"latchkey\"]";
        if (!snippet.contains(global)) {
            throw new IllegalStateException("native-config/cargo/config.toml no longer says " + global);
        }
        return snippet.replace(global, "global-credential-providers = " + provider);
    }

    /** A library with no dependencies, complete enough that publishing it to {@code registry} draws no warning. */
    static Path writeCoreCrate(Path temp, String registry) throws IOException {
        Path dir = temp.resolve("core");
        Files.createDirectories(dir.resolve("src"));
        Files.writeString(dir.resolve("Cargo.toml"), """
                [package]
                name = "%s"
                version = "%s"
                edition = "2021"
                description = "Fixture crate for latchkey's end-to-end test"
                license = "MIT"
                repository = "https://example.invalid/latchkey-e2e"
                publish = ["%s"]

                [workspace]
                """.formatted(CORE, VERSION, registry));
        Files.writeString(dir.resolve("src/lib.rs"), "pub fn answer() -> u32 {\n    42\n}\n");
        return dir;
    }

    /** A library that depends on the core crate from {@code registry}. */
    static Path writeAppCrate(Path temp, String registry) throws IOException {
        Path dir = temp.resolve("app");
        Files.createDirectories(dir.resolve("src"));
        Files.writeString(dir.resolve("Cargo.toml"), """
                [package]
                name = "%s"
                version = "%s"
                edition = "2021"
                publish = false

                [dependencies]
                %s = { version = "%s", registry = "%s" }

                [workspace]
                """.formatted(APP, VERSION, CORE, VERSION, registry));
        Files.writeString(dir.resolve("src/lib.rs"), "pub use latchkey_e2e_core::answer;\n");
        return dir;
    }

    /** The contents of each core .crate file under {@code dir}, wherever cargo's layout puts them. */
    static List<byte[]> crateFiles(Path dir) throws IOException {
        String file = CORE + "-" + VERSION + ".crate";
        List<byte[]> contents = new ArrayList<>();
        try (Stream<Path> found = Files.find(dir, 4, (path, attributes) -> path.getFileName().toString().equals(file))) {
            for (Path path : found.toList()) {
                contents.add(Files.readAllBytes(path));
            }
        }
        return contents;
    }

    static String toml(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
