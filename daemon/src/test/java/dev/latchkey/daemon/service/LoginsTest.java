package dev.latchkey.daemon.service;

import dev.latchkey.daemon.config.Environment;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Request;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Logins as the front doors of git, docker, pip and pnpm keep them: in the file store, with its book and audit log. */
class LoginsTest {
    private static final Logins.Login ALICE = new Logins.Login("https", "git.example:8443", null, "alice");
    private static final Logins.Login BOB = new Logins.Login("https", "git.example:8443", null, "bob");
    private static final RequestContext CONTEXT = RequestContext.alone(Caller.UNKNOWN, null, null);

    @TempDir
    Path home;
    private CredentialService service;
    private Logins logins;

    @BeforeEach
    void serve() {
        Environment env = new Environment(Map.of("CARGO_HOME", home.resolve("cargo").toString(),
                "XDG_DATA_HOME", home.resolve("data").toString(), "XDG_CONFIG_HOME", home.resolve("config").toString(),
                "XDG_STATE_HOME", home.resolve("state").toString()), home, home);
        try {
            service = new Services(env, null, "test").forConfig(null);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        logins = service.logins();
    }

    private static Logins.Query site(String protocol, String host, String path, String username) {
        return new Logins.Query(protocol, host, path, username);
    }

    private String found(Logins.Query query) throws Exception {
        Optional<Logins.Found> found = logins.find("test", query, CONTEXT);
        return found.map(f -> f.login().username() + ":" + f.secret().reveal()).orElse(null);
    }

    @Test
    void aQueryMatchesAsGitMatchesEachPartItGivesMustBeTheLogins() throws Exception {
        assertEquals("file", logins.store("test", ALICE, Secret.fromString("alice-pw"), null, CONTEXT));
        assertEquals("alice:alice-pw", found(site("https", "git.example:8443", null, null)), "no user given: any user");
        assertEquals("alice:alice-pw", found(site("https", "GIT.example:8443", null, "alice")), "hosts compare without case");
        assertEquals(null, found(site("https", "git.example:8443", null, "bob")));
        assertEquals(null, found(site("http", "git.example:8443", null, null)), "another scheme is another site");
        assertEquals(null, found(site("https", "git.example", null, null)), "another port is another site");
        assertEquals(null, found(site("https", "git.example:8443", "team/repo.git", null)),
                "a login for the whole site is not one for a path the query names");
        assertEquals("alice:alice-pw", found(site(null, "git.example:8443", null, "alice")), "no scheme given: any scheme");
    }

    @Test
    void aLoginIsNeverARegistrysTokenNorTheOtherWayRound() throws Exception {
        String url = "https://git.example:8443/index/";
        service.handle(new Request.Store("store", Registry.byUrl(url), Secret.fromString("registry-token"), null,
                java.util.Set.of(), null, null), CONTEXT);
        assertEquals(null, found(site("https", "git.example:8443", null, null)));
        logins.store("test", ALICE, Secret.fromString("alice-pw"), null, CONTEXT);
        Response.Got got = assertInstanceOf(Response.Got.class, service.handle(Request.Get.read(Registry.byUrl(url)), CONTEXT));
        assertEquals("registry-token", got.token().reveal());
    }

    @Test
    void storingTheSameSecretAgainWritesNothing() throws Exception {
        logins.store("test", ALICE, Secret.fromString("alice-pw"), null, CONTEXT);
        Path tokens = home.resolve("data/latchkey/tokens.toml");
        String before = Files.readString(tokens);
        Files.setLastModifiedTime(tokens, java.nio.file.attribute.FileTime.fromMillis(0));
        logins.store("test", ALICE, Secret.fromString("alice-pw"), null, CONTEXT);
        assertEquals(0, Files.getLastModifiedTime(tokens).toMillis(), "git stores after every success: no rewrite each time");
        logins.store("test", ALICE, Secret.fromString("alice-new"), null, CONTEXT);
        assertEquals("alice:alice-new", found(Logins.Query.of(ALICE)));
        assertTrue(!before.equals(Files.readString(tokens)));
    }

    @Test
    void eraseWithASecretForgetsOnlyTheLoginsHoldingIt() throws Exception {
        logins.store("test", ALICE, Secret.fromString("alice-pw"), null, CONTEXT);
        logins.store("test", BOB, Secret.fromString("bob-pw"), null, CONTEXT);
        Logins.Query anyone = site("https", "git.example:8443", null, null);
        assertEquals(0, logins.erase("test", anyone, Secret.fromString("stale-pw"), CONTEXT),
                "what the server refused is not what is kept now: kept");
        assertEquals(1, logins.erase("test", anyone, Secret.fromString("bob-pw"), CONTEXT));
        assertEquals(List.of(ALICE), logins.list("test", CONTEXT));
        assertEquals(1, logins.erase("test", anyone, null, CONTEXT));
        assertEquals(List.of(), logins.list("test", CONTEXT));
    }

    @Test
    void listAndTheAuditLogShowLoginsByTheirSiteAndUser() throws Exception {
        logins.store("git", ALICE, Secret.fromString("alice-pw"), null, CONTEXT);
        found(Logins.Query.of(ALICE));
        Response.Listed listed = assertInstanceOf(Response.Listed.class, service.handle(new Request.ListTokens(null), CONTEXT));
        assertEquals(1, listed.entries().size());
        assertEquals("https://alice@git.example:8443", listed.entries().get(0).login());
        List<String> audit = Files.readAllLines(home.resolve("state/latchkey/audit.log"));
        assertTrue(audit.get(0).contains("\"kind\":\"git-store\"") && audit.get(0).contains("\"registry\":\"https://alice@git.example:8443\""),
                audit.get(0));
        assertTrue(audit.get(1).contains("\"kind\":\"test-get\"") && audit.get(1).contains("\"outcome\":\"ok\""), audit.get(1));
        assertTrue(audit.stream().noneMatch(line -> line.contains("alice-pw")));
    }

    @Test
    void aSiteQueryTakesALeftOutSchemeOrPathAsAbsentAndAnExactQueryALeftOutUserToo() throws Exception {
        Logins.Login registry = new Logins.Login(null, "git.example:8443", null, "alice");
        Logins.Login token = new Logins.Login("https", "git.example:8443", "team", null);
        logins.store("test", ALICE, Secret.fromString("git-pw"), null, CONTEXT);
        assertEquals(null, found(Logins.Query.site(null, "git.example:8443", null, null)),
                "a registry named without scheme or path is not git's site, which has a scheme");
        logins.store("test", registry, Secret.fromString("registry-pw"), null, CONTEXT);
        logins.store("test", token, Secret.fromString("npm-token"), null, CONTEXT);
        assertEquals("alice:registry-pw", found(Logins.Query.site(null, "git.example:8443", null, null)));
        assertEquals("alice:git-pw", found(Logins.Query.site("https", "git.example:8443", null, null)));
        assertEquals("null:npm-token", found(Logins.Query.exactly(token)));
        assertEquals(null, found(Logins.Query.exactly(new Logins.Login("https", "git.example:8443", null, null))),
                "a login without a user is not one with a user, for an exact query");
        assertEquals(null, found(Logins.Query.site("https", "git.example:8443", "team/repo.git", null)));
    }

    @Test
    void severalQueriesAreTriedInTheirOrderAsOneRequest() throws Exception {
        Logins.Login netloc = new Logins.Login(null, "pypi.example", null, "alice");
        logins.store("test", netloc, Secret.fromString("netloc-pw"), null, CONTEXT);
        List<Logins.Query> urlThenNetloc = List.of(Logins.Query.exactly(new Logins.Login("https", "pypi.example", "simple", "alice")),
                Logins.Query.exactly(netloc));
        assertEquals("netloc-pw", logins.find("pip", urlThenNetloc, CONTEXT).orElseThrow().secret().reveal());
        logins.store("test", new Logins.Login("https", "pypi.example", "simple", "alice"), Secret.fromString("url-pw"), null, CONTEXT);
        assertEquals("url-pw", logins.find("pip", urlThenNetloc, CONTEXT).orElseThrow().secret().reveal());
        List<String> gets = Files.readAllLines(home.resolve("state/latchkey/audit.log")).stream()
                .filter(line -> line.contains("\"kind\":\"pip-get\"")).toList();
        assertEquals(2, gets.size(), gets.toString());
        assertTrue(gets.get(0).contains("\"registry\":\"https://alice@pypi.example/simple\"") && gets.get(0).contains("\"outcome\":\"ok\""),
                gets.get(0));
    }

    @Test
    void rotateAndEraseExactlyTakeOneLoginAndNoOther() throws Exception {
        logins.store("test", ALICE, Secret.fromString("alice-pw"), null, CONTEXT);
        logins.store("test", BOB, Secret.fromString("bob-pw"), null, CONTEXT);
        Logins.Login site = new Logins.Login("https", "git.example:8443", null, null);
        assertEquals(List.of(), logins.rotate("test", site, Secret.fromString("x"), null, CONTEXT), "no login without a user there");
        assertEquals(List.of("file"), logins.rotate("test", ALICE, Secret.fromString("alice-new"), null, CONTEXT));
        assertEquals("alice:alice-new", found(Logins.Query.exactly(ALICE)));
        assertEquals(List.of(), logins.eraseExactly("test", site, true, CONTEXT));
        assertEquals(List.of("file"), logins.eraseExactly("test", ALICE, false, CONTEXT));
        assertEquals(null, found(Logins.Query.exactly(ALICE)));
        assertEquals("bob:bob-pw", found(Logins.Query.exactly(BOB)));
        List<String> kinds = Files.readAllLines(home.resolve("state/latchkey/audit.log")).stream()
                .filter(line -> line.contains("-rotate\"") || line.contains("-erase\"")).toList();
        assertEquals(4, kinds.size(), kinds.toString());
    }

    @Test
    void theSamePasswordStoredAgainWithoutAnExpiryKeepsTheOneItHasUntilItPasses() throws Exception {
        long later = java.time.Instant.now().getEpochSecond() + 3600;
        logins.store("test", ALICE, Secret.fromString("alice-pw"), later, CONTEXT);
        logins.store("git", ALICE, Secret.fromString("alice-pw"), null, CONTEXT);
        assertEquals(later, logins.find("test", Logins.Query.exactly(ALICE), CONTEXT).orElseThrow().expiration());

        long earlier = java.time.Instant.now().getEpochSecond() - 60;
        logins.store("test", BOB, Secret.fromString("bob-pw"), earlier, CONTEXT);
        Logins.Lookup expired = logins.lookUp("git", List.of(new Logins.Query("https", "git.example:8443", null, "bob")), CONTEXT);
        assertEquals(new Logins.Lookup(null, earlier), expired, "not handed out, and said when it expired");
        logins.store("git", BOB, Secret.fromString("bob-pw"), null, CONTEXT);
        assertEquals(null, logins.find("test", Logins.Query.exactly(BOB), CONTEXT).orElseThrow().expiration(),
                "typed again after its expiry and taken: kept without one");
    }
}
