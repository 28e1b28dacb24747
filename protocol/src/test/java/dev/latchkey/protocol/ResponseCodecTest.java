package dev.latchkey.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden tests for response lines: the literal lines of cargo's credential-provider protocol
 * (what cargo 1.95 accepts from a provider) written in the CARGO dialect and read back as a
 * client, plus latchkey's own dialect with ids and extra fields.
 */
class ResponseCodecTest {
    static final String OK_GET_SESSION = "{\"Ok\":{\"kind\":\"get\",\"token\":\"sekrit\",\"cache\":\"session\",\"operation_independent\":true}}";
    static final String OK_GET_EXPIRES = "{\"Ok\":{\"kind\":\"get\",\"token\":\"sekrit\",\"cache\":\"expires\",\"expiration\":0,\"operation_independent\":true}}";
    static final String OK_GET_NEVER = "{\"Ok\":{\"kind\":\"get\",\"token\":\"sekrit\",\"cache\":\"never\",\"operation_independent\":false}}";
    static final String OK_LOGIN = "{\"Ok\":{\"kind\":\"login\"}}";
    static final String OK_LOGOUT = "{\"Ok\":{\"kind\":\"logout\"}}";
    static final String ERR_URL_NOT_SUPPORTED = "{\"Err\":{\"kind\":\"url-not-supported\"}}";
    static final String ERR_NOT_FOUND = "{\"Err\":{\"kind\":\"not-found\"}}";
    static final String ERR_OPERATION_NOT_SUPPORTED = "{\"Err\":{\"kind\":\"operation-not-supported\"}}";
    static final String ERR_OTHER = "{\"Err\":{\"kind\":\"other\",\"message\":\"free form string error message\",\"caused-by\":[\"cause 1\",\"cause 2\"]}}";
    /** The cargo-credential library's error round trip, wrapped as a response. */
    static final String ERR_OTHER_LIB = "{\"Err\":{\"kind\":\"other\",\"message\":\"E3\",\"caused-by\":[\"E2\",\"E1\"]}}";

    // ---- written in cargo's dialect: exactly cargo's lines ----

    @Test
    void writesCargosGetAnswersExactly() {
        assertEquals(OK_GET_SESSION + "\n", cargo(new Response.Got(sekrit(), CacheControl.SESSION, null, true, "file")));
        assertEquals(OK_GET_EXPIRES + "\n", cargo(new Response.Got(sekrit(), CacheControl.EXPIRES, 0L, true, "file")));
        assertEquals(OK_GET_NEVER + "\n", cargo(new Response.Got(sekrit(), CacheControl.NEVER, null, false, "memory")));
        assertEquals("{\"Ok\":{\"kind\":\"get\",\"token\":\"value\",\"cache\":\"expires\",\"expiration\":1693928537,"
                + "\"operation_independent\":true}}\n",
                cargo(new Response.Got(Secret.fromString("value"), CacheControl.EXPIRES, 1693928537L, true, null)));
    }

    @Test
    void writesCargosLoginAndLogoutAnswersWithoutLatchkeysExtras() {
        assertEquals(OK_LOGIN + "\n", cargo(new Response.Stored("login", "file")));
        assertEquals(OK_LOGOUT + "\n", cargo(new Response.Erased("logout", List.of("file", "cargo"))));
    }

    @Test
    void writesCargosThreeBareErrorKindsWithoutTheirMessages() {
        assertEquals(ERR_URL_NOT_SUPPORTED + "\n", cargo(Response.Failure.of(ErrorKind.URL_NOT_SUPPORTED, "not ours")));
        assertEquals(ERR_NOT_FOUND + "\n", cargo(Response.Failure.notFound("no token for `alt` in the file store")));
        assertEquals(ERR_NOT_FOUND + "\n", cargo(Response.Failure.notFound(null)));
        assertEquals(ERR_OPERATION_NOT_SUPPORTED + "\n", cargo(Response.Failure.of(ErrorKind.OPERATION_NOT_SUPPORTED, "unknown kind")));
    }

    @Test
    void writesOtherWithMessageAndCausedByAsCargosLibraryDoes() {
        assertEquals(ERR_OTHER + "\n", cargo(new Response.Failure(ErrorKind.OTHER, "free form string error message",
                List.of("cause 1", "cause 2"))));
        assertEquals(ERR_OTHER_LIB + "\n", cargo(new Response.Failure(ErrorKind.OTHER, "E3", List.of("E2", "E1"))));
        assertEquals("{\"Err\":{\"kind\":\"other\",\"message\":\"boom\",\"caused-by\":[]}}\n",
                cargo(Response.Failure.of(ErrorKind.OTHER, "boom")));
    }

