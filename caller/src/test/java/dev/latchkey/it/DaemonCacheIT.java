package dev.latchkey.it;

import dev.latchkey.client.LatchkeyClient;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The daemon keeps tokens read from slow stores (here the command store, a real process per read)
 * for {@code daemon.cache-ttl}, forgets them when a token is stored or erased through it, and never
 * serves its token file stale.
 */
class DaemonCacheIT {
    private static final Registry COMPANY = new Registry("sparse+https://packages.example.com/index/", "company");

    @RegisterExtension
    final DaemonSandbox sandbox = DaemonSandbox.perTest();
    private Path runs;
    private Path commandToken;

    @BeforeEach
    void prepare() throws Exception {
        runs = sandbox.root.resolve("runs");
        commandToken = sandbox.root.resolve("command-token");
        Files.writeString(commandToken, "command-token-1\n");
    }

    /** A command store that counts its runs and prints whatever token the test put in a file, before the file store. */
    private void configure(String cacheTtl) throws Exception {
        sandbox.config("stores = [\"command\", \"file\"]\n[daemon]\ncache-ttl = \"" + cacheTtl + "\"\n[store.command]\n"
                + "get = [\"sh\", \"-c\", \"echo run >> " + runs + "; cat " + commandToken + "\"]\n"
                + "[registries.company]\nindex = \"" + COMPANY.indexUrl() + "\"\n");
    }

    @Test
    void aSlowStoreIsAskedOnceUntilATokenIsStoredOrErasedThroughTheDaemon() throws Exception {
        configure("1h");
        sandbox.startDaemon();
        try (LatchkeyClient client = sandbox.client()) {
            assertEquals("command-token-1", token(client));
            assertEquals("command-token-1", token(client));
            assertEquals(1, runs(), "the second get came from the cache");

            Files.writeString(commandToken, "command-token-2\n");
            assertEquals("command-token-1", token(client), "within the TTL the daemon keeps what it read");
            assertEquals("command-token-2\n", sandbox.run(null, "--no-daemon", "get", "company").stdout(),
                    "a process of its own has no cache");
            assertEquals(2, runs());

            try (Secret stored = Secret.copyOf("file-token".toCharArray())) {
                client.store(COMPANY, stored, null, Set.of(), "file");
            }
            assertEquals("command-token-2", token(client), "a store through the daemon forgets the cached token at once");
            assertEquals(3, runs());

            client.erase(COMPANY, "file");
            assertEquals("command-token-2", token(client), "so does an erase");
            assertEquals(4, runs());
        }
    }

    @Test
    void aCachedTokenIsReadAgainOnceTheTtlHasPassed() throws Exception {
        configure("1s");
        sandbox.startDaemon();
        try (LatchkeyClient client = sandbox.client()) {
            assertEquals("command-token-1", token(client));
            Files.writeString(commandToken, "command-token-2\n");

            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                    .until(() -> token(client).equals("command-token-2"));
        }
    }

    @Test
    void anEditOfTheTokenFileBehindTheDaemonsBackIsSeenAtOnce() throws Exception {
        sandbox.config("stores = [\"file\"]\n");
        sandbox.startDaemon();
        try (LatchkeyClient client = sandbox.client()) {
            try (Secret stored = Secret.copyOf("token-before-edit".toCharArray())) {
                client.store(COMPANY, stored);
            }
            assertEquals("token-before-edit", token(client));

            // What an editor, or cargo on its own file, would do: write the file anew under the daemon.
            Path file = sandbox.tokenFile();
            Files.writeString(file, Files.readString(file).replace("token-before-edit", "token-after-edit"));
            assertEquals("token-after-edit", token(client));

            Files.delete(file);
            assertThrows(CredentialException.NotFound.class, () -> client.get(COMPANY));
        }
    }

    private static String token(LatchkeyClient client) throws CredentialException {
        try (Secret token = client.get(COMPANY).token()) {
            return token.reveal();
        }
    }

    private long runs() throws Exception {
        return Files.readAllLines(runs).size();
    }
}
