package dev.latchkey.daemon.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A keyring daemon that never answers (stopped with SIGSTOP): every libsecret call would block for
 * D-Bus's 25 s timeouts, twice. latchkey's deadline (here 1 s) must end the call, answer
 * {@code unavailable} with the fix, and exit 3; once the daemon runs again, so does latchkey.
 */
class HungKeyringIT {
    private static final String INDEX_URL = "sparse+http://127.0.0.1:9/hung/index/";

    @TempDir
    Path home;
    @TempDir
    Path keyrings;

    @Test
    void aStoppedKeyringDaemonCostsOneDeadlineAndIsReportedUnavailable() throws IOException {
        try (PrivateKeyring keyring = PrivateKeyring.start(keyrings, "hung-keyring-password")) {
            Map<String, String> env = new HashMap<>(LatchkeyJar.isolatedEnvironment(keyring.environment(), home));
            env.put("LATCHKEY_KEYRING_TIMEOUT", "1s");
            CommandRun.of(LatchkeyJar.command("store", INDEX_URL), env, home).withStdin("hung-token\n").run().assertExit(0);

            keyring.signalKeyringDaemon("STOP");
            try {
                CommandRun.Finished get = CommandRun.of(LatchkeyJar.command("get", INDEX_URL), env, home)
                        .withLimit(Duration.ofSeconds(20)).run().assertExit(3);
                assertTrue(get.stderr().contains("did not answer within 1000 ms"), get.toString());
                assertTrue(get.elapsed().compareTo(Duration.ofSeconds(6)) < 0,
                        "one 1 s deadline plus the JVM's start, not D-Bus's 25 s: " + get);
            } finally {
                keyring.signalKeyringDaemon("CONT");
            }

            CommandRun.Finished again = CommandRun.of(LatchkeyJar.command("get", INDEX_URL), env, home).run().assertExit(0);
            assertEquals("hung-token\n", again.stdout());
        }
    }
}
