package dev.latchkey.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No session bus at all (SSH, containers, CI): neither DBUS_SESSION_BUS_ADDRESS nor
 * XDG_RUNTIME_DIR. The keychain is then {@code unavailable}, with the fix, decided without loading
 * JNA or any native code; a lookup in the default order goes on to the other stores.
 */
class NoSessionBusKeyringIT {
    private static final String INDEX_URL = "sparse+http://127.0.0.1:9/no-bus/index/";

    @TempDir
    Path home;
    private Map<String, String> env;

    @BeforeEach
    void withoutABus() {
        env = PrivateHomes.environment(home, home.resolve("cargo"));
        assertFalse(env.containsKey("DBUS_SESSION_BUS_ADDRESS") || env.containsKey("XDG_RUNTIME_DIR"), env.toString());
    }

    /** Runs latchkey, logging each class it loads to a file; returns the run and whether any JNA class was loaded. */
    private ProcessRun.Result latchkeyWithoutJna(String stdin, String... args) throws IOException {
        Path classes = Files.createTempFile(home, "classes", ".log");
        ProcessRun.Result run = ProcessRun.of(LatchkeyProcess.command(List.of("-Xlog:class+load=info:file=" + classes), args))
                .environment(env).in(home).stdin(stdin).run();
        assertFalse(Files.readString(classes).contains("com.sun.jna."), "JNA was loaded: " + run);
        return run;
    }

    @Test
    void storingInTheKeychainIsUnavailableWithTheFix() throws IOException {
        ProcessRun.Result store = latchkeyWithoutJna("some-token\n", "store", INDEX_URL, "--store", "keychain").assertExit(3);
        assertTrue(store.stderr().contains("no session bus") && store.stderr().contains("dbus-launch"), store.toString());
    }

    @Test
    void aGetFromTheKeychainOverStdioIsUnavailable() throws IOException {
        String request = "{\"v\":1,\"kind\":\"get\",\"registry\":{\"index-url\":\"" + INDEX_URL + "\"},"
                + "\"args\":[\"--store\",\"keychain\"]}\n";
        List<String> lines = latchkeyWithoutJna(request, "stdio").assertExit(0).stdout().lines().toList();
        assertTrue(lines.get(1).startsWith("{\"Err\":{\"kind\":\"unavailable\"") && lines.get(1).contains("no session bus"),
                lines.toString());
    }

    @Test
    void aLookupInTheDefaultOrderSkipsTheKeychainAndAnswersFromTheOtherStores() throws IOException {
        latchkeyWithoutJna("file-token\n", "store", INDEX_URL, "--store", "file").assertExit(0);
        ProcessRun.Result get = latchkeyWithoutJna("", "get", INDEX_URL).assertExit(0);
        assertTrue(get.stdout().equals("file-token\n"), get.toString());
    }

    @Test
    void doctorGivesEachKeychainsReason() throws IOException {
        String report = latchkeyWithoutJna("", "doctor").assertExit(0).stdout();
        assertTrue(report.lines().anyMatch(l -> l.startsWith("keychain ") && l.contains(" unusable ")
                && l.contains("libsecret: no session bus")), report);
        assertTrue(report.lines().anyMatch(l -> l.startsWith("libsecret ") && l.contains("no session bus")), report);
        assertTrue(report.lines().anyMatch(l -> l.startsWith("macos-keychain ") && l.contains("not this OS")), report);
        assertTrue(report.lines().anyMatch(l -> l.startsWith("wincred ") && l.contains("not this OS")), report);
    }
}
