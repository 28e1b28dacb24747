package dev.latchkey.it;

import com.sun.security.auth.module.UnixSystem;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static dev.latchkey.it.LatchkeyProcess.configFile;
import static dev.latchkey.it.LatchkeyProcess.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A config file that another user could have written decides which commands latchkey runs: like
 * ssh's config, one that others can write, that sits in a directory others can write, or that
 * another user owns is refused with the fix (exit 2), and its {@code command} store never runs.
 */
class UntrustedConfigIT {
    private static final String INDEX = "sparse+https://packages.example.com/index/";

    @TempDir
    Path home;
    private Path marker;

    @BeforeEach
    void writeAConfigWhoseCommandLeavesAMark() throws IOException {
        marker = home.resolve("the-command-ran");
        Files.createDirectories(configFile(home).getParent());
        Files.writeString(configFile(home), "stores = [\"command\"]\n[store.command]\nget = [\"sh\", \"-c\", \"touch '" + marker
                + "'; echo command-token\"]\n");
        Files.setPosixFilePermissions(configFile(home), PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(configFile(home).getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void aConfigFileItsGroupCanWriteIsRefusedAndItsCommandNeverRuns() throws Exception {
        Files.setPosixFilePermissions(configFile(home), PosixFilePermissions.fromString("rw-rw-r--"));

        LatchkeyProcess.Finished got = run(home, "", "get", INDEX);

        assertEquals(2, got.status(), got.stderr());
        assertEquals("", got.stdout());
        assertTrue(got.stderr().contains("latchkey: cannot use the config file: " + configFile(home)
                + " is writable by its group (mode 0664)"), got.stderr());
        assertTrue(got.stderr().contains("`chmod go-w " + configFile(home) + "`"), "names the fix: " + got.stderr());
        assertFalse(Files.exists(marker), "the command of a config others could write never runs");
        assertTheFixWorks(configFile(home));
    }

    @Test
    void aConfigInADirectoryItsGroupCanWriteIsRefusedAndItsCommandNeverRuns() throws Exception {
        Path directory = configFile(home).getParent();
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxrwxr-x"));

        LatchkeyProcess.Finished got = run(home, "", "get", INDEX);

        assertEquals(2, got.status(), got.stderr());
        assertTrue(got.stderr().contains("the directory " + directory + " holding " + configFile(home)
                + " is writable by its group (mode 0775)"), got.stderr());
        assertTrue(got.stderr().contains("`chmod go-w " + directory + "`"), "names the fix: " + got.stderr());
        assertFalse(Files.exists(marker), "the command of a config others could replace never runs");
        assertTheFixWorks(directory);
    }

    @Test
    void aConfigFileOwnedByAnotherUserIsRefused() throws Exception {
        RequiredComponent.require(new UnixSystem().getUid() == 0, "the test runs as root, to give a file to another user");
        Files.setOwner(configFile(home), FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));

        LatchkeyProcess.Finished got = run(home, "", "get", INDEX);

        assertEquals(2, got.status(), got.stderr());
        assertTrue(got.stderr().contains(configFile(home) + " belongs to nobody (uid 65534), not to you"), got.stderr());
        assertTrue(got.stderr().contains("`sudo chown root " + configFile(home) + "`"), "names the fix: " + got.stderr());
        assertFalse(Files.exists(marker));
    }

    @Test
    void doctorSaysSoAndStillReportsTheStores() throws Exception {
        Files.setPosixFilePermissions(configFile(home), PosixFilePermissions.fromString("rw-rw-rw-"));

        LatchkeyProcess.Finished doctor = run(home, "", "doctor");

        assertEquals(2, doctor.status(), doctor.stderr());
        assertTrue(doctor.stderr().contains(configFile(home) + " is writable by its group and others (mode 0666)"), doctor.stderr());
        assertTrue(doctor.stderr().contains("`chmod go-w " + configFile(home) + "`"), doctor.stderr());
        assertTrue(doctor.stdout().contains("config: not used, see above; the stores as they are without it:"), doctor.stdout());
        assertTrue(doctor.stdout().lines().anyMatch(line -> line.startsWith("file ")), "the stores are reported: " + doctor.stdout());
        assertFalse(Files.exists(marker));
    }

    /** After the fix the message names, the same config is used and its command runs. */
    private void assertTheFixWorks(Path fixed) throws IOException {
        Files.setPosixFilePermissions(fixed, PosixFilePermissions.fromString(Files.isDirectory(fixed) ? "rwxr-xr-x" : "rw-r--r--"));
        LatchkeyProcess.Finished got = run(home, "", "get", INDEX);
        assertEquals(0, got.status(), got.stderr());
        assertEquals("command-token\n", got.stdout());
        assertTrue(Files.exists(marker));
    }
}
