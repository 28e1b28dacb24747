package dev.latchkey.daemon.service;

import dev.latchkey.daemon.config.Environment;
import dev.latchkey.protocol.CacheControl;
import dev.latchkey.protocol.ErrorKind;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Request;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CredentialServiceTest {
    private static final String ALT_URL = "sparse+http://127.0.0.1:9/index/";
    private static final Registry ALT = new Registry(ALT_URL, "alt");

    @TempDir
    Path home;

    private final Map<String, String> vars = new HashMap<>();

    private CredentialService service(String configText) throws Exception {
        vars.put("CARGO_HOME", home.resolve("cargo").toString());
        vars.put("XDG_DATA_HOME", home.resolve("data").toString());
        vars.put("XDG_CONFIG_HOME", home.resolve("config").toString());
        if (configText != null) {
            Files.createDirectories(home.resolve("config/latchkey"));
            Files.writeString(home.resolve("config/latchkey/config.toml"), configText);
        }
        return new Services(new Environment(vars, home, home), null, "test").forConfig(null);
    }

    private static Request.Store store(Registry registry, String token, String store) {
        return new Request.Store("store", registry, Secret.fromString(token), null, Set.of(), store, null);
    }

    private static Response get(CredentialService service, Registry registry) {
        return service.handle(Request.Get.read(registry), null);
    }

    private static String token(Response response) {
        return assertInstanceOf(Response.Got.class, response).token().reveal();
    }

    private static ErrorKind error(Response response) {
        return assertInstanceOf(Response.Failure.class, response).kind();
    }

    @Test
    void newTokensGoToTheFileStoreNeverToCargosUnlessNamed() throws Exception {
        CredentialService service = service(null);
        Response stored = service.handle(store(ALT, "t1", null), null);
        assertEquals(new Response.Stored("store", "file"), stored);
        assertFalse(Files.exists(home.resolve("cargo/credentials.toml")));
        Response.Got got = assertInstanceOf(Response.Got.class, get(service, ALT));
        assertEquals("t1", got.token().reveal());
        assertEquals(CacheControl.SESSION, got.cache());
        assertTrue(got.operationIndependent());
        assertEquals("file", got.store());

        assertEquals(new Response.Stored("login", "cargo"),
                service.handle(new Request.Store("login", ALT, Secret.fromString("c1"), null, Set.of(), "cargo", null), null));
        assertEquals("[registries.alt]\ntoken = \"c1\"\n", Files.readString(home.resolve("cargo/credentials.toml")));
    }

    @Test
    void theEnvironmentComesFirstInTheDefaultOrder() throws Exception {
        vars.put("CARGO_REGISTRIES_ALT_TOKEN", "from-env");
        CredentialService service = service(null);
        service.handle(store(ALT, "from-file", null), null);
        assertEquals("from-env", token(get(service, ALT)));
        assertEquals("from-file", token(service.handle(Request.Get.read(ALT), "file")));
    }

    @Test
    void anExpiredTokenIsNeverHandedOutAndTheAnswerSaysWhen() throws Exception {
        CredentialService service = service(null);
        long past = Instant.now().getEpochSecond() - 10;
        service.handle(new Request.Store("store", ALT, Secret.fromString("old"), past, Set.of(), null, null), null);
        Response.Failure failure = assertInstanceOf(Response.Failure.class, get(service, ALT));
        assertEquals(ErrorKind.NOT_FOUND, failure.kind());
        assertTrue(failure.message().contains("expired at " + Instant.ofEpochSecond(past)), failure.message());

        long future = Instant.now().getEpochSecond() + 3600;
        service.handle(new Request.Store("store", ALT, Secret.fromString("new"), future, Set.of(), null, null), null);
        Response.Got got = assertInstanceOf(Response.Got.class, get(service, ALT));
        assertEquals(CacheControl.EXPIRES, got.cache());
        assertEquals(future, got.expiration());
    }

    @Test
    void eraseRemovesFromTheWritableStoreHoldingItAndLeavesCargosFileAlone() throws Exception {
        CredentialService service = service(null);
        service.handle(new Request.Store("store", ALT, Secret.fromString("c"), null, Set.of(), "cargo", null), null);
        service.handle(store(ALT, "f", null), null);
        assertEquals(new Response.Erased("logout", List.of("file")), service.handle(new Request.Erase("logout", ALT, null), null));
        assertEquals(ErrorKind.NOT_FOUND, error(service.handle(new Request.Erase("logout", ALT, null), null)));
        assertTrue(Files.readString(home.resolve("cargo/credentials.toml")).contains("token = \"c\""));
        assertEquals(new Response.Erased("erase", List.of("cargo")), service.handle(new Request.Erase("erase", ALT, "cargo"), null));
    }

    @Test
    void aRegistrysConfiguredStoresDecideWhereItsTokensLive() throws Exception {
        CredentialService service = service("[registries.alt]\nindex = \"" + ALT_URL + "\"\nstores = [\"memory\"]\n");
        assertEquals(new Response.Stored("store", "memory"), service.handle(store(Registry.byName("alt"), "m", null), null));
        assertEquals("m", token(get(service, Registry.byUrl(ALT_URL))));
        assertFalse(Files.exists(home.resolve("data/latchkey/tokens.toml")));
    }

    @Test
    void unknownKindsOperationsAndStoresAreNamedErrors() throws Exception {
        CredentialService service = service(null);
        assertEquals(ErrorKind.OPERATION_NOT_SUPPORTED, error(service.handle(new Request.Unsupported("frob"), null)));
        assertEquals(ErrorKind.OPERATION_NOT_SUPPORTED,
                error(service.handle(new Request.Get(ALT, Operation.UNKNOWN, null, null, null), null)));
        assertEquals(ErrorKind.BAD_REQUEST, error(service.handle(store(ALT, "t", "vault"), null)));
        assertEquals(ErrorKind.BAD_REQUEST, error(service.handle(store(ALT, "t", "env"), null)));
        assertEquals(ErrorKind.BAD_REQUEST, error(service.handle(Request.Get.read(Registry.byName("unknown")), null)));
    }

    @Test
    void importMovesCargosTokensAndKeepsTheRestOfItsFile() throws Exception {
        Files.createDirectories(home.resolve("cargo"));
        Files.writeString(home.resolve("cargo/config.toml"), "[registries.alt]\nindex = \"" + ALT_URL + "\"\n");
        Files.writeString(home.resolve("cargo/credentials.toml"),
                "[registry]\ntoken = \"crates\"\n\n[registries.alt]\ntoken = \"alt-token\"\nsecret-key-subject = \"s\"\n");
        CredentialService service = service(null);
        List<CredentialService.Imported> moved = service.importFromCargo();
        assertEquals(List.of("crates-io", "alt"), moved.stream().map(m -> m.registry().name()).toList());
        assertEquals("[registry]\n\n[registries.alt]\n", Files.readString(home.resolve("cargo/credentials.toml")));
        assertEquals("alt-token", token(get(service, ALT)));
        assertEquals("crates", token(get(service, Registry.byName("crates-io"))));
    }
}