    @Test
    void latchkeysOwnErrorKindsTravelToCargoAsOtherWithTheirMessage() {
        String locked = "the login keyring is locked: unlock it, or run `latchkey doctor`";
        assertEquals("{\"Err\":{\"kind\":\"other\",\"message\":\"" + locked + "\",\"caused-by\":[]}}\n",
                cargo(Response.Failure.of(ErrorKind.LOCKED, locked)));
        assertEquals("{\"Err\":{\"kind\":\"other\",\"message\":\"the token file is damaged\",\"caused-by\":[\"line 3\"]}}\n",
                cargo(new Response.Failure(ErrorKind.UNAVAILABLE, "the token file is damaged", List.of("line 3"))));
        assertEquals("{\"Err\":{\"kind\":\"other\",\"message\":\"access denied\",\"caused-by\":[]}}\n",
                cargo(Response.Failure.of(ErrorKind.DENIED, "access denied")));
        assertEquals("{\"Err\":{\"kind\":\"other\",\"message\":\"missing field `registry`\",\"caused-by\":[]}}\n",
                cargo(Response.Failure.badRequest("missing field `registry`")));
    }

    @Test
    void cargosDialectNeverWritesAnId() {
        // cargo fails on any top-level key but Ok and Err
        assertEquals(OK_LOGIN + "\n", str(ResponseCodec.write(RequestId.of("x"), new Response.Stored("login", "file"), Dialect.CARGO)));
        assertEquals(ERR_NOT_FOUND + "\n", str(ResponseCodec.write(RequestId.of(1), Response.Failure.notFound("none"), Dialect.CARGO)));
    }

    // ---- written in latchkey's dialect ----

    @Test
    void latchkeyDialectPutsTheIdFirstAndAddsTheStore() {
        assertEquals("{\"id\":\"g1\",\"Ok\":{\"kind\":\"get\",\"token\":\"sekrit\",\"cache\":\"session\","
                        + "\"operation_independent\":true,\"store\":\"file\"}}\n",
                latchkey(RequestId.of("g1"), new Response.Got(sekrit(), CacheControl.SESSION, null, true, "file")));
        assertEquals("{\"id\":2,\"Ok\":{\"kind\":\"store\",\"store\":\"memory\"}}\n",
                latchkey(RequestId.of(2), new Response.Stored("store", "memory")));
        assertEquals("{\"Ok\":{\"kind\":\"login\",\"store\":\"file\"}}\n", latchkey(null, new Response.Stored("login", "file")));
        assertEquals("{\"Ok\":{\"kind\":\"erase\",\"erased\":[\"file\",\"cargo\"]}}\n",
                latchkey(null, new Response.Erased("erase", List.of("file", "cargo"))));
    }

    @Test
    void latchkeyDialectKeepsItsErrorKindsAndMessages() {
        assertEquals("{\"id\":\"e\",\"Err\":{\"kind\":\"not-found\",\"message\":\"no token for `alt`\"}}\n",
                latchkey(RequestId.of("e"), Response.Failure.notFound("no token for `alt`")));
        assertEquals("{\"Err\":{\"kind\":\"not-found\"}}\n", latchkey(null, Response.Failure.notFound(null)));
        assertEquals("{\"Err\":{\"kind\":\"bad-request\",\"message\":\"missing field `kind`\"}}\n",
                latchkey(null, Response.Failure.badRequest("missing field `kind`")));
        assertEquals("{\"Err\":{\"kind\":\"locked\",\"message\":\"unlock it\"}}\n",
                latchkey(null, Response.Failure.of(ErrorKind.LOCKED, "unlock it")));
        assertEquals("{\"Err\":{\"kind\":\"unavailable\",\"message\":\"no bus\",\"caused-by\":[\"DBUS_SESSION_BUS_ADDRESS unset\"]}}\n",
                latchkey(null, new Response.Failure(ErrorKind.UNAVAILABLE, "no bus", List.of("DBUS_SESSION_BUS_ADDRESS unset"))));
        assertEquals("{\"Err\":{\"kind\":\"denied\",\"message\":\"peer uid differs\"}}\n",
                latchkey(null, Response.Failure.of(ErrorKind.DENIED, "peer uid differs")));
        assertEquals(ERR_OTHER + "\n", latchkey(null, new Response.Failure(ErrorKind.OTHER, "free form string error message",
                List.of("cause 1", "cause 2"))));
    }

