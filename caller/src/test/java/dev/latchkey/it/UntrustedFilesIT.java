package dev.latchkey.it;

import com.sun.security.auth.module.UnixSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static dev.latchkey.it.LatchkeyProcess.run;
import static dev.latchkey.it.LatchkeyProcess.tokenFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files and directories latchkey relies on that another user owns or could have changed: its own
 * token files and directories are refused with the fix, cargo's credentials file is used with a
 * warning when others can read it, and nothing is written or chmodded through a symbolic link.
 */
class UntrustedFilesIT {
    private static final String INDEX = "sparse+https://packages.example.com/index/";
    private static final String TOKEN = "untrusted-files-token-5d2a";

    @TempDir
    Path home;

    private Path state() {
        return home.resolve("xdg/state/latchkey");
    }

    private void storeAToken() {
        LatchkeyProcess.Finished stored = run(home, TOKEN + "\n", "store", INDEX, "--store", "file");
        assertEquals(0, stored.status(), stored.stderr());
    }

    @Test
    void anAuditLogThatIsASymbolicLinkIsNeitherWrittenNorChmoddedThrough() throws Exception {
        storeAToken();
        Path elsewhere = Files.writeString(home.resolve("precious.txt"), "not latchkey's\n");
        Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rw-r--r--"));
        Path log = state().resolve("audit.log");
        Files.delete(log);
        Files.createSymbolicLink(log, elsewhere);

        LatchkeyProcess.Finished got = run(home, "", "get", INDEX);

        assertEquals(0, got.status(), got.stderr());
        assertEquals(TOKEN + "\n", got.stdout());
        assertEquals("not latchkey's\n", Files.readString(elsewhere), "the link's target is left as it was");
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(elsewhere)));
        assertTrue(got.stderr().contains("warning: could not write the audit log " + log + ": " + log + " is a symbolic link"),
                got.stderr());
        assertTrue(got.stderr().contains("`rm " + log + "`"), "names the fix: " + got.stderr());
        assertTrue(Files.isSymbolicLink(log), "the link is the user's to remove");
    }

    @Test
    void aTokenFileOwnedByAnotherUserIsRefused() throws Exception {
        RequiredComponent.require(new UnixSystem().getUid() == 0, "the test runs as root, to give a file to another user");
        storeAToken();
        Files.setOwner(tokenFile(home), FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));

        LatchkeyProcess.Finished got = run(home, "", "get", INDEX);

        assertEquals(3, got.status(), got.stderr());
        assertEquals("", got.stdout(), "no token of another user's file is handed out");
        assertTrue(got.stderr().contains(tokenFile(home) + " belongs to nobody (uid 65534), not to you"), got.stderr());
        assertTrue(got.stderr().contains("`sudo chown root " + tokenFile(home) + "`, else move it away"), got.stderr());
    }

    @Test
    void aTokenFileOthersCanReadIsRefusedAndDoctorShowsItsRealMode() throws Exception {
        storeAToken();
        LatchkeyProcess.Finished healthy = run(home, "", "doctor");
        assertTrue(healthy.stdout().contains("plain-text token file " + tokenFile(home) + " (mode 0600)"), healthy.stdout());
        Files.setPosixFilePermissions(tokenFile(home), PosixFilePermissions.fromString("rw-r--r--"));

        LatchkeyProcess.Finished got = run(home, "", "get", INDEX);
        LatchkeyProcess.Finished doctor = run(home, "", "doctor");

        assertEquals(3, got.status(), got.stderr());
        assertEquals("", got.stdout());
        String refusal = tokenFile(home) + " can be read or written by its group and others (mode 0644)";
        assertTrue(got.stderr().contains(refusal), got.stderr());
        assertTrue(got.stderr().contains("`chmod 600 " + tokenFile(home) + "`"), "names the fix: " + got.stderr());
        assertEquals(0, doctor.status(), doctor.stderr());
        assertTrue(doctor.stdout().lines().anyMatch(line -> line.startsWith("file ") && line.contains("unusable")
                && line.contains(refusal)), doctor.stdout());

        Files.setPosixFilePermissions(tokenFile(home), PosixFilePermissions.fromString("rw-------"));
        LatchkeyProcess.Finished fixed = run(home, "", "get", INDEX);
        assertEquals(TOKEN + "\n", fixed.stdout(), "the fix it names works: " + fixed.stderr());
    }

    @Test
    void aDataOrStateDirectoryOthersCanWriteIsRefused() throws Exception {
        storeAToken();
        Path data = tokenFile(home).getParent();
        for (Path directory : new Path[] {data, state()}) {
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxrwxr-x"));

            LatchkeyProcess.Finished got = run(home, "", "get", INDEX);

            assertEquals(3, got.status(), directory + ": " + got.stderr());
            assertEquals("", got.stdout());
            assertTrue(got.stderr().contains("the directory " + directory + " is writable by its group (mode 0775)"), got.stderr());
            assertTrue(got.stderr().contains("`chmod go-w " + directory + "`"), "names the fix: " + got.stderr());
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        }
        assertEquals(TOKEN + "\n", run(home, "", "get", INDEX).stdout());
    }

    @Test
    void cargosCredentialsFileThatOthersCanReadIsUsedWithAWarning() throws Exception {
        Path credentials = Files.createDirectories(home.resolve("cargo")).resolve("credentials.toml");
        // As a CI script that writes it by hand leaves it: cargo reads it whatever its mode, so latchkey warns.
        Files.writeString(credentials, "[registry]\ntoken = \"" + TOKEN + "\"\n");
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-r--r--"));

        LatchkeyProcess.Finished got = run(home, "", "get", "crates-io");
        LatchkeyProcess.Finished doctor = run(home, "", "doctor");

        assertEquals(0, got.status(), got.stderr());
        assertEquals(TOKEN + "\n", got.stdout());
        String warning = credentials + " can be read or written by its group and others (mode 0644)";
        assertTrue(got.stderr().contains("latchkey: warning: " + warning), got.stderr());
        assertTrue(got.stderr().contains("`chmod 600 " + credentials + "`"), got.stderr());
        assertTrue(doctor.stdout().lines().anyMatch(line -> line.startsWith("cargo ") && line.contains("warning: " + warning)),
                doctor.stdout());
        assertFalse(got.stderr().contains(TOKEN));
    }
}
