package dev.latchkey.it;

import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A {@code @TempDir} in memory ({@code /dev/shm}) where the machine has one, else in the usual
 * place: for a test that writes a token file thousands of times from competing processes. Each
 * write syncs the file and its directory to disk, which on a virtual disk costs milliseconds,
 * serialised under the file's lock, and tests nothing that test is about (lost updates between
 * processes, not a lost disk). The crash test stays on disk, where a write takes long enough for
 * kills to land inside it.
 */
final class MemoryTempDir implements TempDirFactory {
    private static final Path SHM = Path.of("/dev/shm");

    @Override
    public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext extension) throws IOException {
        if (Files.isDirectory(SHM) && Files.isWritable(SHM)) {
            return Files.createTempDirectory(SHM, "latchkey-test");
        }
        return Files.createTempDirectory("latchkey-test");
    }
}
