package dev.latchkey.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
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
            Map<String, String> env = keyring.privateHomes(home);
            latchkey(env, "hung-token\n", "store", INDEX_URL).assertSuccess();

            keyring.signalKeyringDaemon("STOP");
            try {
                // That message comes only from latchkey's own deadline (D-Bus's 25 s timeout says so differently),
                // and a process still waiting on D-Bus is killed at the run's timeout, failing the test. The short
                // deadline is for this get alone: a first call or one just after CONT may be slow on a busy machine.
                Map<String, String> impatient = new HashMap<>(env);
                impatient.put("LATCHKEY_KEYRING_TIMEOUT", "1s");
                ProcessRun.Result get = latchkey(impatient, "", "get", INDEX_URL).assertExit(3);
                assertTrue(get.stderr().contains("did not answer within 1000 ms"), get.toString());
            } finally {
                keyring.signalKeyringDaemon("CONT");
            }

            ProcessRun.Result again = latchkey(env, "", "get", INDEX_URL).assertSuccess();
            assertEquals("hung-token\n", again.stdout());
        }
    }

    private ProcessRun.Result latchkey(Map<String, String> env, String stdin, String... args) {
        return ProcessRun.of(LatchkeyProcess.command(List.of(), args)).environment(env).in(home).stdin(stdin)
                .timeout(Duration.ofSeconds(20)).run();
    }
}
