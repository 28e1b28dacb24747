package dev.latchkey.it;

import dev.latchkey.client.LatchkeyClient;
import dev.latchkey.protocol.Registry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A token latchkey acknowledged is a token found (issue 13, items 1 to 5): by every front door
 * (the CLI, {@code --cargo-plugin}, {@code stdio}, the client library), in a process of its own
 * and through the daemon, whichever store it was put in; a store that cannot be read hides no
 * other store's tokens; the memory store is refused where it would lose a token; a daemon answers
 * from the config as it is now; and the messages send the user the right way.
 */
class StoredTokenFoundIT {
    private static final String URL = "sparse+https://found.example/index/";
    private static final String TOKEN = "lk-found-token-5d2e9a";
    private static final String PASSPHRASE_VARIABLE = "LK_FOUND_PASSPHRASE";
    private static final String CONFIG = "stores = [\"env\", \"file\"]\n[store.encrypted]\npassphrase-env = \"" + PASSPHRASE_VARIABLE + "\"\n";

    @RegisterExtension
    final DaemonSandbox sandbox = DaemonSandbox.perTest();

    @BeforeEach
    void configure() throws Exception {
        sandbox.config(CONFIG);
        sandbox.env().put(PASSPHRASE_VARIABLE, "a passphrase for this test");
    }

    private void startDaemonIf(boolean daemon) throws Exception {
        if (daemon) {
            sandbox.startDaemon();
        }
    }

    private static String cargoGet(String url) {
        return "{\"v\":1,\"registry\":{\"index-url\":\"" + url + "\"},\"kind\":\"get\",\"operation\":\"read\",\"args\":[]}\n";
    }

    @ParameterizedTest(name = "through the daemon: {0}")
    @ValueSource(booleans = {false, true})
    void aTokenPutInAStoreOutsideTheLookupOrderIsFoundByEveryFrontDoor(boolean daemon) throws Exception {
        startDaemonIf(daemon);
        DaemonSandbox.Result stored = sandbox.run(TOKEN + "\n", "store", URL, "--store", "encrypted");
        assertEquals(0, stored.exit(), stored.stderr());

        assertEquals(TOKEN + "\n", sandbox.run(null, "get", URL).stdout(), "the CLI's get, without --store");
        assertEquals(TOKEN + "\n", sandbox.run(null, "get", URL, "--store", "encrypted").stdout(), "get names the store as store does");
        assertEquals(1, sandbox.run(null, "get", URL, "--store", "file").exit(), "and only that store");
        DaemonSandbox.Result cargo = sandbox.run(cargoGet(URL), "--cargo-plugin");
        assertTrue(cargo.stdout().contains("\"token\":\"" + TOKEN + "\""), cargo.toString());
        DaemonSandbox.Result stdio = sandbox.run("{\"v\":1,\"kind\":\"get\",\"registry\":{\"index-url\":\"" + URL + "\"}}\n", "stdio");
        assertTrue(stdio.stdout().contains("\"token\":\"" + TOKEN + "\",") && stdio.stdout().contains("\"store\":\"encrypted\""),
                stdio.toString());
        if (daemon) {
            try (LatchkeyClient client = sandbox.client()) {
                assertEquals(TOKEN, client.get(Registry.byUrl(URL)).token().reveal(), "the client library");
            }
        }
        DaemonSandbox.Result listed = sandbox.run(null, "list", "--json");
        assertTrue(listed.stdout().contains("\"index-url\":\"" + URL + "\"") && listed.stdout().contains("\"store\":\"encrypted\""),
                listed.toString());

        DaemonSandbox.Result rotated = sandbox.run("lk-found-rotated-71c0\n", "rotate", URL);
        assertEquals(0, rotated.exit(), rotated.stderr());
        assertTrue(rotated.stderr().contains("in the encrypted store"), rotated.stderr());
        assertEquals("lk-found-rotated-71c0\n", sandbox.run(null, "get", URL).stdout());

        DaemonSandbox.Result erased = sandbox.run(null, "erase", URL);
        assertEquals(0, erased.exit(), erased.stderr());
        assertTrue(erased.stderr().contains("from the encrypted store"), erased.stderr());
        assertEquals(1, sandbox.run(null, "get", URL).exit(), "erased where get found it");
    }

    @Test
    void theMemoryStoreIsRefusedWhereTheTokenWouldDieWithTheProcessAndFoundEverywhereThroughTheDaemon() throws Exception {
        DaemonSandbox.Result refused = sandbox.run(TOKEN + "\n", "store", URL, "--store", "memory");
        assertEquals(3, refused.exit(), refused.toString());
        assertTrue(refused.stderr().contains("start the daemon (`latchkey daemon`)"), refused.stderr());
        DaemonSandbox.Result overStdio = sandbox.run("{\"v\":1,\"kind\":\"store\",\"registry\":{\"index-url\":\"" + URL
                + "\"},\"token\":\"" + TOKEN + "\",\"store\":\"memory\"}\n", "stdio");
        assertTrue(overStdio.stdout().contains("\"Err\":{\"kind\":\"unavailable\""), overStdio.toString());

        sandbox.startDaemon();
        assertEquals(0, sandbox.run(TOKEN + "\n", "store", URL, "--store", "memory").exit());
        assertEquals(TOKEN + "\n", sandbox.run(null, "get", URL).stdout(), "memory is looked in after the order");
        assertTrue(sandbox.run(cargoGet(URL), "--cargo-plugin").stdout().contains("\"token\":\"" + TOKEN + "\""));
        try (LatchkeyClient client = sandbox.client()) {
            assertEquals(TOKEN, client.get(Registry.byUrl(URL)).token().reveal());
        }
        assertTrue(sandbox.run(null, "list", "--json").stdout().contains("\"store\":\"memory\""));
        assertFalse(Files.exists(sandbox.tokenFile()), "nothing reached a file");
    }

