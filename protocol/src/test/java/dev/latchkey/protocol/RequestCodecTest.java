package dev.latchkey.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden tests: the request lines below are the literal lines cargo 1.95 sends (captured from
 * real runs, or taken from the cargo-credential library's own unit tests) of cargo's
 * credential-provider protocol. Both directions are checked: each parses into
 * the fields it carries, and writing those fields gives back cargo's line byte for byte.
 */
class RequestCodecTest {
    private static final String AUTHREG = "sparse+http://127.0.0.1:18081/index/";
    private static final Registry AUTHREG_REGISTRY = new Registry(AUTHREG, "authreg");
    private static final Registry CRATES_IO = new Registry(Registry.CRATES_IO_INDEX, Registry.CRATES_IO_NAME);
    private static final String CKSUM = "e27fd39ca9d793ec2b2dcd213a0717955ea3a10ea332ce988f1c63305c57e55f";

    static final String GET_READ = "{\"v\":1,\"registry\":{\"index-url\":\"sparse+http://127.0.0.1:18081/index/\",\"name\":\"authreg\"},\"kind\":\"get\",\"operation\":\"read\",\"args\":[\"mode=ok\"]}";
    static final String GET_PUBLISH = "{\"v\":1,\"registry\":{\"index-url\":\"sparse+http://127.0.0.1:18081/index/\",\"name\":\"authreg\"},\"kind\":\"get\",\"operation\":\"publish\",\"name\":\"foo\",\"vers\":\"0.1.1\",\"cksum\":\"e27fd39ca9d793ec2b2dcd213a0717955ea3a10ea332ce988f1c63305c57e55f\",\"args\":[\"mode=ok\"]}";
    static final String GET_YANK = "{\"v\":1,\"registry\":{\"index-url\":\"sparse+http://127.0.0.1:18081/index/\",\"name\":\"authreg\"},\"kind\":\"get\",\"operation\":\"yank\",\"name\":\"foo\",\"vers\":\"0.1.0\",\"args\":[\"mode=ok\"]}";
    static final String GET_UNYANK = "{\"v\":1,\"registry\":{\"index-url\":\"sparse+http://127.0.0.1:18081/index/\",\"name\":\"authreg\"},\"kind\":\"get\",\"operation\":\"unyank\",\"name\":\"foo\",\"vers\":\"0.1.0\",\"args\":[\"mode=ok\"]}";
    static final String GET_OWNERS = "{\"v\":1,\"registry\":{\"index-url\":\"sparse+http://127.0.0.1:18081/index/\",\"name\":\"authreg\"},\"kind\":\"get\",\"operation\":\"owners\",\"name\":\"foo\",\"args\":[\"mode=ok\"]}";
    static final String LIB_GET_OWNERS = "{\"v\":1,\"registry\":{\"index-url\":\"url\"},\"kind\":\"get\",\"operation\":\"owners\",\"name\":\"pkg\"}";
    static final String LIB_GET_OWNERS_EXTRA = "{\"extra-1\":true,\"v\":1,\"registry\":{\"index-url\":\"url\",\"extra-2\":true},\"kind\":\"get\",\"operation\":\"owners\",\"name\":\"pkg\",\"args\":[]}";
    static final String LIB_LOGOUT_EXTRA = "{\"v\":1,\"registry\":{\"index-url\":\"url\"},\"kind\":\"logout\",\"extra-1\":true,\"args\":[]}";
    static final String LIB_UNKNOWN_KIND = "{\"v\":1,\"registry\":{\"index-url\":\"\"},\"kind\":\"unexpected-1\",\"extra-1\":true,\"args\":[]}";
    static final String LIB_UNSUPPORTED_VERSION = "{\"v\":999, \"registry\": {\"index-url\":\"\"}, \"args\":[], \"kind\": \"unexpected\"}";
    static final String LOGIN = "{\"v\":1,\"registry\":{\"index-url\":\"https://github.com/rust-lang/crates.io-index\",\"name\":\"crates-io\"},\"kind\":\"login\",\"token\":\"abcdefg\",\"login-url\":\"[ROOTURL]/api/me\",\"args\":[\"cfg1\",\"--cfg2\",\"cmd3\",\"--cmd4\"]}";
    static final String LOGIN_WITHOUT_TOKEN = "{\"v\":1,\"registry\":{\"index-url\":\"sparse+http://127.0.0.1:18082/index/\",\"name\":\"alt\"},\"kind\":\"login\",\"login-url\":\"http://127.0.0.1:18082/me\",\"args\":[\"mode=ok\",\"cfgarg\"]}";
    static final String LOGOUT = "{\"v\":1,\"registry\":{\"index-url\":\"https://github.com/rust-lang/crates.io-index\",\"name\":\"crates-io\"},\"kind\":\"logout\"}";
    /** The file_provider example's stdin: spaces after colons, an empty args list. */
    static final String EXAMPLE_LOGIN = "{\"v\": 1,\"registry\": {\"index-url\":\"https://github.com/rust-lang/crates.io-index\",\"name\":\"crates-io\"},\"kind\": \"login\",\"token\": \"s3krit\",\"args\": []}";
    static final String EXAMPLE_GET = "{\"v\": 1,\"registry\": {\"index-url\":\"https://github.com/rust-lang/crates.io-index\",\"name\":\"crates-io\"},\"kind\": \"get\",\"operation\": \"read\",\"args\": []}";

    /** The token used in every hostile line below; no rejection message may contain it. */
    private static final String TOKEN = "tok-SECRET-7f3a9";

    // ---- cargo's lines, parsed ----

    @Test
    void parsesCargoGetRead() {
        RequestLine line = accepted(GET_READ);
        Request.Get get = assertInstanceOf(Request.Get.class, line.request());
        assertEquals(AUTHREG_REGISTRY, get.registry());
        assertEquals(Operation.READ, get.operation());
        assertNull(get.crateName());
        assertNull(get.crateVersion());
        assertNull(get.checksum());
        assertEquals("get", get.kind());
        assertEquals(List.of("mode=ok"), line.args());
        assertNull(line.id());
    }

    @Test
    void parsesCargoGetPublishWithCrateFields() {
        RequestLine line = accepted(GET_PUBLISH);
        assertEquals(new Request.Get(AUTHREG_REGISTRY, Operation.PUBLISH, "foo", "0.1.1", CKSUM), line.request());
        assertEquals(List.of("mode=ok"), line.args());
    }

    @Test
    void parsesCargoGetYankUnyankAndOwners() {
        assertEquals(new Request.Get(AUTHREG_REGISTRY, Operation.YANK, "foo", "0.1.0", null), accepted(GET_YANK).request());
        assertEquals(new Request.Get(AUTHREG_REGISTRY, Operation.UNYANK, "foo", "0.1.0", null), accepted(GET_UNYANK).request());
        assertEquals(new Request.Get(AUTHREG_REGISTRY, Operation.OWNERS, "foo", null, null), accepted(GET_OWNERS).request());
    }

    @Test
    void parsesCargoLoginWithTokenLoginUrlAndArgs() {
        RequestLine line = accepted(LOGIN);
        Request.Store login = assertInstanceOf(Request.Store.class, line.request());
        assertEquals("login", login.kind());
        assertEquals(CRATES_IO, login.registry());
        assertEquals("abcdefg", login.token().reveal());
        assertEquals("[ROOTURL]/api/me", login.loginUrl());
        assertNull(login.expiration());
        assertEquals(Set.of(), login.operations());
        assertNull(login.store());
        assertEquals(List.of("cfg1", "--cfg2", "cmd3", "--cmd4"), line.args());
    }

    @Test
    void parsesCargoLoginWithoutTokenAsAStoreStillToBeAskedFor() {
        RequestLine line = accepted(LOGIN_WITHOUT_TOKEN);
        Request.Store login = assertInstanceOf(Request.Store.class, line.request());
        assertEquals("login", login.kind());
        assertEquals(new Registry("sparse+http://127.0.0.1:18082/index/", "alt"), login.registry());
        assertNull(login.token());
        assertEquals("http://127.0.0.1:18082/me", login.loginUrl());
        assertEquals(List.of("mode=ok", "cfgarg"), line.args());
    }

    @Test
    void parsesCargoLogout() {
        RequestLine line = accepted(LOGOUT);
        assertEquals(new Request.Erase("logout", CRATES_IO, null), line.request());
        assertEquals(List.of(), line.args());
    }

    @Test
    void parsesTheLibraryTestLineWithoutArgs() {
        RequestLine line = accepted(LIB_GET_OWNERS);
        assertEquals(new Request.Get(Registry.byUrl("url"), Operation.OWNERS, "pkg", null, null), line.request());
        assertEquals(List.of(), line.args());
    }

    @Test
    void ignoresUnknownFieldsAtTheTopAndInsideTheRegistry() {
        assertEquals(accepted(LIB_GET_OWNERS), accepted(LIB_GET_OWNERS_EXTRA));
        assertEquals(new Request.Erase("logout", Registry.byUrl("url"), null), accepted(LIB_LOGOUT_EXTRA).request());
    }

    @Test
    void parsesTheExampleProviderLinesWithSpaces() {
        Request.Store login = assertInstanceOf(Request.Store.class, accepted(EXAMPLE_LOGIN).request());
        assertEquals("s3krit", login.token().reveal());
        assertEquals(CRATES_IO, login.registry());
        assertEquals(Request.Get.read(CRATES_IO), accepted(EXAMPLE_GET).request());
    }

    @Test
    void parsesTheRegistryHeadersCargoSendsAfterA401() {
        String line = "{\"v\":1,\"registry\":{\"index-url\":\"sparse+http://127.0.0.1:18081/index/\",\"headers\":"
                + "[\"Content-Type: application/json\",\"WWW-Authenticate: Cargo login_url=\\\"https://example.test/login\\\"\"]},"
                + "\"kind\":\"get\",\"operation\":\"read\"}";
        Request.Get get = assertInstanceOf(Request.Get.class, accepted(line).request());
        assertEquals(List.of("Content-Type: application/json", "WWW-Authenticate: Cargo login_url=\"https://example.test/login\""),
                get.registry().headers());
        assertNull(get.registry().name());
        assertEquals(line + "\n", written(new RequestLine(get)));
    }

    @Test
    void getWithoutOperationMeansRead() {
        Request.Get get = assertInstanceOf(Request.Get.class,
                accepted("{\"v\":1,\"kind\":\"get\",\"registry\":{\"name\":\"company\"}}").request());
        assertEquals(Operation.READ, get.operation());
        assertEquals(Registry.byName("company"), get.registry());
    }

    // ---- unknown kinds and operations parse into explicit values ----

    @Test
    void unknownKindParsesAsUnsupportedEvenWithCargosEmptyIndexUrl() {
        Request.Unsupported unknown = assertInstanceOf(Request.Unsupported.class, accepted(LIB_UNKNOWN_KIND).request());
        assertEquals("unexpected-1", unknown.kind());
        assertEquals(new Request.Unsupported("frob"), accepted("{\"v\":1,\"kind\":\"frob\"}").request());
    }

    @Test
    void unknownOperationParsesAsUnknown() {
        Request.Get get = assertInstanceOf(Request.Get.class, accepted(
                "{\"v\":1,\"registry\":{\"index-url\":\"url\"},\"kind\":\"get\",\"operation\":\"transfer\",\"name\":\"pkg\"}").request());
        assertEquals(Operation.UNKNOWN, get.operation());
        assertEquals("pkg", get.crateName());
    }

    // ---- latchkey's own kinds ----

    @Test
    void parsesLatchkeyStoreWithAllItsFields() {
        RequestLine line = accepted("{\"v\":1,\"id\":\"s1\",\"kind\":\"store\",\"registry\":{\"name\":\"company\"},\"token\":\""
                + TOKEN + "\",\"expiration\":1893942857,\"operations\":[\"publish\",\"yank\"],\"store\":\"file\"}");
        Request.Store store = assertInstanceOf(Request.Store.class, line.request());
        assertEquals("store", store.kind());
        assertEquals(Registry.byName("company"), store.registry());
        assertEquals(TOKEN, store.token().reveal());
        assertEquals(1893942857L, store.expiration());
        assertEquals(Set.of(Operation.PUBLISH, Operation.YANK), store.operations());
        assertEquals("file", store.store());
        assertEquals(RequestId.of("s1"), line.id());
    }

    @Test
    void parsesEraseListAndStatus() {
        assertEquals(new Request.Erase("erase", Registry.byUrl("u"), "memory"),
                accepted("{\"v\":1,\"kind\":\"erase\",\"registry\":{\"index-url\":\"u\"},\"store\":\"memory\"}").request());
        assertEquals(new Request.ListTokens(null), accepted("{\"v\":1,\"kind\":\"list\"}").request());
        assertEquals(new Request.ListTokens(Registry.byName("company")),
                accepted("{\"v\":1,\"kind\":\"list\",\"registry\":{\"name\":\"company\"}}").request());
        assertEquals(new Request.Status(), accepted("{\"v\":1,\"kind\":\"status\"}").request());
    }

    @Test
    void parsesRotateAndEraseFromAllStores() {
        Request.Rotate rotate = assertInstanceOf(Request.Rotate.class, accepted("{\"v\":1,\"kind\":\"rotate\","
                + "\"registry\":{\"name\":\"company\"},\"token\":\"" + TOKEN + "\",\"operations\":[\"publish\"]}").request());
        assertEquals(Registry.byName("company"), rotate.registry());
        assertEquals(TOKEN, rotate.token().reveal());
        assertEquals(Set.of(Operation.PUBLISH), rotate.operations());
        assertEquals("rotate", rotate.kind());
        assertEquals(new Request.Erase("erase", Registry.byUrl("u"), null, true),
                accepted("{\"v\":1,\"kind\":\"erase\",\"registry\":{\"index-url\":\"u\"},\"all-stores\":true}").request());
        assertBadRequestWithoutToken(rejected("{\"v\":1,\"kind\":\"rotate\",\"registry\":{\"name\":\"c\"}}"));
        assertTrue(badRequestMessage("{\"v\":1,\"kind\":\"erase\",\"registry\":{\"name\":\"c\"},\"all-stores\":true,"
                + "\"store\":\"file\"}").contains("`all-stores` and `store`"));
    }

    @Test
    void writesRotateAndEraseFromAllStoresAsTheyAreParsed() {
        Request.Rotate rotate = new Request.Rotate(Registry.byName("company"), Secret.fromString("t0k"), 1893942857L,
                Set.of(Operation.OWNERS), "file");
        String line = "{\"v\":1,\"registry\":{\"name\":\"company\"},\"kind\":\"rotate\",\"token\":\"t0k\","
                + "\"expiration\":1893942857,\"operations\":[\"owners\"],\"store\":\"file\"}";
        assertEquals(line + "\n", written(new RequestLine(rotate)));
        assertEquals(line + "\n", written(accepted(line)));
        String erase = "{\"v\":1,\"registry\":{\"name\":\"company\"},\"kind\":\"erase\",\"all-stores\":true}";
        assertEquals(erase + "\n", written(new RequestLine(new Request.Erase("erase", Registry.byName("company"), null, true))));
    }

    @Test
    void carriesAStringOrAnIntegerId() {
        assertEquals(RequestId.of("req-1"), accepted("{\"v\":1,\"id\":\"req-1\",\"kind\":\"status\"}").id());
        assertEquals(RequestId.of(42), accepted("{\"id\":42,\"v\":1,\"kind\":\"status\"}").id());
        assertEquals(RequestId.of(-7), accepted("{\"v\":1,\"kind\":\"status\",\"id\":-7}").id());
    }

    @Test
    void aRejectedLineStillCarriesTheIdItShowedFirst() {
        Incoming.Rejected rejected = rejected("{\"v\":1,\"id\":7,\"kind\":\"store\",\"registry\":{\"index-url\":\"u\"},\"token\":\"\"}");
        assertEquals(RequestId.of(7), rejected.id());
        assertEquals(RequestId.of("x"), rejected("{\"id\":\"x\",\"v\":2,\"kind\":\"status\"}").id());
    }

    // ---- requests written, compared with cargo's lines byte for byte ----

    @Test
    void writesCargosGetLinesExactly() {
        List<String> args = List.of("mode=ok");
        assertEquals(GET_READ + "\n", written(new RequestLine(null, args, Request.Get.read(AUTHREG_REGISTRY))));
        assertEquals(GET_PUBLISH + "\n", written(new RequestLine(null, args,
                new Request.Get(AUTHREG_REGISTRY, Operation.PUBLISH, "foo", "0.1.1", CKSUM))));
        assertEquals(GET_YANK + "\n", written(new RequestLine(null, args,
                new Request.Get(AUTHREG_REGISTRY, Operation.YANK, "foo", "0.1.0", null))));
        assertEquals(GET_UNYANK + "\n", written(new RequestLine(null, args,
                new Request.Get(AUTHREG_REGISTRY, Operation.UNYANK, "foo", "0.1.0", null))));
        assertEquals(GET_OWNERS + "\n", written(new RequestLine(null, args,
                new Request.Get(AUTHREG_REGISTRY, Operation.OWNERS, "foo", null, null))));
        assertEquals(LIB_GET_OWNERS + "\n", written(new RequestLine(
                new Request.Get(Registry.byUrl("url"), Operation.OWNERS, "pkg", null, null))));
    }

    @Test
    void writesCargosLoginAndLogoutLinesExactly() {
        Request.Store login = new Request.Store("login", CRATES_IO, Secret.fromString("abcdefg"), null, Set.of(), null,
                "[ROOTURL]/api/me");
        assertEquals(LOGIN + "\n", written(new RequestLine(null, List.of("cfg1", "--cfg2", "cmd3", "--cmd4"), login)));
        Request.Store loginWithoutToken = new Request.Store("login", new Registry("sparse+http://127.0.0.1:18082/index/", "alt"),
                null, null, Set.of(), null, "http://127.0.0.1:18082/me");
        assertEquals(LOGIN_WITHOUT_TOKEN + "\n", written(new RequestLine(null, List.of("mode=ok", "cfgarg"), loginWithoutToken)));
        assertEquals(LOGOUT + "\n", written(new RequestLine(new Request.Erase("logout", CRATES_IO, null))));
    }

    @Test
    void everyCargoLineSurvivesParseThenWrite() {
        for (String line : List.of(GET_READ, GET_PUBLISH, GET_YANK, GET_UNYANK, GET_OWNERS, LIB_GET_OWNERS, LOGIN,
                LOGIN_WITHOUT_TOKEN, LOGOUT)) {
            assertEquals(line + "\n", written(accepted(line)), line);
        }
    }

    @Test
    void writesTheIdAfterTheVersionAndLatchkeysStoreFields() {
        Request.Store store = new Request.Store("store", Registry.byName("company"), Secret.fromString("t0k"), 1893942857L,
                Set.of(Operation.YANK, Operation.PUBLISH), "file", null);
        assertEquals("{\"v\":1,\"id\":\"s1\",\"registry\":{\"name\":\"company\"},\"kind\":\"store\",\"token\":\"t0k\","
                        + "\"expiration\":1893942857,\"operations\":[\"publish\",\"yank\"],\"store\":\"file\"}\n",
                written(new RequestLine(RequestId.of("s1"), List.of(), store)));
        assertEquals("{\"v\":1,\"id\":3,\"kind\":\"status\"}\n", written(new RequestLine(RequestId.of(3), List.of(), new Request.Status())));
        assertEquals("{\"v\":1,\"kind\":\"list\"}\n", written(new RequestLine(new Request.ListTokens(null))));
    }

    // ---- lines that are not requests: each a bad-request that never quotes the token ----

    @Test
    void rejectsOtherVersionsWithCargosMessage() {
        assertTrue(badRequestMessage(LIB_UNSUPPORTED_VERSION).contains("unsupported protocol version 999"));
        assertTrue(badRequestMessage("{\"v\":2,\"kind\":\"status\"}").contains("unsupported protocol version 2"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // version and kind
        "{\"kind\":\"get\",\"registry\":{\"index-url\":\"u\"}}",
        "{\"v\":0,\"kind\":\"status\"}",
        "{\"v\":1,\"registry\":{\"index-url\":\"u\"},\"token\":\"" + TOKEN + "\"}",
        // registry
        "{\"v\":1,\"kind\":\"get\"}",
        "{\"v\":1,\"kind\":\"store\",\"token\":\"" + TOKEN + "\"}",
        "{\"v\":1,\"kind\":\"login\",\"token\":\"" + TOKEN + "\"}",
        "{\"v\":1,\"kind\":\"erase\"}",
        "{\"v\":1,\"kind\":\"logout\"}",
        "{\"v\":1,\"kind\":\"get\",\"registry\":{}}",
        "{\"v\":1,\"kind\":\"get\",\"registry\":{\"index-url\":\"\",\"name\":\"\"}}",
        "{\"v\":1,\"kind\":\"store\",\"registry\":{\"headers\":[]},\"token\":\"" + TOKEN + "\"}",
        "{\"v\":1,\"kind\":\"list\",\"registry\":{}}",
        // wrong field types
        "{\"v\":\"1\",\"kind\":\"status\"}",
        "{\"v\":1.0,\"kind\":\"status\"}",
        "{\"v\":true,\"kind\":\"status\"}",
        "{\"v\":null,\"kind\":\"status\"}",
        "{\"v\":99999999999999999999,\"kind\":\"status\"}",
        "{\"v\":1,\"kind\":7}",
        "{\"v\":1,\"kind\":[\"get\"]}",
        "{\"v\":1,\"kind\":\"get\",\"registry\":[\"u\"]}",
        "{\"v\":1,\"kind\":\"get\",\"registry\":\"sparse+http://h/i/\"}",
        "{\"v\":1,\"kind\":\"get\",\"registry\":{\"index-url\":5}}",
        "{\"v\":1,\"kind\":\"get\",\"registry\":{\"index-url\":\"u\",\"name\":false}}",
        "{\"v\":1,\"kind\":\"get\",\"registry\":{\"index-url\":\"u\",\"headers\":\"Server: x\"}}",
        "{\"v\":1,\"kind\":\"get\",\"registry\":{\"index-url\":\"u\"},\"operation\":1}",
        "{\"v\":1,\"kind\":\"get\",\"registry\":{\"index-url\":\"u\"},\"operation\":\"publish\",\"vers\":1}",
        "{\"v\":1,\"kind\":\"get\",\"registry\":{\"index-url\":\"u\"},\"args\":\"--store file\"}",
        "{\"v\":1,\"kind\":\"get\",\"registry\":{\"index-url\":\"u\"},\"args\":[\"--store\",1]}",
        "{\"v\":1,\"kind\":\"store\",\"registry\":{\"index-url\":\"u\"},\"token\":12345}",
        "{\"v\":1,\"kind\":\"store\",\"registry\":{\"index-url\":\"u\"},\"token\":[\"" + TOKEN + "\"]}",
        "{\"v\":1,\"kind\":\"store\",\"registry\":{\"index-url\":\"u\"},\"token\":null}",
        "{\"v\":1,\"kind\":\"store\",\"registry\":{\"index-url\":\"u\"},\"token\":\"" + TOKEN + "\",\"expiration\":\"1893942857\"}",
        "{\"v\":1,\"kind\":\"store\",\"registry\":{\"index-url\":\"u\"},\"token\":\"" + TOKEN + "\",\"expiration\":1893942857.0}",
        "{\"v\":1,\"kind\":\"store\",\"registry\":{\"index-url\":\"u\"},\"token\":\"" + TOKEN + "\",\"operations\":\"publish\"}",
        "{\"v\":1,\"kind\":\"store\",\"registry\":{\"index-url\":\"u\"},\"token\":\"" + TOKEN + "\",\"operations\":[\"transfer\"]}",
        "{\"v\":1,\"kind\":\"store\",\"registry\":{\"index-url\":\"u\"},\"token\":\"" + TOKEN + "\",\"store\":\"\"}",
        "{\"v\":1,\"kind\":\"store\",\"registry\":{\"index-url\":\"u\"},\"token\":\"" + TOKEN + "\",\"store\":3}",
        "{\"v\":1,\"kind\":\"status\",\"id\":{\"n\":1}}",
        "{\"v\":1,\"kind\":\"status\",\"id\":[1]}",
        "{\"v\":1,\"kind\":\"status\",\"id\":1.5}",
        "{\"v\":1,\"kind\":\"status\",\"id\":true}",
        "{\"v\":1,\"kind\":\"status\",\"id\":null}",
        // a field sent twice: which one counts is anybody's guess, so neither does
        "{\"v\":1,\"kind\":\"get\",\"kind\":\"erase\",\"registry\":{\"index-url\":\"u\"}}",
        "{\"v\":1,\"kind\":\"store\",\"registry\":{\"index-url\":\"u\"},\"token\":\"" + TOKEN + "\",\"token\":\"" + TOKEN + "2\"}",
        "{\"v\":1,\"v\":1,\"kind\":\"status\"}",
        "{\"v\":1,\"kind\":\"get\",\"registry\":{\"index-url\":\"u\"},\"registry\":{\"index-url\":\"w\"}}",
        "{\"v\":1,\"kind\":\"get\",\"registry\":{\"index-url\":\"u\",\"index-url\":\"w\"}}",
        "{\"v\":1,\"kind\":\"get\",\"registry\":{\"index-url\":\"u\",\"name\":\"a\",\"name\":\"b\"}}",
        "{\"v\":1,\"id\":1,\"id\":2,\"kind\":\"status\"}",
        // escapes that are no Unicode text: a surrogate without its pair
        "{\"v\":1,\"kind\":\"get\",\"registry\":{\"index-url\":\"sparse+http://h/\\ud800/\"}}",
        "{\"v\":1,\"kind\":\"get\",\"registry\":{\"name\":\"r\\udc00\"}}",
        "{\"v\":1,\"kind\":\"get\",\"registry\":{\"name\":\"r\\ud83d\"}}",
        "{\"v\":1,\"kind\":\"get\",\"registry\":{\"index-url\":\"u\"},\"args\":[\"--store\",\"\\ude00\"]}",
        "{\"v\":1,\"kind\":\"status\",\"id\":\"\\ud800\"}",
        // tokens
        "{\"v\":1,\"kind\":\"store\",\"registry\":{\"index-url\":\"u\"}}",
        "{\"v\":1,\"kind\":\"store\",\"registry\":{\"index-url\":\"u\"},\"token\":\"\"}",
        "{\"v\":1,\"kind\":\"login\",\"registry\":{\"index-url\":\"u\"},\"token\":\"\"}",
        "{\"v\":1,\"kind\":\"store\",\"registry\":{\"index-url\":\"u\"},\"token\":\"" + TOKEN + "\\n" + TOKEN + "\"}",
        "{\"v\":1,\"kind\":\"store\",\"registry\":{\"index-url\":\"u\"},\"token\":\"" + TOKEN + "\\r\"}",
        "{\"v\":1,\"kind\":\"login\",\"registry\":{\"index-url\":\"u\"},\"token\":\"" + TOKEN + "\\u0000\"}",
        "{\"v\":1,\"kind\":\"store\",\"registry\":{\"index-url\":\"u\"},\"token\":\"" + TOKEN + "\\u00e9\"}",
        "{\"v\":1,\"kind\":\"store\",\"registry\":{\"index-url\":\"u\"},\"token\":\"" + TOKEN + "\\u007f\"}",
        // not one JSON object
        "",
        "[]",
        "[{\"v\":1,\"kind\":\"status\"}]",
        "\"status\"",
        "1",
        "null",
        "{",
        "{\"v\":1,\"kind\":\"status\"",
        "{\"v\":1,\"kind\":\"store\",\"registry\":{\"index-url\":\"u\"},\"token\":\"" + TOKEN,
        "{\"v\":1,\"kind\":\"store\",\"registry\":{\"index-url\":\"u\"},\"token\":\"" + TOKEN + "\"",
        "{v:1,kind:\"status\"}",
        "{'v':1,'kind':'status'}",
        "{\"v\":1,\"kind\":\"status\",}",
        "{\"v\":1,\"kind\":\"store\",\"registry\":{\"index-url\":\"u\"},\"token\":\"" + TOKEN + "\"} trailing",
        "{\"v\":1,\"kind\":\"store\",\"registry\":{\"index-url\":\"u\"},\"token\":\"" + TOKEN + "\"}{\"v\":1,\"kind\":\"status\"}",
        "{\"v\":1,\"kind\":\"status\"} 1",
    })
    void rejectsWithABadRequestThatNeverQuotesTheToken(String line) {
        badRequestMessage(line);
    }

    @Test
    void rejectsDeepNestingWithoutOverflowingTheStack() {
        String deep = "{\"v\":1,\"kind\":\"store\",\"registry\":{\"index-url\":\"u\"},\"token\":\"" + TOKEN + "\",\"x\":"
                + "[".repeat(10_000) + "]".repeat(10_000) + "}";
        assertTrue(badRequestMessage(deep).contains("nested too deeply"));
        badRequestMessage("[".repeat(10_000));
        badRequestMessage("{\"a\":".repeat(10_000));
        // Nesting within the limit is still fine in an unknown field.
        accepted("{\"v\":1,\"kind\":\"status\",\"x\":[[[[{\"y\":[1]}]]]]}");
    }

    @Test
    void rejectsInvalidUtf8AnywhereInTheLine() {
        String head = "{\"v\":1,\"kind\":\"store\",\"registry\":{\"index-url\":\"u\"},\"token\":\"" + TOKEN;
        byte[][] lines = {
            concat(head, new byte[] {(byte) 0xff}, "\"}"),
            concat(head, new byte[] {(byte) 0xc3}, "\"}"),                      // a lead byte with no continuation
            concat(head, new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, "\"}"), // an encoded surrogate
            concat(head, new byte[] {(byte) 0xc0, (byte) 0xaf}, "\"}"),         // an overlong '/', which Jackson alone accepts
            concat(head, new byte[] {(byte) 0xe0, (byte) 0x80, (byte) 0xaf}, "\"}"),
            concat(head, new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, "\"}"), // past U+10FFFF
            concat(head + "\",\"extra\":\"", new byte[] {(byte) 0xfe, (byte) 0xff}, "\"}"),
            concat(head + "\",\"extra\":\"", new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, "\"}"),
            concat("{\"v\":1,\"kind\":\"st", new byte[] {(byte) 0x80}, "atus\"}"),
            concat("{\"v\":1,\"kind\":\"status", new byte[] {(byte) 0xc0, (byte) 0xaf}, "\"}"),
            concat("{\"v\":1,\"kind\":\"status\"}", new byte[] {(byte) 0x80}, ""),
        };
        for (byte[] line : lines) {
            Incoming incoming = RequestCodec.parse(line, line.length);
            Incoming.Rejected rejected = assertInstanceOf(Incoming.Rejected.class, incoming);
            assertBadRequestWithoutToken(rejected);
        }
    }

    @Test
    void namesTheFieldSentTwice() {
        assertTrue(badRequestMessage("{\"v\":1,\"kind\":\"get\",\"kind\":\"erase\",\"registry\":{\"index-url\":\"u\"}}")
                .contains("field `kind` appears twice"));
        assertTrue(badRequestMessage("{\"v\":1,\"kind\":\"get\",\"registry\":{\"index-url\":\"u\",\"index-url\":\"w\"}}")
                .contains("field `registry.index-url` appears twice"));
        // false then true would erase everywhere, true then false in one store: neither is taken
        assertTrue(badRequestMessage("{\"v\":1,\"kind\":\"erase\",\"registry\":{\"index-url\":\"u\"},\"all-stores\":false,"
                + "\"all-stores\":true}").contains("field `all-stores` appears twice"));
    }

    @Test
    void ignoresAnUnknownFieldSentTwiceAsCargoDoes() {
        accepted("{\"v\":1,\"kind\":\"status\",\"extra\":1,\"extra\":2}");
        accepted("{\"v\":1,\"kind\":\"get\",\"registry\":{\"index-url\":\"u\",\"x\":1,\"x\":[]}}");
    }

    @Test
    void acceptsAPairedSurrogateEscape() {
        RequestLine line = accepted("{\"v\":1,\"kind\":\"get\",\"registry\":{\"name\":\"r\\ud83d\\ude00\"}}");
        assertEquals(Registry.byName("r\ud83d\ude00"), ((Request.Get) line.request()).registry());
    }

    @Test
    void acceptsValidUtf8BeyondAscii() {
        RequestLine line = accepted("{\"v\":1,\"kind\":\"get\",\"registry\":{\"name\":\"r\u00e9gistre-\u4e2d\"},"
                + "\"note\":\"\\ud83d\\ude00 \ud83d\ude00\"}");
        assertEquals(Registry.byName("r\u00e9gistre-\u4e2d"), ((Request.Get) line.request()).registry());
    }

    @Test
    void readsOnlyTheGivenLengthOfTheBuffer() {
        byte[] buffer = (GET_READ + "garbage that a reused line buffer may still hold").getBytes(StandardCharsets.UTF_8);
        Incoming incoming = RequestCodec.parse(buffer, GET_READ.length());
        assertEquals(Request.Get.read(AUTHREG_REGISTRY), assertInstanceOf(RequestLine.class, incoming).request());
    }

    // ---- helpers ----

    private static RequestLine accepted(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        Incoming incoming = RequestCodec.parse(bytes, bytes.length);
        if (incoming instanceof Incoming.Rejected rejected) {
            throw new AssertionError("rejected: " + rejected.failure().message() + " <- " + line);
        }
        return (RequestLine) incoming;
    }

    private static Incoming.Rejected rejected(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        Incoming incoming = RequestCodec.parse(bytes, bytes.length);
        if (incoming instanceof RequestLine parsed) {
            throw new AssertionError("accepted as " + parsed.request() + " <- " + line);
        }
        return (Incoming.Rejected) incoming;
    }

    /** Asserts {@code line} is a bad request whose message is safe to show, and returns that message. */
    private static String badRequestMessage(String line) {
        Incoming.Rejected rejected = rejected(line);
        assertBadRequestWithoutToken(rejected);
        return rejected.failure().message();
    }

    private static void assertBadRequestWithoutToken(Incoming.Rejected rejected) {
        Response.Failure failure = rejected.failure();
        assertEquals(ErrorKind.BAD_REQUEST, failure.kind());
        assertNotNull(failure.message());
        assertFalse(failure.message().isBlank());
        assertFalse(failure.message().contains(TOKEN), failure.message());
        assertFalse(failure.message().contains("SECRET"), failure.message());
        // The rejection must also be writable as a response line without the token.
        String written = new String(ResponseCodec.write(rejected.id(), failure, Dialect.LATCHKEY), StandardCharsets.UTF_8);
        assertFalse(written.contains("SECRET"), written);
    }

    private static String written(RequestLine line) {
        return new String(RequestCodec.write(line), StandardCharsets.UTF_8);
    }

    private static byte[] concat(String head, byte[] middle, String tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(middle);
        out.writeBytes(tail.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }
}