    @Test
    void latchkeyDialectWritesListAndStatus() {
        Response.Listed listed = new Response.Listed(List.of(
                new Response.TokenInfo("sparse+https://h/i/", "company", "file", List.of(Operation.PUBLISH), 1893942857L, 1700000000L, 1700000001L),
                new Response.TokenInfo("https://github.com/rust-lang/crates.io-index", null, "cargo", List.of(), null, null, null)));
        String listLine = "{\"id\":1,\"Ok\":{\"kind\":\"list\",\"entries\":["
                + "{\"index-url\":\"sparse+https://h/i/\",\"name\":\"company\",\"store\":\"file\",\"operations\":[\"publish\"],"
                + "\"expiration\":1893942857,\"created\":1700000000,\"updated\":1700000001},"
                + "{\"index-url\":\"https://github.com/rust-lang/crates.io-index\",\"store\":\"cargo\",\"operations\":[]}]}}";
        assertEquals(listLine + "\n", latchkey(RequestId.of(1), listed));
        assertEquals(listed, parse(listLine).response());

        Response.StatusReport status = new Response.StatusReport("1.2.3", 4242, 17,
                List.of(new Response.StoreStatus("file", true, true, "plain-text token file"),
                        new Response.StoreStatus("keychain", false, false, null)));
        String statusLine = "{\"Ok\":{\"kind\":\"status\",\"version\":\"1.2.3\",\"pid\":4242,\"uptime\":17,\"stores\":["
                + "{\"name\":\"file\",\"usable\":true,\"writable\":true,\"detail\":\"plain-text token file\"},"
                + "{\"name\":\"keychain\",\"usable\":false,\"writable\":false}]}}";
        assertEquals(statusLine + "\n", latchkey(null, status));
        assertEquals(status, parse(statusLine).response());
    }

    @Test
    void warningsTravelInLatchkeysDialectAndNeverToCargo() {
        Response.Got got = new Response.Got(sekrit(), CacheControl.SESSION, null, false, "file",
                List.of("the token for `company` is 120 days old"));
        String line = "{\"Ok\":{\"kind\":\"get\",\"token\":\"sekrit\",\"cache\":\"session\",\"operation_independent\":false,"
                + "\"store\":\"file\",\"warnings\":[\"the token for `company` is 120 days old\"]}}";
        assertEquals(line + "\n", latchkey(null, got));
        assertEquals(List.of("the token for `company` is 120 days old"),
                assertInstanceOf(Response.Got.class, parse(line).response()).warnings());
        assertEquals("{\"Ok\":{\"kind\":\"get\",\"token\":\"sekrit\",\"cache\":\"session\",\"operation_independent\":false}}\n",
                cargo(got));
    }

    @Test
    void latchkeyDialectWritesRotateAndTheLifetimeOfListedTokens() {
        String rotated = "{\"Ok\":{\"kind\":\"rotate\",\"rotated\":[\"file\",\"libsecret\"]}}";
        assertEquals(rotated + "\n", latchkey(null, new Response.Rotated(List.of("file", "libsecret"))));
        assertEquals(new Response.Rotated(List.of("file", "libsecret")), parse(rotated).response());
        Response.Listed listed = new Response.Listed(List.of(new Response.TokenInfo("sparse+https://h/i/", "company", null, "file",
                List.of(), null, 1700000000L, 1700000100L, 1700000200L, 1700000100L, true)));
        String line = "{\"Ok\":{\"kind\":\"list\",\"entries\":[{\"index-url\":\"sparse+https://h/i/\",\"name\":\"company\","
                + "\"store\":\"file\",\"operations\":[],\"created\":1700000000,\"updated\":1700000100,\"last-used\":1700000200,"
                + "\"rotated\":1700000100,\"rotate-due\":true}]}}";
        assertEquals(line + "\n", latchkey(null, listed));
        assertEquals(listed, parse(line).response());
    }

    @Test
    void aListNamesLoginsAndTheStoresItCouldNotRead() {
        Response.Listed listed = new Response.Listed(List.of(new Response.TokenInfo(null, null, "https://alice@git.example/team",
                "libsecret", List.of(), null, null, null, null, null, false)),
                List.of(new Response.Unreadable("encrypted", ErrorKind.LOCKED, "set LATCHKEY_PASSPHRASE")));
        String line = "{\"Ok\":{\"kind\":\"list\",\"entries\":[{\"login\":\"https://alice@git.example/team\","
                + "\"store\":\"libsecret\",\"operations\":[]}],"
                + "\"unreadable\":[{\"store\":\"encrypted\",\"kind\":\"locked\",\"message\":\"set LATCHKEY_PASSPHRASE\"}]}}";
        assertEquals(line + "\n", latchkey(null, listed));
        assertEquals(listed, parse(line).response());
    }

