package dev.latchkey.daemon.service;

import dev.latchkey.daemon.store.Arrival;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.daemon.store.command.CommandStore;
import dev.latchkey.daemon.store.file.TokenFileStore;
import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the daemon keeps of tokens from slow stores, with a real command store (a process per read) and a real token file. */
class TokenCacheTest {
    private static final RegistryKey COMPANY = new RegistryKey("sparse+https://packages.example.com/index/", "company");

    /** The commands here use only {@code {index_url}}. */
    private static final Function<String, Optional<String>> NO_NAMES = url -> Optional.empty();

    @TempDir
    Path dir;

    private CommandStore countingCommand(String token) throws Exception {
        Files.writeString(dir.resolve("token"), token + "\n");
        return new CommandStore(List.of("sh", "-c", "echo run >> " + dir.resolve("runs") + "; cat " + dir.resolve("token")), "LATCHKEY_PASSPHRASE", NO_NAMES);
    }

    private long runs() throws Exception {
        return Files.exists(dir.resolve("runs")) ? Files.readAllLines(dir.resolve("runs")).size() : 0;
    }

    private static String read(TokenCache cache, CommandStore store) throws Exception {
        try (Secret secret = cache.get(store, COMPANY, Arrival.NOW).get(0).secret()) {
            return secret.reveal();
        }
    }

    @Test
    void aSlowStoreIsAskedOnceWhileTheTokenIsFresh() throws Exception {
        CommandStore command = countingCommand("first");
        TokenCache cache = new TokenCache(Duration.ofHours(1), Clock.systemUTC());

        assertEquals("first", read(cache, command));
        Files.writeString(dir.resolve("token"), "second\n");
        assertEquals("first", read(cache, command), "a fresh copy of the kept token, although the caller wiped the last one");
        assertEquals(1, runs());

        cache.forget(COMPANY);
        assertEquals("second", read(cache, command));
        assertEquals(2, runs());
    }

    @Test
    void aClosedCacheKeepsNothingMoreAndItsSweeperIsGone() throws Exception {
        CommandStore command = countingCommand("first");
        Set<Thread> before = sweepers(); // those of caches other tests left running
        TokenCache cache = new TokenCache(Duration.ofHours(1), Clock.systemUTC());
        assertEquals("first", read(cache, command));
        Set<Thread> its = sweepers();
        its.removeAll(before);
        assertEquals(1, its.size(), "a kept token has its sweeper");

        cache.close();
        Files.writeString(dir.resolve("token"), "second\n");
        assertEquals("second", read(cache, command), "what was kept is gone");
        assertEquals("second", read(cache, command));
        assertEquals(3, runs(), "nothing is kept any more");
        Thread sweeper = its.iterator().next();
        await().atMost(Duration.ofSeconds(10)).until(() -> !sweeper.isAlive());
    }

    private static Set<Thread> sweepers() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("latchkey-token-cache") && t.isAlive())
                .collect(Collectors.toCollection(HashSet::new));
    }

    @Test
    void withoutATtlEveryReadGoesToTheStore() throws Exception {
        CommandStore command = countingCommand("token");
        TokenCache cache = TokenCache.disabled();

        read(cache, command);
        read(cache, command);

        assertEquals(2, runs());
    }

    @Test
    void aStoreThatIsNotSlowIsNeverKept() throws Exception {
        TokenFileStore file = new TokenFileStore(dir.resolve("tokens.toml"));
        TokenCache cache = new TokenCache(Duration.ofHours(1), Clock.systemUTC());
        file.put(COMPANY, new StoredToken(Secret.fromString("before"), Set.of(), null, 1L, 1L));
        assertEquals("before", cache.get(file, COMPANY, Arrival.NOW).get(0).secret().reveal());

        Files.writeString(dir.resolve("tokens.toml"), Files.readString(dir.resolve("tokens.toml")).replace("before", "after"));

        assertEquals("after", cache.get(file, COMPANY, Arrival.NOW).get(0).secret().reveal());
    }

    @Test
    void aTokenIsKeptForTheTtlButNeverPastItsOwnExpiration() {
        Instant now = Instant.ofEpochSecond(1_800_000_000L);
        Duration ttl = Duration.ofMinutes(10);

        assertEquals(now.plus(ttl), TokenCache.keptUntil(now, ttl, List.of(expiring(null))));
        assertEquals(now.plus(ttl), TokenCache.keptUntil(now, ttl, List.of(expiring(now.plus(Duration.ofHours(1)).getEpochSecond()))));
        assertEquals(now.plusSeconds(300), TokenCache.keptUntil(now, ttl, List.of(expiring(now.getEpochSecond() + 300))));
        assertEquals(now.plusSeconds(300), TokenCache.keptUntil(now, ttl,
                List.of(expiring(null), expiring(now.getEpochSecond() + 300), expiring(now.getEpochSecond() + 400))),
                "the tokens of one key are kept as long as the first of them to expire");
        assertTrue(!TokenCache.keptUntil(now, ttl, List.of(expiring(now.getEpochSecond() - 1))).isAfter(now),
                "an expired token is not kept at all");
    }

    private static StoredToken expiring(Long expiration) {
        return new StoredToken(Secret.fromString("t"), Set.of(), expiration, null, null);
    }

    @Test
    void aReadStillInFlightWhenTheRegistryIsForgottenKeepsNothing() throws Exception {
        // A command that reads its token, says so, then waits for the test: a slow store caught mid-read.
        Files.writeString(dir.resolve("token"), "old\n");
        CommandStore gated = new CommandStore(List.of("sh", "-c", "t=$(cat " + dir.resolve("token") + "); touch " + dir.resolve("read")
                + "; while [ ! -e " + dir.resolve("release") + " ]; do sleep 0.02; done; echo \"$t\""), "LATCHKEY_PASSPHRASE", NO_NAMES);
        TokenCache cache = new TokenCache(Duration.ofHours(1), Clock.systemUTC());
        CompletableFuture<String> inFlight = CompletableFuture.supplyAsync(() -> {
            try {
                return read(cache, gated);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dir.resolve("read")));

        // A new token is stored through the daemon while the old one is being read.
        Files.writeString(dir.resolve("token"), "new\n");
        cache.forget(COMPANY);
        Files.createFile(dir.resolve("release"));

        assertEquals("old", inFlight.get(20, TimeUnit.SECONDS), "the read in flight answers what it read");
        Files.delete(dir.resolve("read"));
        assertEquals("new", read(cache, gated), "but what it read is not kept past the store that replaced it");
    }
}
