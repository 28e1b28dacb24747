package dev.latchkey.it;

import dev.latchkey.it.TestRegistry.Auth;
import dev.latchkey.it.TestRegistry.Seen;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.latchkey.it.CargoFixtures.CORE;
import static dev.latchkey.it.CargoFixtures.VERSION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A registry that issues a read token and a separate publish token, and the real cargo using both
 * through latchkey: latchkey answers a read with the read token and says it is not the answer for
 * every operation, so cargo asks again for publish, yank and owners and gets the publish token.
 * What cargo sent is read back from the Authorization headers the registry recorded; the registry
 * refuses each token for the other's requests, so a wrong answer fails the cargo command too.
 */
class ScopedTokensIT {
    private static final String REGISTRY = "lkscoped";

    @TempDir
    Path temp;
    private final String readToken = "lk-read-" + UUID.randomUUID();
    private final String publishToken = "lk-publish-" + UUID.randomUUID();
    private RealCargo cargo;
    private TestRegistry registry;
    private Path cargoHome;

    @AfterEach
    void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void cargoReadsWithTheReadTokenAndPublishesYanksAndManagesOwnersWithThePublishToken() throws IOException {
        cargo = RealCargo.require();
        registry = TestRegistry.start(readToken);
        registry.acceptScoped(readToken, publishToken);
        assertEquals(401, status("/index/config.json", publishToken), "the registry must refuse the publish token for reads");
        assertEquals(200, status("/index/config.json", readToken));

        cargoHome = Files.createDirectories(temp.resolve("cargo-home"));
        Files.writeString(cargoHome.resolve("config.toml"), CargoFixtures.cargoConfig(temp, REGISTRY, registry.indexUrl(),
                CargoFixtures.launcher(), CargoFixtures.ProviderSetting.PER_REGISTRY));
        latchkey(readToken + "\n", "store", REGISTRY, "--operations", "read").assertSuccess();
        latchkey(publishToken + "\n", "store", REGISTRY, "--operations", "publish,yank,unyank,owners").assertSuccess();

        int mark = registry.requests().size();
        cargo(CargoFixtures.writeCoreCrate(temp, REGISTRY), "publish", "--registry", REGISTRY).assertSuccess();
        assertEachWithItsToken(since(mark), "PUT /api/v1/crates/new", "GET /index/" + TestRegistry.indexPathOf(CORE));

        Path app = CargoFixtures.writeAppCrate(temp, REGISTRY);
        mark = registry.requests().size();
        cargo(app, "generate-lockfile").assertSuccess();
        cargo(app, "fetch").assertSuccess();
        assertEachWithItsToken(since(mark), "GET /index/" + TestRegistry.indexPathOf(CORE),
                "GET /dl/" + CORE + "/" + VERSION + "/download");

        mark = registry.requests().size();
        cargo(temp, "yank", "--registry", REGISTRY, "--vers", VERSION, CORE).assertSuccess();
        cargo(temp, "yank", "--undo", "--registry", REGISTRY, "--vers", VERSION, CORE).assertSuccess();
        cargo(temp, "owner", "--registry", REGISTRY, "--list", CORE).assertSuccess();
        assertEachWithItsToken(since(mark), "DELETE /api/v1/crates/" + CORE + "/" + VERSION + "/yank",
                "PUT /api/v1/crates/" + CORE + "/" + VERSION + "/unyank", "GET /api/v1/crates/" + CORE + "/owners");
    }

    /**
     * Every request carried the token for its kind (reads the read token, the web API the publish
     * token), but for cargo's first unauthenticated look at config.json; and each of {@code expected}
     * was among them.
     */
    private void assertEachWithItsToken(List<Seen> requests, String... expected) {
        for (Seen s : requests) {
            boolean probe = s.authorization() == null && s.method().equals("GET") && s.path().equals("/index/config.json");
            String want = s.isRead() ? readToken : publishToken;
            assertTrue(probe || (want.equals(s.authorization()) && s.auth() == Auth.ACCEPTED),
                    () -> s.method() + " " + s.path() + " carried the " + which(s.authorization()) + ", not the "
                            + which(want) + "; all requests: " + describe(requests));
        }
        for (String e : expected) {
            assertTrue(requests.stream().anyMatch(s -> (s.method() + " " + s.path()).equals(e)),
                    () -> "the registry did not receive `" + e + "`: " + describe(requests));
        }
    }

    private String which(String token) {
        return token == null ? "no token" : token.equals(readToken) ? "read token" : token.equals(publishToken) ? "publish token"
                : "unknown token";
    }

    private String describe(List<Seen> requests) {
        return requests.stream().map(s -> s.method() + " " + s.path() + " (" + which(s.authorization()) + ")").toList().toString();
    }

    private int status(String path, String token) throws IOException {
        String base = registry.indexUrl().substring("sparse+".length(), registry.indexUrl().length() - "/index/".length());
        HttpURLConnection connection = (HttpURLConnection) URI.create(base + path).toURL().openConnection();
        connection.setRequestProperty("Authorization", token);
        try {
            return connection.getResponseCode();
        } finally {
            connection.disconnect();
        }
    }

    private List<Seen> since(int mark) {
        List<Seen> all = registry.requests();
        return all.subList(mark, all.size());
    }

    private ProcessRun.Result cargo(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of(cargo.executable().toString()));
        command.addAll(Arrays.asList(args));
        return ProcessRun.of(command).environment(environment()).in(dir).run();
    }

    private ProcessRun.Result latchkey(String stdin, String... args) {
        List<String> command = new ArrayList<>(List.of(CargoFixtures.launcher().toString()));
        command.addAll(Arrays.asList(args));
        return ProcessRun.of(command).environment(environment()).in(temp).stdin(stdin).run();
    }

    private Map<String, String> environment() {
        Map<String, String> env = PrivateHomes.environment(temp, cargoHome);
        env.put("PATH", cargo.directory() + File.pathSeparator + env.getOrDefault("PATH", ""));
        return env;
    }
}
