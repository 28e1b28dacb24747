package dev.latchkey.daemon.service;

import dev.latchkey.daemon.config.ConfigException;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.config.StoreId;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Request;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon's services for the configs its callers name: one audit log and one metadata book
 * for them all, one service per config file however it is spelled, and no more than a bounded
 * number kept however many configs callers name.
 */
class ServicesTest {
    private static final Registry REGISTRY = Registry.byUrl("sparse+https://packages.example.com/index/");

    @TempDir
    Path home;

    private Services daemonServices() {
        return Services.forDaemon(new Environment(Map.of("XDG_DATA_HOME", home.resolve("data").toString(),
                "XDG_CONFIG_HOME", home.resolve("config").toString(), "XDG_STATE_HOME", home.resolve("state").toString(),
                "CARGO_HOME", home.resolve("cargo").toString()), home, home), null, "test");
    }

    private Path config(int n) throws IOException {
        Path file = home.resolve("config-" + n + ".toml");
        if (!Files.exists(file)) {
            Files.writeString(file, "stores = [\"memory\"]\n"); // once: a rewritten config is served anew
        }
        return file;
    }

    @Test
    void manyConfigsShareOneAuditFileAndOnlySoManyAreKept() throws Exception {
        Services services = daemonServices();
        int configs = 3 * Services.MAX_NAMED_CONFIGS;
        List<CredentialService> first = new ArrayList<>();
        for (int n = 0; n < configs; n++) {
            CredentialService service = services.forConfig(config(n));
            assertInstanceOf(Response.Failure.class, service.handle(Request.Get.read(REGISTRY), RequestContext.alone(Caller.UNKNOWN, null, null))); // one audit line each
            first.add(service);
        }
        assertEquals(configs, Files.readAllLines(home.resolve("state/latchkey/audit.log")).size());
        assertEquals(1, openDescriptorsOf(home.resolve("state/latchkey/audit.log")), "one audit file open for every config");

        assertSame(first.get(configs - 1), services.forConfig(config(configs - 1)), "a recent config is kept");
        assertNotSame(first.get(0), services.forConfig(config(0)), "the oldest was let go, and is made again when asked for");
    }

    @Test
    void oneFileIsOneConfigHoweverItIsNamed() throws Exception {
        Services services = daemonServices();
        Path file = config(1);
        Path link = Files.createSymbolicLink(home.resolve("link.toml"), file);
        Path roundabout = home.resolve("sub/../config-1.toml");
        Files.createDirectories(home.resolve("sub"));
        CredentialService service = services.forConfig(file);
        assertSame(service, services.forConfig(link));
        assertSame(service, services.forConfig(roundabout));
        assertSame(service, services.forConfig(file));
    }

    @Test
    void theDaemonServesAChangedConfigAnewAndABrokenOneNamingItsLine() throws Exception {
        Services services = daemonServices();
        Path file = config(1);
        CredentialService before = services.forConfig(file);
        assertSame(before, services.forConfig(file), "unchanged: the same service");
        // Each version differs in size too: two writes within one tick of the file system's clock keep its times.
        Files.writeString(file, "stores = [\"file\"]\n");
        CredentialService after = services.forConfig(file);
        assertNotSame(before, after);
        assertEquals(List.of(StoreId.FILE), after.config().storeOrder());

        Files.writeString(file, "stores = [\"fiels\"]\n");
        ConfigException broken = assertThrows(ConfigException.class, () -> services.forConfig(file),
                "a broken config is not answered from as it was before");
        assertTrue(broken.getMessage().contains(file + ":1"), broken.getMessage());
        assertThrows(ConfigException.class, () -> services.forConfig(file), "nor on the next request");

        Files.writeString(file, "stores = [\"memory\", \"file\"]\n");
        assertEquals(List.of(StoreId.MEMORY, StoreId.FILE), services.forConfig(file).config().storeOrder());
    }

    @Test
    void theDaemonsMemoryStoreOutlivesAConfigChange() throws Exception {
        Services services = daemonServices();
        Path file = config(1);
        RequestContext context = RequestContext.alone(Caller.UNKNOWN, null, null);
        assertInstanceOf(Response.Stored.class, services.forConfig(file).handle(
                new Request.Store("store", REGISTRY, Secret.fromString("kept-in-memory"), null, Set.of(), null, null), context));
        Files.writeString(file, "stores = [\"file\"]\n");
        Response.Got got = assertInstanceOf(Response.Got.class, services.forConfig(file).handle(Request.Get.read(REGISTRY), context));
        assertEquals("kept-in-memory", got.token().reveal());
        assertEquals("memory", got.store(), "found in memory although the order no longer names it");
    }

    /** How many of this process's descriptors are open on {@code file} (Linux's /proc). */
    private static long openDescriptorsOf(Path file) throws IOException {
        Path real = file.toRealPath();
        try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
            return descriptors.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(real);
                } catch (IOException e) {
                    return false; // closed meanwhile: the listing's own descriptor
                }
            }).count();
        }
    }
}
