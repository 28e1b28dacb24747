package dev.latchkey.daemon.store.command;

import dev.latchkey.daemon.store.RegistryKey;

import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Operation;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command store runs real commands through {@code sh}. */
class CommandStoreTest {
    private static final RegistryKey COMPANY = new RegistryKey("sparse+https://packages.example.com/index/", "company");

    private static Optional<String> run(CommandStore store) throws CredentialException {
        return store.get(COMPANY, Operation.READ).map(t -> t.secret().reveal());
    }

    private static CommandStore sh(String script) {
        return new CommandStore(List.of("sh", "-c", script, "sh", "{name}", "{index_url}"), "LATCHKEY_PASSPHRASE", 2);
    }

    @Test
    void theFirstLineIsTheTokenAndPlaceholdersAreReplaced() throws Exception {
        assertEquals(Optional.of("tok-company-sparse+https://packages.example.com/index/"),
                run(sh("printf 'tok-%s-%s\\r\\nsecond line\\n' \"$1\" \"$2\"")));
    }

    @Test
    void theCommandCannotReadLatchkeysStdin() throws Exception {
        // In provider and stdio mode latchkey's stdin is the protocol pipe: a command must see end of input.
        assertEquals(Optional.of("stdin-was-empty"), run(sh("if read line; then echo swallowed; else echo stdin-was-empty; fi")));
    }

    @Test
    void outputPastTheLimitIsDrainedSoTheCommandFinishes() throws Exception {
        // Without draining, the command blocks on a full pipe and only the timeout ends it.
        assertEquals(Optional.of("tok"), run(sh("echo tok; head -c 300000 /dev/zero; exit 0")));
    }

    @Test
    void aCommandThatHangsWithItsOutputOpenIsStopped() {
        CredentialException e = assertThrows(CredentialException.Unavailable.class, () -> run(sh("sleep 60")));
        assertTrue(e.getMessage().contains("did not finish within 2 s"), e.getMessage());
    }

    @Test
    void statusOneWithoutOutputIsNothingStoredAndOtherFailuresAreErrors() throws Exception {
        assertEquals(Optional.empty(), run(sh("exit 1")));
        CredentialException e = assertThrows(CredentialException.Unavailable.class, () -> run(sh("echo oops >&2; exit 3")));
        assertTrue(e.getMessage().contains("failed with status 3"), e.getMessage());
    }
}
