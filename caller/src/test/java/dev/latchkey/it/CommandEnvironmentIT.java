package dev.latchkey.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code command} store's child sees none of latchkey's secrets: not the encrypted store's
 * passphrase variable (whatever the config names it) nor cargo's token variables, whether latchkey
 * runs it in the caller's process or in the daemon, which holds the passphrase on purpose. What a
 * password manager needs to run is still there.
 */
class CommandEnvironmentIT {
    private static final String INDEX = "sparse+https://packages.example.com/index/";
    /** Named by the config; a name under XDG_, which the command keeps, so only its being the passphrase takes it out. */
    private static final String PASSPHRASE_VARIABLE = "XDG_VAULT_PASSPHRASE";
    private static final Map<String, String> SECRETS = Map.of(
            PASSPHRASE_VARIABLE, "passphrase-8e1f",
            "LATCHKEY_PASSPHRASE", "default-passphrase-3b7c",
            "CARGO_REGISTRY_TOKEN", "crates-io-token-41d0",
            "CARGO_REGISTRIES_COMPANY_TOKEN", "company-token-92aa",
            "UNRELATED_API_KEY", "unrelated-5c3e");

    @RegisterExtension
    final DaemonSandbox sandbox = DaemonSandbox.perTest();

    private Path dump() {
        return sandbox.root.resolve("command-env.txt");
    }

    private void configureACommandThatDumpsItsEnvironment() throws IOException {
        sandbox.config("stores = [\"command\"]\n[store.encrypted]\npassphrase-env = \"" + PASSPHRASE_VARIABLE + "\"\n"
                + "[store.command]\nget = [\"sh\", \"-c\", \"env > '" + dump() + "'; echo command-token\"]\n");
    }

    @Test
    void inTheCallersProcessTheCommandGetsNoSecretOfLatchkeys() throws Exception {
        configureACommandThatDumpsItsEnvironment();
        sandbox.env().putAll(SECRETS);
        sandbox.env().put("GNUPGHOME", sandbox.root.resolve("gnupg").toString());

        DaemonSandbox.Result got = sandbox.run(null, "--no-daemon", "get", INDEX);

        assertEquals(0, got.exit(), got.stderr());
        assertEquals("command-token\n", got.stdout());
        assertOnlyWhatAPasswordManagerNeeds(readDump());
        assertEquals(sandbox.root.resolve("gnupg").toString(), readDump().get("GNUPGHOME"), "gpg's home is kept for pass");
    }

    @Test
    void inTheDaemonWhichHoldsThePassphraseTheCommandGetsItNeither() throws Exception {
        configureACommandThatDumpsItsEnvironment();
        sandbox.env().put(PASSPHRASE_VARIABLE, SECRETS.get(PASSPHRASE_VARIABLE));
        sandbox.env().put("LATCHKEY_PASSPHRASE", SECRETS.get("LATCHKEY_PASSPHRASE"));
        sandbox.startDaemon();

        DaemonSandbox.Result got = sandbox.run(null, "-v", "get", INDEX);

        assertEquals(0, got.exit(), got.stderr());
        assertTrue(got.stderr().contains("answered by the daemon"), got.stderr());
        assertOnlyWhatAPasswordManagerNeeds(readDump());
    }

    private Map<String, String> readDump() throws IOException {
        Map<String, String> variables = new LinkedHashMap<>();
        for (String line : Files.readAllLines(dump())) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                variables.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        return variables;
    }

    private static void assertOnlyWhatAPasswordManagerNeeds(Map<String, String> seen) {
        for (Map.Entry<String, String> secret : SECRETS.entrySet()) {
            assertFalse(seen.containsKey(secret.getKey()), secret.getKey() + " reached the command: " + seen.keySet());
            assertFalse(seen.containsValue(secret.getValue()), "the value of " + secret.getKey() + " reached the command");
        }
        assertTrue(seen.containsKey("PATH"), "PATH is kept: " + seen.keySet());
        assertTrue(seen.containsKey("HOME"), "HOME is kept: " + seen.keySet());
        assertTrue(seen.containsKey("XDG_DATA_HOME"), "the XDG directories are kept: " + seen.keySet());
    }
}