    @Test
    void writesUtf8AndEscapesControlCharactersInMessages() {
        String line = latchkey(null, Response.Failure.badRequest("quote \" backslash \\ tab \t é"));
        assertEquals("{\"Err\":{\"kind\":\"bad-request\",\"message\":\"quote \\\" backslash \\\\ tab \\t é\"}}\n", line);
        assertEquals(1, line.split("\n", -1).length - 1, "one line, one newline");
    }

    // ---- parsed, as a client reads them ----

    @Test
    void parsesCargosGetAnswers() {
        Response.Got session = assertInstanceOf(Response.Got.class, parse(OK_GET_SESSION).response());
        assertEquals("sekrit", session.token().reveal());
        assertEquals(CacheControl.SESSION, session.cache());
        assertNull(session.expiration());
        assertTrue(session.operationIndependent());
        assertNull(session.store());

        Response.Got expires = assertInstanceOf(Response.Got.class, parse(OK_GET_EXPIRES).response());
        assertEquals(CacheControl.EXPIRES, expires.cache());
        assertEquals(0L, expires.expiration());

        Response.Got never = assertInstanceOf(Response.Got.class, parse(OK_GET_NEVER).response());
        assertEquals(CacheControl.NEVER, never.cache());
        assertFalse(never.operationIndependent());
        assertNull(parse(OK_GET_NEVER).id());
    }

    @Test
    void parsesCargosLoginLogoutAndErrors() {
        assertEquals(new Response.Stored("login", null), parse(OK_LOGIN).response());
        assertEquals(new Response.Erased("logout", List.of()), parse(OK_LOGOUT).response());
        assertEquals(new Response.Failure(ErrorKind.URL_NOT_SUPPORTED, null, List.of()), parse(ERR_URL_NOT_SUPPORTED).response());
        assertEquals(new Response.Failure(ErrorKind.NOT_FOUND, null, List.of()), parse(ERR_NOT_FOUND).response());
        assertEquals(new Response.Failure(ErrorKind.OPERATION_NOT_SUPPORTED, null, List.of()), parse(ERR_OPERATION_NOT_SUPPORTED).response());
        assertEquals(new Response.Failure(ErrorKind.OTHER, "free form string error message", List.of("cause 1", "cause 2")),
                parse(ERR_OTHER).response());
        assertEquals(new Response.Failure(ErrorKind.OTHER, "E3", List.of("E2", "E1")), parse(ERR_OTHER_LIB).response());
        // caused-by is optional on input
        assertEquals(Response.Failure.of(ErrorKind.OTHER, "boom"), parse("{\"Err\":{\"kind\":\"other\",\"message\":\"boom\"}}").response());
    }

    @Test
    void everyLiteralLineSurvivesParseThenWriteInCargosDialect() {
        for (String line : List.of(OK_GET_SESSION, OK_GET_EXPIRES, OK_GET_NEVER, OK_LOGIN, OK_LOGOUT, ERR_URL_NOT_SUPPORTED,
                ERR_NOT_FOUND, ERR_OPERATION_NOT_SUPPORTED, ERR_OTHER, ERR_OTHER_LIB)) {
            assertEquals(line + "\n", cargo(parse(line).response()), line);
        }
    }

    @Test
    void parsesTheIdOfLatchkeysDialect() {
        assertEquals(RequestId.of("g1"), parse("{\"id\":\"g1\",\"Ok\":{\"kind\":\"login\"}}").id());
        assertEquals(RequestId.of(9), parse("{\"Err\":{\"kind\":\"not-found\"},\"id\":9}").id());
    }

    @Test
    void ignoresUnknownFieldsInsideOkAndErr() {
        // the cargo-credential library's own test lines, wrapped
        Response.Got got = assertInstanceOf(Response.Got.class, parse("{\"Ok\":{\"kind\":\"get\",\"token\":\"value\",\"cache\":\"never\","
                + "\"operation_independent\":true,\"extra-field-ignored\":123}}").response());
        assertEquals("value", got.token().reveal());
        assertEquals(new Response.Stored("login", null), parse("{\"Ok\":{\"kind\":\"login\",\"extra-data\":true}}").response());
        assertEquals(new Response.Failure(ErrorKind.NOT_FOUND, null, List.of()),
                parse("{\"Err\":{\"kind\":\"not-found\",\"unexpected-content\":{\"nested\":[1,2]}}}").response());
    }

