package dev.latchkey.daemon.service;

import dev.latchkey.daemon.audit.AuditLog;
import dev.latchkey.daemon.config.Config;
import dev.latchkey.daemon.config.ConfigLoader;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.metadata.MetadataBook;
import dev.latchkey.daemon.registry.RegistryResolver;
import dev.latchkey.daemon.service.StoreCatalog;
import dev.latchkey.daemon.store.memory.MemoryStore;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
        vars.put("XDG_STATE_HOME", home.resolve("state").toString());
        // The user's registry `alt`, bound where cargo and latchkey trust its name: the env and cargo stores keep tokens by it.
        Path cargoConfig = Files.createDirectories(home.resolve("cargo")).resolve("config.toml");
        if (!Files.exists(cargoConfig)) {
            Files.writeString(cargoConfig, "[registries.alt]\nindex = \"" + ALT_URL + "\"\n");
        }
        if (configText != null) {
            Files.createDirectories(home.resolve("config/latchkey"));
            Files.writeString(home.resolve("config/latchkey/config.toml"), configText);
        }
        return new Services(new Environment(vars, home, home), null, "test").forConfig(null);
    }

    /** The context of a request from nobody in particular, naming {@code store} (or none) as cargo's {@code --store} does. */
    private static RequestContext only(String store) {
        return RequestContext.alone(Caller.UNKNOWN, store, null);
    }

    private static Request.Store store(Registry registry, String token, String store) {
        return new Request.Store("store", registry, Secret.fromString(token), null, Set.of(), store, null);
    }

    private static Response get(CredentialService service, Registry registry) {
        return service.handle(Request.Get.read(registry), only(null));
    }

    private static String token(Response response) {
        return assertInstanceOf(Response.Got.class, response).token().reveal();
    }

    private static ErrorKind error(Response response) {
        return assertInstanceOf(Response.Failure.class, response).kind();
    }

    @Test
    void aScopedTokenGoesToTheFirstStoreThatCanKeepItOnlyOneForEveryOperationToCargoShapedStores() throws Exception {
        CredentialService service = service("[registries.alt]\nindex = \"" + ALT_URL + "\"\nstores = [\"cargo\", \"file\"]\n");
        Request.Store publishOnly = new Request.Store("store", ALT, Secret.fromString("pub"), null, Set.of(Operation.PUBLISH),
                null, null);
        assertEquals(new Response.Stored("store", "file"), service.handle(publishOnly, only(null)));
        assertEquals(new Response.Stored("store", "cargo"), service.handle(store(ALT, "all", null), only(null)));

        CredentialService cargoOnly = service("[registries.alt]\nindex = \"" + ALT_URL + "\"\nstores = [\"cargo\"]\n");
        Response refused = cargoOnly.handle(new Request.Store("store", ALT, Secret.fromString("pub2"), null,
                Set.of(Operation.PUBLISH), null, null), only(null));
        assertEquals(ErrorKind.BAD_REQUEST, error(refused));
        assertTrue(((Response.Failure) refused).message().contains("the cargo store cannot keep a token limited to some operations"),
                ((Response.Failure) refused).message());
    }

    @Test
    void newTokensGoToTheFileStoreNeverToCargosUnlessNamed() throws Exception {
        CredentialService service = service(null);
        Response stored = service.handle(store(ALT, "t1", null), only(null));
        assertEquals(new Response.Stored("store", "file"), stored);
        assertFalse(Files.exists(home.resolve("cargo/credentials.toml")));
        Response.Got got = assertInstanceOf(Response.Got.class, get(service, ALT));
        assertEquals("t1", got.token().reveal());
        assertEquals(CacheControl.SESSION, got.cache());
        assertTrue(got.operationIndependent());
        assertEquals("file", got.store());

        assertEquals(new Response.Stored("login", "cargo"),
                service.handle(new Request.Store("login", ALT, Secret.fromString("c1"), null, Set.of(), "cargo", null), only(null)));
        assertEquals("[registries.alt]\ntoken = \"c1\"\n", Files.readString(home.resolve("cargo/credentials.toml")));
    }

    @Test
    void theEnvironmentComesFirstInTheDefaultOrder() throws Exception {
        vars.put("CARGO_REGISTRIES_ALT_TOKEN", "from-env");
        CredentialService service = service(null);
        service.handle(store(ALT, "from-file", null), only(null));
        assertEquals("from-env", token(get(service, ALT)));
        assertEquals("from-file", token(service.handle(Request.Get.read(ALT), only("file"))));
    }

    @Test
    void onlyTheRequestsThatWouldReadATokenVariableTheCallerWithholdsAreLeftToTheCaller() throws Exception {
        CredentialService service = service(null); // the default order reads the env store first
        service.handle(store(ALT, "from-file", null), only(null));
        RequestContext withholdingAlts = withholding(null, "CARGO_REGISTRIES_ALT_TOKEN");
        TokenVariableWithheld get = assertThrows(TokenVariableWithheld.class, () -> service.handle(Request.Get.read(ALT), withholdingAlts));
        assertTrue(get.getMessage().contains("CARGO_REGISTRIES_ALT_TOKEN"), get.getMessage());
        TokenVariableWithheld list = assertThrows(TokenVariableWithheld.class,
                () -> service.handle(new Request.ListTokens(null), withholdingAlts));
        assertTrue(list.getMessage().contains("CARGO_REGISTRIES_ALT_TOKEN"), list.getMessage());

        assertEquals("from-file", token(service.handle(Request.Get.read(ALT), withholding(null, "CARGO_REGISTRY_TOKEN"))),
                "another registry's variable is not read for this one");
        assertEquals("from-file", token(service.handle(Request.Get.read(ALT), withholding("file", "CARGO_REGISTRIES_ALT_TOKEN"))),
                "nor by a lookup that leaves the env store out");
        assertEquals(new Response.Stored("store", "file"), service.handle(store(ALT, "newer", null), withholdingAlts),
                "a store writes where no variable is read");

        CredentialService fileFirst = service("stores = [\"file\", \"env\"]\n");
        assertEquals("newer", token(fileFirst.handle(Request.Get.read(ALT), withholdingAlts)),
                "the stores ahead of the env store are read all the same, and one that holds a token answers");
        assertInstanceOf(Response.Erased.class, fileFirst.handle(new Request.Erase("erase", ALT, null, true), withholdingAlts));
        assertThrows(TokenVariableWithheld.class, () -> fileFirst.handle(Request.Get.read(ALT), withholdingAlts),
                "with nothing ahead of it, the env store is the caller's to read");
    }

    /** The context of a relayed request whose caller holds {@code variables}, which the daemon cannot read. */
    private static RequestContext withholding(String store, String... variables) {
        return new RequestContext(Caller.UNKNOWN, store, null, null, Batch.ALONE, Set.of(variables));
    }

    @Test
    void anExpiredTokenIsNeverHandedOutAndTheAnswerSaysWhen() throws Exception {
        CredentialService service = service(null);
        long past = Instant.now().getEpochSecond() - 10;
        service.handle(new Request.Store("store", ALT, Secret.fromString("old"), past, Set.of(), null, null), only(null));
        Response.Failure failure = assertInstanceOf(Response.Failure.class, get(service, ALT));
        assertEquals(ErrorKind.NOT_FOUND, failure.kind());
        assertTrue(failure.message().contains("expired at " + Instant.ofEpochSecond(past)), failure.message());

        long future = Instant.now().getEpochSecond() + 3600;
        service.handle(new Request.Store("store", ALT, Secret.fromString("new"), future, Set.of(), null, null), only(null));
        Response.Got got = assertInstanceOf(Response.Got.class, get(service, ALT));
        assertEquals(CacheControl.EXPIRES, got.cache());
        assertEquals(future, got.expiration());
    }

    @Test
    void eraseRemovesFromTheWritableStoreHoldingItAndLeavesCargosFileAlone() throws Exception {
        CredentialService service = service(null);
        service.handle(new Request.Store("store", ALT, Secret.fromString("c"), null, Set.of(), "cargo", null), only(null));
        service.handle(store(ALT, "f", null), only(null));
        assertEquals(new Response.Erased("logout", List.of("file")), service.handle(new Request.Erase("logout", ALT, null), only(null)));
        assertEquals(ErrorKind.NOT_FOUND, error(service.handle(new Request.Erase("logout", ALT, null), only(null))));
        assertTrue(Files.readString(home.resolve("cargo/credentials.toml")).contains("token = \"c\""));
        assertEquals(new Response.Erased("erase", List.of("cargo")), service.handle(new Request.Erase("erase", ALT, "cargo"), only(null)));
    }

    @Test
    void aRegistrysConfiguredStoresDecideWhereItsTokensLive() throws Exception {
        CredentialService service = service("[registries.alt]\nindex = \"" + ALT_URL + "\"\nstores = [\"cargo\"]\n");
        assertEquals(new Response.Stored("store", "cargo"), service.handle(store(Registry.byName("alt"), "m", null), only(null)));
        assertEquals("m", token(get(service, Registry.byUrl(ALT_URL))));
        assertFalse(Files.exists(home.resolve("data/latchkey/tokens.toml")));
        assertTrue(Files.readString(home.resolve("cargo/credentials.toml")).contains("[registries.alt]"));
    }

    @Test
    void aProcessThatServesOnlyItselfRefusesToKeepATokenInItsMemory() throws Exception {
        CredentialService service = service("[registries.alt]\nindex = \"" + ALT_URL + "\"\nstores = [\"memory\"]\n");
        Response refused = service.handle(store(Registry.byName("alt"), "m", null), only(null));
        assertEquals(ErrorKind.UNAVAILABLE, error(refused));
        assertTrue(((Response.Failure) refused).message().contains("start the daemon (`latchkey daemon`)"), refused.toString());
        Response named = service.handle(new Request.Store("store", ALT, Secret.fromString("m"), null, Set.of(), "memory", null),
                only(null));
        assertEquals(ErrorKind.UNAVAILABLE, error(named), "named, it is refused the same: the token would die with this process");
    }

    @Test
    void unknownKindsOperationsAndStoresAreNamedErrors() throws Exception {
        CredentialService service = service(null);
        assertEquals(ErrorKind.OPERATION_NOT_SUPPORTED, error(service.handle(new Request.Unsupported("frob"), only(null))));
        assertEquals(ErrorKind.OPERATION_NOT_SUPPORTED,
                error(service.handle(new Request.Get(ALT, Operation.UNKNOWN, null, null, null), only(null))));
        assertEquals(ErrorKind.BAD_REQUEST, error(service.handle(store(ALT, "t", "vault"), only(null))));
        assertEquals(ErrorKind.BAD_REQUEST, error(service.handle(store(ALT, "t", "env"), only(null))));
        assertEquals(ErrorKind.BAD_REQUEST, error(service.handle(Request.Get.read(Registry.byName("unknown")), only(null))));
    }

    @Test
    void importMovesCargosTokensAndKeepsTheRestOfItsFile() throws Exception {
        Files.createDirectories(home.resolve("cargo"));
        Files.writeString(home.resolve("cargo/config.toml"), "[registries.alt]\nindex = \"" + ALT_URL + "\"\n");
        Files.writeString(home.resolve("cargo/credentials.toml"),
                "[registry]\ntoken = \"crates\"\n\n[registries.alt]\ntoken = \"alt-token\"\nsecret-key-subject = \"s\"\n");
        CredentialService service = service(null);
        CredentialService.ImportReport report = service.importFromCargo(only(null));
        assertEquals(List.of("crates-io", "alt"), report.moved().stream().map(CredentialService.Imported::registry).toList());
        assertEquals(List.of(), report.leftAlone());
        assertEquals("[registry]\n\n[registries.alt]\n", Files.readString(home.resolve("cargo/credentials.toml")));
        assertEquals("alt-token", token(get(service, ALT)));
        assertEquals("crates", token(get(service, Registry.byName("crates-io"))));
    }

    // ---- lifecycle: metadata, scopes, rotation, audit ----

    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        Instant now = Instant.parse("2030-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }
    }

    private final TestClock clock = new TestClock();

    /** The service as {@link Services} makes it, on the test's clock. */
    private CredentialService serviceAt(String configText) throws Exception {
        service(configText); // writes the config and the variables
        Environment env = new Environment(vars, home, home);
        Config config = new ConfigLoader(env).load(null);
        RegistryResolver resolver = new RegistryResolver(config, env);
        return new CredentialService(config, new StoreCatalog(config, env, resolver, new MemoryStore(), true), resolver, env, clock, "test",
                TokenCache.disabled(), new MetadataBook(bookPath()), new AuditLog(home.resolve("state/audit.log")));
    }

    private Path bookPath() {
        return home.resolve("state/metadata.json");
    }

    private static Request.Store storeFor(Registry registry, String token, String store, Long expiration, Operation... ops) {
        return new Request.Store("store", registry, Secret.fromString(token), expiration, Set.of(ops), store, null);
    }

    private static Response.Got got(Response response) {
        return assertInstanceOf(Response.Got.class, response);
    }

    @Test
    void aStoreWithoutRoomForAnExpiryHonoursItThroughTheBook() throws Exception {
        CredentialService service = serviceAt(null);
        long expires = clock.now.getEpochSecond() + 3600;
        assertEquals(new Response.Stored("store", "cargo"), service.handle(storeFor(ALT, "c-exp", "cargo", expires), only(null)));
        assertEquals("[registries.alt]\ntoken = \"c-exp\"\n", Files.readString(home.resolve("cargo/credentials.toml")),
                "cargo's file holds the token exactly as cargo writes it, without the expiry");
        Response.Got fresh = got(service.handle(Request.Get.read(ALT), only("cargo")));
        assertEquals(CacheControl.EXPIRES, fresh.cache());
        assertEquals(expires, fresh.expiration());

        clock.advance(Duration.ofHours(2));
        Response.Failure expired = assertInstanceOf(Response.Failure.class, service.handle(Request.Get.read(ALT), only("cargo")));
        assertEquals(ErrorKind.NOT_FOUND, expired.kind());
        assertTrue(expired.message().contains("expired at " + Instant.ofEpochSecond(expires)), expired.message());

        // `cargo login` replaced the token behind latchkey's back: the new one is not judged by the old one's expiry
        Files.writeString(home.resolve("cargo/credentials.toml"), "[registries.alt]\ntoken = \"c-new\"\n");
        Response.Got replaced = got(service.handle(Request.Get.read(ALT), only("cargo")));
        assertEquals("c-new", replaced.token().reveal());
        assertEquals(CacheControl.SESSION, replaced.cache());
    }

    @Test
    void aRegistryWithScopedTokensAnswersEachOperationWithItsOwnAndSaysSo() throws Exception {
        CredentialService service = serviceAt(null);
        service.handle(storeFor(ALT, "read-tok", null, null, Operation.READ), only(null));
        service.handle(storeFor(ALT, "pub-tok", null, null, Operation.PUBLISH, Operation.YANK, Operation.UNYANK, Operation.OWNERS), only(null));
        Response.Got read = got(get(service, ALT));
        assertEquals("read-tok", read.token().reveal());
        assertFalse(read.operationIndependent(), "cargo must ask again for publish");
        for (Operation op : List.of(Operation.PUBLISH, Operation.YANK, Operation.UNYANK, Operation.OWNERS)) {
            Response.Got other = got(service.handle(new Request.Get(ALT, op, "c", "1.0.0", null), only(null)));
            assertEquals("pub-tok", other.token().reveal(), op.wire());
            assertFalse(other.operationIndependent());
            // cargo reads with the token its session keeps: one that cannot read is never kept
            assertEquals(CacheControl.NEVER, other.cache());
        }

        // a token for every operation beside a scoped one is not the answer for every operation either
        service.handle(new Request.Erase("erase", ALT, null), only(null));
        service.handle(storeFor(ALT, "all-tok", null, null), only(null));
        assertTrue(got(get(service, ALT)).operationIndependent(), "alone, it is");
        service.handle(storeFor(ALT, "pub-tok", null, null, Operation.PUBLISH), only(null));
        Response.Got all = got(get(service, ALT));
        assertEquals("all-tok", all.token().reveal());
        assertFalse(all.operationIndependent());
        assertEquals("pub-tok", token(service.handle(new Request.Get(ALT, Operation.PUBLISH, null, null, null), only(null))));
    }

    @Test
    void aKeychainLikeStoreRefusesAScopedTokenNamingTheFileStore() throws Exception {
        CredentialService service = serviceAt(null);
        Response.Failure refused = assertInstanceOf(Response.Failure.class,
                service.handle(storeFor(ALT, "t", "cargo", null, Operation.PUBLISH), only(null)));
        assertEquals(ErrorKind.BAD_REQUEST, refused.kind());
    }

    @Test
    void rotateReplacesTheTokenWhereverItLivesKeepingCreated() throws Exception {
        CredentialService service = serviceAt(null);
        long created = clock.now.getEpochSecond();
        service.handle(storeFor(ALT, "old", "file", null), only(null));
        service.handle(storeFor(ALT, "old", "memory", null), only(null));
        service.handle(storeFor(ALT, "old-pub", "file", null, Operation.PUBLISH), only(null));
        clock.advance(Duration.ofDays(30));
        Response rotated = service.handle(new Request.Rotate(ALT, Secret.fromString("new"), null, Set.of(), null), only(null));
        assertEquals(new Response.Rotated(List.of("file", "memory")), rotated);
        assertEquals("new", token(service.handle(Request.Get.read(ALT), only("file"))));
        assertEquals("new", token(service.handle(Request.Get.read(ALT), only("memory"))));
        assertEquals("old-pub", token(service.handle(new Request.Get(ALT, Operation.PUBLISH, null, null, null), only("file"))),
                "the publish token is another token: rotated only when its operations are named");

        Response.TokenInfo info = assertInstanceOf(Response.Listed.class, service.handle(new Request.ListTokens(ALT), only(null)))
                .entries().stream().filter(e -> e.operations().isEmpty()).findFirst().orElseThrow();
        assertEquals(created, info.created());
        assertEquals(clock.now.getEpochSecond(), info.updated());
        assertEquals(clock.now.getEpochSecond(), info.rotated());

        assertEquals(ErrorKind.NOT_FOUND, error(service.handle(
                new Request.Rotate(Registry.byUrl("sparse+http://127.0.0.1:9/none/"), Secret.fromString("x"), null, Set.of(), null), only(null))));
    }

    @Test
    void aLoginPastRotateAfterWarnsWhenFoundAndOneExpiredIsNotFound() throws Exception {
        CredentialService service = serviceAt("rotate-after = \"90d\"\n");
        RequestContext context = only(null);
        Logins.Login aging = new Logins.Login(null, "registry.example", null, "alice");
        Logins.Login expiring = new Logins.Login("https", "npm.example", null, null);
        service.logins().store("docker", aging, Secret.fromString("aging-pw"), null, context);
        service.logins().store("npm", expiring, Secret.fromString("expiring-tok"), clock.now.getEpochSecond() + 3600, context);
        assertEquals(List.of(), service.logins().find("docker", Logins.Query.exactly(aging), context).orElseThrow().warnings());
        assertEquals(clock.now.getEpochSecond() + 3600,
                service.logins().find("npm", Logins.Query.exactly(expiring), context).orElseThrow().expiration());

        clock.advance(Duration.ofDays(91));
        List<String> warnings = service.logins().find("docker", Logins.Query.exactly(aging), context).orElseThrow().warnings();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("`alice@registry.example` is 91d old, past rotate-after (90d)"), warnings.get(0));
        assertFalse(warnings.get(0).contains("aging-pw"), warnings.get(0));
        assertTrue(warnings.get(0).endsWith("run `latchkey rotate --login alice@registry.example`"), warnings.get(0));
        assertTrue(service.logins().find("npm", Logins.Query.exactly(expiring), context).isEmpty(), "past its expiry");
        List<Response.TokenInfo> listed = assertInstanceOf(Response.Listed.class, service.handle(new Request.ListTokens(null), context))
                .entries();
        assertTrue(listed.stream().filter(e -> "alice@registry.example".equals(e.login())).allMatch(Response.TokenInfo::rotateDue),
                listed.toString());
    }

    @Test
    void aTokenPastRotateAfterWarnsWhenUsedAndIsFlaggedInTheList() throws Exception {
        CredentialService service = serviceAt("rotate-after = \"90d\"\n[registries.alt]\nindex = \"" + ALT_URL + "\"\n"
                + "[registries.slow]\nindex = \"sparse+http://127.0.0.1:9/slow/\"\nrotate-after = \"0\"\n");
        Registry slow = Registry.byName("slow");
        service.handle(storeFor(ALT, "aging", null, null), only(null));
        service.handle(storeFor(slow, "never-warned", null, null), only(null));
        assertEquals(List.of(), got(get(service, ALT)).warnings());
        clock.advance(Duration.ofDays(91));
        Response.Got old = got(get(service, ALT));
        assertEquals(1, old.warnings().size());
        String warning = old.warnings().get(0);
        assertTrue(warning.contains("`alt` is 91d old, past rotate-after (90d)") && warning.contains("latchkey rotate alt"), warning);
        assertFalse(warning.contains("aging"));
        assertEquals(List.of(), got(get(service, slow)).warnings(), "rotate-after = \"0\" for a registry turns it off");
        List<Response.TokenInfo> listed = assertInstanceOf(Response.Listed.class, service.handle(new Request.ListTokens(null), only(null))).entries();
        assertTrue(listed.stream().filter(e -> "alt".equals(e.name())).allMatch(Response.TokenInfo::rotateDue), listed.toString());
        assertTrue(listed.stream().filter(e -> "slow".equals(e.name())).noneMatch(Response.TokenInfo::rotateDue), listed.toString());

        service.handle(new Request.Rotate(ALT, Secret.fromString("fresh"), null, Set.of(), null), only(null));
        assertEquals(List.of(), got(get(service, ALT)).warnings(), "a rotated token is young again");
    }

    @Test
    void listShowsTokensInARegistrysOwnStoresAndInStoresNamedWhenStoringEachStoreOnce() throws Exception {
        Registry company = new Registry("sparse+https://company.example/index/", "company");
        Registry mirror = new Registry("sparse+https://mirror.example/index/", "mirror");
        CredentialService service = service("stores = [\"env\"]\n"
                + "[registries.company]\nindex = \"" + company.indexUrl() + "\"\nstores = [\"cargo\"]\n"
                + "[registries.mirror]\nindex = \"" + mirror.indexUrl() + "\"\nstores = [\"file\"]\n");
        assertEquals(new Response.Stored("store", "cargo"), service.handle(store(company, "t-company", null), only(null)));
        assertEquals(new Response.Stored("store", "file"), service.handle(store(mirror, "t-mirror", null), only(null)));
        assertEquals(new Response.Stored("store", "file"), service.handle(store(ALT, "t-alt", "file"), only(null)), "named");

        List<Response.TokenInfo> listed = assertInstanceOf(Response.Listed.class,
                service.handle(new Request.ListTokens(null), only(null))).entries();
        List<String> where = listed.stream().map(e -> e.indexUrl() + " in " + e.store()).sorted().toList();
        assertEquals(List.of(ALT_URL + " in file", company.indexUrl() + " in cargo", mirror.indexUrl() + " in file").stream()
                .sorted().toList(), where, "every token latchkey would find, the file store listed once");
        assertEquals(List.of(company.indexUrl() + " in cargo"), assertInstanceOf(Response.Listed.class,
                service.handle(new Request.ListTokens(company), only(null))).entries().stream()
                .map(e -> e.indexUrl() + " in " + e.store()).toList());
    }

    @Test
    void eraseFromAllStoresLeavesCargosFileAloneUnlessConfigured() throws Exception {
        CredentialService service = serviceAt(null);
        service.handle(storeFor(ALT, "t", "file", null), only(null));
        service.handle(storeFor(ALT, "t", "memory", null), only(null));
        service.handle(storeFor(ALT, "t", "cargo", null), only(null));
        assertEquals(new Response.Erased("erase", List.of("file", "memory")),
                service.handle(new Request.Erase("erase", ALT, null, true), only(null)));
        assertEquals("t", token(service.handle(Request.Get.read(ALT), only("cargo"))));
        assertEquals(ErrorKind.NOT_FOUND, error(service.handle(new Request.Erase("erase", ALT, null, true), only(null))));

        CredentialService configured = serviceAt("[registries.alt]\nindex = \"" + ALT_URL + "\"\nstores = [\"file\", \"cargo\"]\n");
        configured.handle(storeFor(ALT, "t", "file", null), only(null));
        assertEquals(new Response.Erased("erase", List.of("file", "cargo")),
                configured.handle(new Request.Erase("erase", ALT, null, true), only(null)));
    }

    @Test
    void everyRequestLeavesOneAuditLineWithoutTheToken() throws Exception {
        CredentialService service = serviceAt(null);
        Caller cargo = new Caller(4242L, 1000L, "/usr/bin/cargo", 4000L, "/bin/bash");
        service.handle(storeFor(ALT, "tok-audited-7", null, null), RequestContext.alone(cargo, null, null));
        service.handle(Request.Get.read(ALT), RequestContext.alone(cargo, null, null));
        service.handle(Request.Get.read(Registry.byUrl("sparse+http://127.0.0.1:9/none/")), only(null));
        List<String> lines = Files.readAllLines(home.resolve("state/audit.log"));
        assertEquals(3, lines.size());
        assertEquals(Map.of("time", String.valueOf(clock.now.getEpochSecond()), "kind", "get", "registry", ALT_URL, "name", "alt",
                "operation", "read", "store", "file", "outcome", "ok", "pid", "4242", "uid", "1000", "exe", "/usr/bin/cargo")
                .entrySet(), trimmed(AuditLog.fields(lines.get(1))).entrySet());
        assertEquals("not-found", AuditLog.fields(lines.get(2)).get("outcome"));
        assertFalse(String.join("\n", lines).contains("tok-audited-7"));
    }

    private static Map<String, String> trimmed(Map<String, String> fields) {
        Map<String, String> copy = new HashMap<>(fields);
        copy.remove("ppid");
        copy.remove("parent-exe");
        return copy;
    }

    @Test
    void aDamagedBookStopsTokensItMayDescribeButNotTheEnvironments() throws Exception {
        vars.put("CARGO_REGISTRIES_ENVREG_TOKEN", "from-env");
        CredentialService service = serviceAt("[registries.envreg]\nindex = \"sparse+http://127.0.0.1:9/env/\"\n");
        service.handle(storeFor(ALT, "kept", null, null), only(null));
        Files.writeString(bookPath(), "{broken");
        Response.Failure failure = assertInstanceOf(Response.Failure.class, get(service, ALT));
        assertEquals(ErrorKind.UNAVAILABLE, failure.kind());
        assertTrue(failure.message().contains("metadata book") && failure.message().contains("move it away"), failure.message());
        assertEquals("from-env", token(get(service, Registry.byName("envreg"))));
        assertEquals(ErrorKind.UNAVAILABLE, error(service.handle(storeFor(ALT, "other", null, null), only(null))));
        assertTrue(Files.readString(home.resolve("data/latchkey/tokens.toml")).contains("kept"), "the stored token is left alone");
    }
}
