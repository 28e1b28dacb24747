package dev.latchkey.daemon.door.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The files made from the command line's one definition (door.Commands): the man page and the
 * bash, zsh and fish completions, by their place in the repository. {@code scripts/cli-reference}
 * writes them; a test fails when the committed ones differ from what this makes.
 */
public final class CliReference {
    private CliReference() {
    }

    /** Each file's path in the repository, and its text. */
    public static Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("docs/man/latchkey.1", ManPage.render());
        files.put("native-config/completions/latchkey.bash", Completions.bash());
        files.put("native-config/completions/_latchkey", Completions.zsh());
        files.put("native-config/completions/latchkey.fish", Completions.fish());
        return files;
    }

    /** Writes {@link #files()} under the repository root given as the one argument. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: CliReference REPOSITORY-ROOT");
            System.exit(2);
        }
        Path root = Path.of(args[0]);
        for (Map.Entry<String, String> file : files().entrySet()) {
            Path path = root.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
            System.err.println("wrote " + file.getKey());
        }
    }
}