    @Test
    void readsAnUnknownCacheValueAsNeverLikeCargo() {
        Response.Got got = assertInstanceOf(Response.Got.class, parse(
                "{\"Ok\":{\"kind\":\"get\",\"token\":\"sekrit\",\"cache\":\"weird\",\"operation_independent\":true}}").response());
        assertEquals(CacheControl.NEVER, got.cache());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // the wrapper: exactly one key, Ok or Err, with that case (plus latchkey's id)
        "{\"ok\":{\"kind\":\"login\"}}",
        "{\"OK\":{\"kind\":\"login\"}}",
        "{\"err\":{\"kind\":\"not-found\"}}",
        "{\"Ok\":{\"kind\":\"login\"},\"extra2\":true}",
        "{\"extra2\":true,\"Ok\":{\"kind\":\"login\"}}",
        "{\"Ok\":{\"kind\":\"login\"},\"Err\":{\"kind\":\"not-found\"}}",
        "{\"Ok\":{\"kind\":\"login\"},\"Ok\":{\"kind\":\"logout\"}}",
        "{}",
        "{\"id\":1}",
        "{\"Ok\":null}",
        "{\"Ok\":\"login\"}",
        "{\"Err\":[\"not-found\"]}",
        "[{\"Ok\":{\"kind\":\"login\"}}]",
        "{\"kind\":\"get\",\"token\":\"sekrit\",\"cache\":\"session\",\"operation_independent\":true}",
        "{\"Ok\":{\"kind\":\"login\"}} trailing",
        "{\"Ok\":{\"kind\":\"login\"}}{\"Ok\":{\"kind\":\"login\"}}",
        "not json",
        "",
        // Err contents
        "{\"Err\":{\"kind\":\"unexpected-kind\",\"unexpected-content\":\"test\"}}",
        "{\"Err\":{\"kind\":\"Not-Found\"}}",
        "{\"Err\":{}}",
        "{\"Err\":{\"kind\":\"other\"}}",
        "{\"Err\":{\"kind\":\"other\",\"caused-by\":[\"x\"]}}",
        "{\"Err\":{\"kind\":\"other\",\"message\":7}}",
        "{\"Err\":{\"kind\":\"other\",\"message\":\"m\",\"caused-by\":\"x\"}}",
        // Ok contents
        "{\"Ok\":{}}",
        "{\"Ok\":{\"kind\":\"unknown-kind\",\"extra-data\":true}}",
        "{\"Ok\":{\"kind\":\"get\",\"token\":\"sekrit\",\"cache\":\"expires\",\"operation_independent\":true}}",
        "{\"Ok\":{\"kind\":\"get\",\"token\":\"sekrit\",\"cache\":\"expires\",\"expiration\":1893942857.0,\"operation_independent\":true}}",
        "{\"Ok\":{\"kind\":\"get\",\"token\":\"sekrit\",\"cache\":\"expires\",\"expiration\":\"1893942857\",\"operation_independent\":true}}",
        "{\"Ok\":{\"kind\":\"get\",\"token\":\"sekrit\",\"cache\":\"session\"}}",
        "{\"Ok\":{\"kind\":\"get\",\"token\":\"sekrit\",\"operation_independent\":true}}",
        "{\"Ok\":{\"kind\":\"get\",\"cache\":\"session\",\"operation_independent\":true}}",
        "{\"Ok\":{\"kind\":\"get\",\"token\":\"sekrit\",\"cache\":\"session\",\"operation_independent\":\"true\"}}",
        "{\"Ok\":{\"kind\":\"get\",\"token\":7,\"cache\":\"session\",\"operation_independent\":true}}",
        "{\"id\":{\"n\":1},\"Ok\":{\"kind\":\"login\"}}",
    })
    void rejectsWhatCargoWouldNotRead(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> ResponseCodec.parse(bytes, bytes.length));
        assertFalse(e.getMessage().contains("sekrit"), e.getMessage());
    }

    // ---- helpers ----

    private static Secret sekrit() {
        return Secret.fromString("sekrit");
    }

    private static String cargo(Response response) {
        return str(ResponseCodec.write(null, response, Dialect.CARGO));
    }

    private static String latchkey(RequestId id, Response response) {
        return str(ResponseCodec.write(id, response, Dialect.LATCHKEY));
    }

    private static ResponseCodec.ResponseLine parse(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        try {
            return ResponseCodec.parse(bytes, bytes.length);
        } catch (MalformedMessageException e) {
            throw new AssertionError(e.getMessage() + " <- " + line, e);
        }
    }

    private static String str(byte[] line) {
        return new String(line, StandardCharsets.UTF_8);
    }
}
