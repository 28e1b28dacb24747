package dev.latchkey.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A locked keyring, made as users meet it: a login keyring created with one password, then a
 * session that unlocks with another (gnome-keyring says nothing and leaves it locked). libsecret
 * answers a lookup there exactly as for a missing item; latchkey must say "locked", with the fix,
 * and exit 3. The fix its message names is then applied and must work.
 */
class LockedKeyringIT {
    private static final String PASSWORD = "the-right-password";
    private static final String TOKEN = "locked-away-token";
    private static final String INDEX_URL = "sparse+http://127.0.0.1:9/locked/index/";

    @TempDir
    Path home;
    @TempDir
    Path keyrings;

    private ProcessRun.Result latchkey(Map<String, String> env, String stdin, String... args) {
        return ProcessRun.of(LatchkeyProcess.command(List.of(), args)).environment(env).in(home).stdin(stdin).run();
    }

    @Test
    void aLockedCollectionIsReportedAsLockedWithTheFixNeverAsNotFound() throws IOException {
        try (PrivateKeyring first = PrivateKeyring.start(keyrings, PASSWORD)) {
            Map<String, String> env = first.privateHomes(home.resolve("first"));
            latchkey(env, TOKEN + "\n", "store", INDEX_URL, "--store", "keychain").assertExit(0);
        }
        try (PrivateKeyring second = PrivateKeyring.start(keyrings, "another-password")) {
            Map<String, String> env = second.privateHomes(home.resolve("second"));

            ProcessRun.Result get = latchkey(env, "", "get", INDEX_URL).assertExit(3);
            assertTrue(get.stderr().contains("locked: ") && get.stderr().contains("gnome-keyring-daemon --replace --unlock"),
                    get.toString());

            String doctor = latchkey(env, "", "doctor").assertExit(0).stdout();
            assertTrue(doctor.lines().anyMatch(l -> l.startsWith("keychain ") && l.contains(" unusable ")
                    && l.contains("libsecret: locked: ")), doctor);

            latchkey(env, "another-token\n", "store", INDEX_URL, "--store", "keychain").assertExit(3);
            latchkey(env, "", "erase", INDEX_URL, "--store", "keychain").assertExit(3);
            latchkey(env, "", "list").assertExit(3);

            String request = "{\"v\":1,\"kind\":\"get\",\"registry\":{\"index-url\":\"" + INDEX_URL + "\"}}\n";
            List<String> stdio = latchkey(env, request, "stdio").assertExit(0).stdout().lines().toList();
            assertTrue(stdio.get(1).startsWith("{\"Err\":{\"kind\":\"locked\""), stdio.toString());

            // The fix the message gives, with the keyring's real password on stdin.
            second.keyringDaemon(PASSWORD, "--replace", "--unlock", "--components=secrets");
            assertEquals(TOKEN + "\n", latchkey(env, "", "get", INDEX_URL).assertExit(0).stdout());
        }
    }
}
