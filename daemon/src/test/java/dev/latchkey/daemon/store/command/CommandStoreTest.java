package dev.latchkey.daemon.store.command;

import dev.latchkey.daemon.store.Arrival;
import dev.latchkey.daemon.store.LoginKey;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.protocol.Operation;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static dev.latchkey.testing.StoreReads.best;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command store runs real commands through {@code sh}. */
class CommandStoreTest {
    private static final RegistryKey COMPANY = new RegistryKey("sparse+https://packages.example.com/index/", "company");

    private static Optional<String> run(CommandStore store) throws StoreException {
        return best(store, COMPANY, Operation.READ).map(t -> t.secret().reveal());
    }

    /** Only COMPANY's index URL has a name the user bound, as latchkey's config would. */
    private static CommandStore sh(String script) {
        return sh(script, 30); // a command that must finish is given the time a loaded machine may take
    }

    private static CommandStore sh(String script, int timeoutSeconds) {
        return new CommandStore(List.of("sh", "-c", script, "sh", "{name}", "{index_url}"), "LATCHKEY_PASSPHRASE",
                url -> url.equals(COMPANY.indexUrl()) ? Optional.of("company") : Optional.empty(), timeoutSeconds);
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
        StoreException e = assertThrows(StoreException.Unavailable.class, () -> run(sh("sleep 60", 2)));
        assertTrue(e.getMessage().contains("did not finish within 2 s"), e.getMessage());
    }

    @Test
    void statusOneWithoutOutputIsNothingStoredAndOtherFailuresAreErrors() throws Exception {
        assertEquals(Optional.empty(), run(sh("exit 1")));
        StoreException e = assertThrows(StoreException.Unavailable.class, () -> run(sh("echo oops >&2; exit 3")));
        assertTrue(e.getMessage().contains("failed with status 3"), e.getMessage());
    }

    @Test
    void aNameIsPutInTheCommandOnlyWhereTheUserBoundItToThatIndexUrl() {
        // A project's .cargo/config.toml names `company` for its own index URL: the name from the
        // request is not what the command gets; the trusted binding is, and there is none for it.
        RegistryKey impostor = new RegistryKey("sparse+https://evil.example/index/", "company");
        StoreException refused = assertThrows(StoreException.Refused.class,
                () -> sh("echo \"tok-$1\"").get(impostor, Arrival.NOW));
        assertTrue(refused.getMessage().contains("bound to none there"), refused.getMessage());
        assertTrue(refused.getMessage().contains("[registries.NAME] index = \"sparse+https://evil.example/index/\""),
                refused.getMessage());
    }

    @Test
    void theTrustedNameIsUsedWhateverNameTheRequestGave() throws Exception {
        RegistryKey misnamed = new RegistryKey(COMPANY.indexUrl(), "../../bank");
        assertEquals("tok-company", best(sh("echo \"tok-$1\""), misnamed, Operation.READ).orElseThrow().secret().reveal());
    }

    @Test
    void anIndexUrlWithAControlCharacterNeverReachesTheCommand() {
        RegistryKey escape = new RegistryKey("sparse+https://h.example/\u001b]0;pwned\u0007/", null);
        assertThrows(StoreException.Refused.class, () -> sh("echo ran").get(escape, Arrival.NOW));
    }

    @Test
    void itHoldsNoLogins() throws Exception {
        assertTrue(sh("echo tok").get(new LoginKey("https", "git.example", null, "alice"), Arrival.NOW).isEmpty());
    }
}
