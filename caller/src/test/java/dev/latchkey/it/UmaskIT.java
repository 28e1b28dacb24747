package dev.latchkey.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Under {@code umask 000} every file latchkey makes is still 0600 and every directory 0700: the
 * token file and its lock, the metadata book, the audit and daemon logs, the socket's directory
 * and lock, and JNA's unpack directory, which the daemon uses at once (for its clients' pids) and
 * the libsecret store on its first use. Each command runs as {@code sh -c 'umask 000; exec ...'}
 * in a private home, which is then walked whole.
 */
class UmaskIT {
    private static final String FILE_REGISTRY = "sparse+https://packages.example.com/index/";
    private static final String KEYRING_REGISTRY = "sparse+https://keyring.example.com/index/";

    @TempDir
    Path base;

    @Test
    void withTheFileStoreAndTheDaemonEverythingMadeIsOwnerOnly() throws Exception {
        Path home = home();
        Map<String, String> env = new HashMap<>(PrivateHomes.environment(home, home.resolve("cargo")));
        env.put("HOME", home.toString());

        exercise(home, env, List.of(FILE_REGISTRY), "file");

        assertOwnerOnly(home);
    }

    @Test
    void withTheKeyringTooEverythingMadeIsOwnerOnly() throws Exception {
        Path home = home();
        try (PrivateKeyring keyring = PrivateKeyring.start(base.resolve("keyrings"), "umask-keyring-password")) {
            Map<String, String> env = new HashMap<>(keyring.privateHomes(home));
            env.put("HOME", home.toString());
            run(home, env, KEYRING_REGISTRY + "-token\n", "store", KEYRING_REGISTRY, "--store", "libsecret");

            exercise(home, env, List.of(FILE_REGISTRY, KEYRING_REGISTRY), "file");

            assertOwnerOnly(home);
        }
    }

    private Path home() throws IOException {
        return Files.createDirectory(base.resolve("home"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    /** store, get, list, doctor, then a daemon started, asked and stopped; every command under umask 000. */
    private void exercise(Path home, Map<String, String> env, List<String> registries, String store) {
        run(home, env, FILE_REGISTRY + "-token\n", "store", FILE_REGISTRY, "--store", store);
        try {
            for (String registry : registries) {
                assertEquals(registry + "-token\n", run(home, env, "", "--no-daemon", "get", registry).stdout());
            }
            assertTrue(run(home, env, "", "list").stdout().contains(FILE_REGISTRY));
            run(home, env, "", "doctor");
            run(home, env, "", "daemon");
            for (String registry : registries) {
                ProcessRun.Result got = run(home, env, "", "-v", "get", registry);
                assertEquals(registry + "-token\n", got.stdout());
                assertTrue(got.stderr().contains("answered by the daemon"), got.toString());
            }
        } finally {
            run(home, env, "", "daemon", "stop");
        }
    }

    private static ProcessRun.Result run(Path home, Map<String, String> env, String stdin, String... args) {
        List<String> command = new ArrayList<>(List.of("sh", "-c", "umask 000; exec \"$@\"", "sh"));
        command.addAll(LatchkeyProcess.command(List.of("-Duser.home=" + home), args));
        return ProcessRun.of(command).environment(env).in(home).stdin(stdin).timeout(Duration.ofSeconds(60)).run().assertSuccess();
    }

    /** Every file under {@code home} is 0600 and every directory 0700; the failure lists each that is not. */
    private static void assertOwnerOnly(Path home) throws IOException {
        List<String> wrong = new ArrayList<>();
        List<Path> walked;
        try (Stream<Path> paths = Files.walk(home)) {
            walked = paths.toList();
        }
        for (Path path : walked) {
            String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
            String expected = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) ? "rwx------" : "rw-------";
            if (!mode.equals(expected)) {
                wrong.add(mode + " " + path);
            }
        }
        assertEquals(List.of(), wrong, "made under umask 000 with another mode than 0600 or 0700");
        for (String made : List.of("xdg/data/latchkey/tokens.toml", "xdg/state/latchkey/audit.log", "xdg/state/latchkey/metadata.json",
                "xdg/state/latchkey/daemon.log", "xdg/cache/latchkey/jna")) {
            assertTrue(walked.contains(home.resolve(made)), "the walk saw " + made + ": " + walked);
        }
    }
}