    @ParameterizedTest(name = "through the daemon: {0}")
    @ValueSource(booleans = {false, true})
    void aStoreThatCannotBeReadHidesNoOtherStoresTokens(boolean daemon) throws Exception {
        assertEquals(0, sandbox.run(TOKEN + "\n", "store", URL, "--store", "encrypted").exit());
        String fileUrl = "sparse+https://file.example/index/";
        assertEquals(0, sandbox.run("lk-in-the-file-3b8a\n", "store", fileUrl).exit());
        sandbox.env().remove(PASSPHRASE_VARIABLE);
        startDaemonIf(daemon); // a daemon started without the passphrase

        DaemonSandbox.Result listed = sandbox.run(null, "list");
        assertEquals(3, listed.exit(), "a list that is not whole says so, as a locked store's error does: " + listed);
        assertTrue(listed.stdout().contains(fileUrl), "the file store's token is listed: " + listed);
        assertFalse(listed.stdout().contains(URL), listed.stdout());
        assertTrue(listed.stderr().contains("not listed: the tokens of the encrypted store, which could not be read (locked)"),
                listed.stderr());
        assertTrue(listed.stderr().contains(PASSPHRASE_VARIABLE), "names the fix: " + listed.stderr());
        DaemonSandbox.Result json = sandbox.run(null, "list", "--json");
        assertEquals(3, json.exit());
        assertTrue(json.stdout().contains("\"unreadable\":[{\"store\":\"encrypted\",\"kind\":\"locked\""), json.stdout());
    }

    @Test
    void aDaemonAnswersFromTheConfigAsItIsNowAsAProcessOfItsOwnDoes() throws Exception {
        sandbox.startDaemon();
        assertEquals(0, sandbox.run(TOKEN + "\n", "store", URL).exit());
        assertEquals(TOKEN + "\n", sandbox.run(null, "get", URL).stdout());

        Path elsewhere = sandbox.root.resolve("elsewhere.toml");
        sandbox.config(CONFIG + "[store.file]\npath = \"" + elsewhere + "\"\n");
        DaemonSandbox.Result viaDaemon = sandbox.run(null, "get", URL);
        assertEquals(1, viaDaemon.exit(), "the daemon reads the new token file, which holds nothing: " + viaDaemon);
        assertEquals(viaDaemon.exit(), sandbox.run(null, "--no-daemon", "get", URL).exit());

        sandbox.config("stores = [\"env\", \"fiel\"]\n");
        for (String[] command : new String[][] {{"get", URL}, {"list"}, {"erase", URL}}) {
            DaemonSandbox.Result broken = sandbox.run(null, command);
            assertEquals(2, broken.exit(), String.join(" ", command) + ": " + broken);
            assertTrue(broken.stderr().contains("config.toml:1"), "names the line: " + broken.stderr());
        }
        assertEquals(2, sandbox.run(null, "--no-daemon", "list").exit());

        sandbox.config(CONFIG);
        assertEquals(TOKEN + "\n", sandbox.run(null, "get", URL).stdout(), "fixed, it is used again");
        assertEquals(1, sandbox.daemons().size(), "the same daemon all along");
    }

    @Test
    void notFoundSaysHowToStoreATokenForARegistryGivenByUrlOrByName() throws Exception {
        DaemonSandbox.Result byUrl = sandbox.run(null, "get", URL);
        assertEquals(1, byUrl.exit());
        assertTrue(byUrl.stderr().contains("`latchkey store " + URL + "`"), byUrl.stderr());
        assertTrue(byUrl.stderr().contains("`cargo login --index " + URL + "`"), byUrl.stderr());
        assertFalse(byUrl.stderr().contains("--registry " + URL), "cargo rejects a URL after --registry: " + byUrl.stderr());
        assertFalse(byUrl.stderr().contains("--help"), "help cannot fix a missing token: " + byUrl.stderr());

        sandbox.config(CONFIG + "[registries.company]\nindex = \"" + URL + "\"\n");
        DaemonSandbox.Result byName = sandbox.run(null, "get", "company");
        assertTrue(byName.stderr().contains("`cargo login --registry company`"), byName.stderr());

        DaemonSandbox.Result typo = sandbox.run(null, "gte", URL);
        assertEquals(2, typo.exit());
        assertTrue(typo.stderr().contains("--help"), "help does fix a misspelt command: " + typo.stderr());
    }
}
