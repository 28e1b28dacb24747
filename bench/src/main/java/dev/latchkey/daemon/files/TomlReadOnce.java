package dev.latchkey.daemon.files;

import java.nio.file.Path;

/**
 * One read of a cargo config and credentials file in a fresh JVM, by latchkey's own reader or by
 * the TOML library, for HandWrittenBench (here for the package-private way to the library alone).
 * Prints the nanoseconds the read took, class loading included.
 */
public final class TomlReadOnce {
    static final String CARGO_CONFIG = """
            [registries.company]
            index = "sparse+https://packages.company.example/index/"
            credential-provider = ["latchkey"]

            [registries.mirror]
            index = "sparse+https://mirror.example/index/"

            [registry]
            global-credential-providers = ["latchkey"]

            [net]
            git-fetch-with-cli = true
            """;

    private TomlReadOnce() {
    }

    public static void main(String[] args) throws Exception {
        boolean library = args[0].equals("library");
        Path source = Path.of("config.toml");
        long start = System.nanoTime();
        Object read = library ? TomlText.parseWithLibrary(CARGO_CONFIG, source) : TomlText.parse(CARGO_CONFIG, source);
        long took = System.nanoTime() - start;
        if (!read.toString().contains("packages.company.example")) {
            throw new IllegalStateException("read wrongly: " + read);
        }
        System.out.println(took);
    }
}
