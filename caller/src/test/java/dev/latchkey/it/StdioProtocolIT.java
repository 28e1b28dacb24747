package dev.latchkey.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static dev.latchkey.it.LatchkeyProcess.configFile;
import static dev.latchkey.it.LatchkeyProcess.run;
import static dev.latchkey.it.LatchkeyProcess.tokenFile;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real program, started as {@code java -jar latchkey.jar}: {@code latchkey stdio} (docs/protocol.md),
 * {@code latchkey --cargo-plugin} (docs/protocol.md) and the CLI's exit statuses (docs/man/latchkey.1), each in a
 * private home. Response lines are read here with a plain JSON reader, not latchkey's codec, so
 * the shape checks do not trust the code under test.
 */
class StdioProtocolIT {
    private static final String INDEX = "sparse+http://127.0.0.1:9/index/";
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final String REGISTRY = "{\"index-url\":\"" + INDEX + "\",\"name\":\"pipelined\"}";
    private static final String OTHER_INDEX = "sparse+http://127.0.0.1:9/other/";
    private static final String TOKEN = "stdio-token-6c1e0b";
    private static final String CRATES_IO = "{\"index-url\":\"https://github.com/rust-lang/crates.io-index\",\"name\":\"crates-io\"}";

    // ---- latchkey stdio ----

    @Test
    void helloComesFirstThenPipelinedRequestsAreAnsweredInOrderWithTheirIds(@TempDir Path home) {
        try (LatchkeyProcess latchkey = LatchkeyProcess.start(home, "stdio")) {
            String hello = latchkey.readLine(); // read before anything is sent: the server speaks first
            assertTrue(hello.matches("\\{\"v\":\\[1],\"server\":\"latchkey/[^\"]+\"}"), hello);
            String version = hello.substring(hello.indexOf("latchkey/") + "latchkey/".length(), hello.length() - 2);

            latchkey.send(
                    "{\"v\":1,\"id\":1,\"kind\":\"store\",\"registry\":" + REGISTRY + ",\"token\":\"" + TOKEN + "\"}",
                    "{\"v\":1,\"id\":\"get-1\",\"kind\":\"get\",\"registry\":" + REGISTRY + "}",
                    "{\"v\":1,\"id\":9007199254740993,\"kind\":\"list\"}",
                    "{\"v\":1,\"id\":4,\"kind\":\"erase\",\"registry\":" + REGISTRY + "}",
                    "{\"v\":1,\"id\":\"get-2\",\"kind\":\"get\",\"registry\":" + REGISTRY + "}",
                    "{\"v\":1,\"id\":6,\"kind\":\"status\"}",
                    "{\"v\":1,\"kind\":\"get\",\"registry\":" + REGISTRY + "}",
                    "{\"v\":1,\"kind\":\"status\"}");

            assertEquals("{\"id\":1,\"Ok\":{\"kind\":\"store\",\"store\":\"file\"}}", latchkey.readLine());
            assertEquals("{\"id\":\"get-1\",\"Ok\":{\"kind\":\"get\",\"token\":\"" + TOKEN + "\",\"cache\":\"session\","
                    + "\"operation_independent\":true,\"store\":\"file\"}}", latchkey.readLine());

            String listLine = latchkey.readLine();
            Map<String, Object> list = ok(listLine, 9007199254740993L);
            assertFalse(listLine.contains(TOKEN), "list never shows a token: " + listLine);
            List<?> entries = assertInstanceOf(List.class, list.get("entries"));
            assertEquals(1, entries.size(), listLine);
            Map<?, ?> entry = assertInstanceOf(Map.class, entries.get(0));
            assertEquals(INDEX, entry.get("index-url"));
            assertEquals("pipelined", entry.get("name"));
            assertEquals("file", entry.get("store"));
            assertEquals(List.of(), entry.get("operations"));
            assertInstanceOf(Long.class, entry.get("created"));
            assertFalse(entry.containsKey("token"));

            assertEquals("{\"id\":4,\"Ok\":{\"kind\":\"erase\",\"erased\":[\"file\"]}}", latchkey.readLine());
            assertTrue(err(latchkey.readLine(), "get-2", "not-found").get("message") instanceof String);

            Map<String, Object> status = ok(latchkey.readLine(), 6L);
            assertEquals("status", status.get("kind"));
            assertEquals(version, status.get("version"));
            assertEquals(latchkey.pid(), status.get("pid"));
            List<String> storeNames = new ArrayList<>();
            for (Object store : assertInstanceOf(List.class, status.get("stores"))) {
                storeNames.add((String) ((Map<?, ?>) store).get("name"));
            }
            assertTrue(storeNames.containsAll(List.of("env", "file", "cargo", "memory")), storeNames.toString());

            // Without an id the answer is exactly one key, so it is also a valid cargo response.
            String noIdGet = latchkey.readLine();
            assertEquals(Set.of("Err"), object(noIdGet).keySet(), noIdGet);
            err(noIdGet, null, "not-found");
            String noIdStatus = latchkey.readLine();
            assertEquals(Set.of("Ok"), object(noIdStatus).keySet(), noIdStatus);

            latchkey.closeStdin();
            assertEquals(0, latchkey.awaitExit(), latchkey.stderr());
            assertEquals(List.of(), latchkey.unreadLines());
            assertFalse(latchkey.stderr().contains(TOKEN), latchkey.stderr());
        }
    }

    @Test
    void answersEachErrorKindItProducesByKind(@TempDir Path home) {
        try (LatchkeyProcess latchkey = LatchkeyProcess.start(home, "stdio")) {
            latchkey.readLine();
            latchkey.send(
                    "{\"v\":1,\"id\":\"nf\",\"kind\":\"get\",\"registry\":{\"index-url\":\"" + OTHER_INDEX + "\"}}",
                    "{\"v\":1,\"id\":\"kind\",\"kind\":\"transmogrify\",\"registry\":" + REGISTRY + "}",
                    "{\"v\":1,\"id\":\"op\",\"kind\":\"get\",\"operation\":\"transfer\",\"registry\":" + REGISTRY + "}",
                    "{\"v\":1,\"id\":\"json\",\"kind\":",
                    "{\"v\":1,\"id\":\"name\",\"kind\":\"get\",\"registry\":{\"name\":\"no-such-registry\"}}",
                    "{\"v\":1,\"id\":\"store\",\"kind\":\"store\",\"registry\":" + REGISTRY + ",\"token\":\"" + TOKEN
                            + "\",\"store\":\"no-such-store\"}",
                    "{\"v\":1,\"id\":\"ro\",\"kind\":\"store\",\"registry\":" + REGISTRY + ",\"token\":\"" + TOKEN
                            + "\",\"store\":\"env\"}");
            err(latchkey.readLine(), "nf", "not-found");
            err(latchkey.readLine(), "kind", "operation-not-supported");
            err(latchkey.readLine(), "op", "operation-not-supported");
            err(latchkey.readLine(), "json", "bad-request");
            assertTrue(message(err(latchkey.readLine(), "name", "bad-request")).contains("no-such-registry"));
            assertTrue(message(err(latchkey.readLine(), "store", "bad-request")).contains("no-such-store"));
            assertTrue(message(err(latchkey.readLine(), "ro", "bad-request")).contains("read-only"));
            latchkey.closeStdin();
            assertEquals(0, latchkey.awaitExit(), latchkey.stderr());
            assertFalse(latchkey.stdout().contains(TOKEN));
            assertFalse(latchkey.stderr().contains(TOKEN));
            assertFalse(Files.exists(tokenFile(home)), "no request above may have stored a token");
        }
    }

    @Test
    void aDamagedTokenFileIsUnavailableAndLeftByteForByteUntouched(@TempDir Path home) throws IOException {
        byte[] damaged = "# edited by hand\n[[token]\nindex-url = \"sparse+http://127.0.0.1:9/index/\"\ntoken = \"older\"\n"
                .getBytes(StandardCharsets.UTF_8);
        Files.createDirectories(tokenFile(home).getParent());
        Files.write(Files.createFile(tokenFile(home), OWNER_ONLY), damaged); // damaged, not opened to others
        // The user's registry, bound where latchkey trusts its name: cargo's file keeps its token by it.
        Files.createDirectories(configFile(home).getParent());
        Files.writeString(configFile(home), "[registries.pipelined]\nindex = \"" + INDEX + "\"\n");
        try (LatchkeyProcess latchkey = LatchkeyProcess.start(home, "stdio")) {
            latchkey.readLine();
            latchkey.send(
                    "{\"v\":1,\"id\":1,\"kind\":\"store\",\"registry\":" + REGISTRY + ",\"token\":\"" + TOKEN + "\"}",
                    "{\"v\":1,\"id\":2,\"kind\":\"get\",\"registry\":" + REGISTRY + "}",
                    "{\"v\":1,\"id\":3,\"kind\":\"erase\",\"registry\":" + REGISTRY + "}",
                    "{\"v\":1,\"id\":4,\"kind\":\"store\",\"registry\":" + REGISTRY + ",\"token\":\"" + TOKEN + "\",\"store\":\"cargo\"}");
            String message = message(err(latchkey.readLine(), 1L, "unavailable"));
            assertTrue(message.contains(tokenFile(home).toString()), message);
            assertTrue(message.contains("damaged"), message);
            err(latchkey.readLine(), 2L, "unavailable");
            err(latchkey.readLine(), 3L, "unavailable");
            // the other stores still work
            assertEquals("{\"id\":4,\"Ok\":{\"kind\":\"store\",\"store\":\"cargo\"}}", latchkey.readLine());
            latchkey.closeStdin();
            assertEquals(0, latchkey.awaitExit(), latchkey.stderr());
        }
        assertArrayEquals(damaged, Files.readAllBytes(tokenFile(home)));
        try (var beside = Files.list(tokenFile(home).getParent())) {
            // the lock file may appear; a temporary copy or a replacement may not
            assertEquals(Set.of("tokens.toml"), beside.map(p -> p.getFileName().toString())
                    .filter(name -> !name.equals(".tokens.toml.lock")).collect(Collectors.toSet()));
        }
    }

    @Test
    void aBrokenConfigFileIsNamedWithItsLineAndTheSessionExits2(@TempDir Path home) throws IOException {
        Files.createDirectories(configFile(home).getParent());
        Files.writeString(configFile(home), "# latchkey\nstores = [\"file\"]\n[registries.company\nindex = \"" + INDEX + "\"\n");
        try (LatchkeyProcess latchkey = LatchkeyProcess.start(home, "stdio")) {
            assertTrue(latchkey.readLine().startsWith("{\"v\":[1],"), "the hello comes before the config is read");
            latchkey.send("{\"v\":1,\"id\":1,\"kind\":\"status\"}",
                    "{\"v\":1,\"id\":2,\"kind\":\"store\",\"registry\":" + REGISTRY + ",\"token\":\"" + TOKEN + "\"}");
            for (long id = 1; id <= 2; id++) {
                String message = message(err(latchkey.readLine(), id, "bad-request"));
                assertTrue(message.contains(configFile(home) + ":3:"), message);
            }
            latchkey.closeStdin();
            assertEquals(2, latchkey.awaitExit(), latchkey.stderr());
            assertFalse(Files.exists(tokenFile(home)));
        }
    }

    @Test
    void survivesAHostileInputBatteryThenStillAnswersAndExits0(@TempDir Path home) throws IOException {
        try (LatchkeyProcess latchkey = LatchkeyProcess.start(home, "stdio")) {
            latchkey.readLine();
            List<String> answers = feed(latchkey, hostileProbes(), false);

            // After all of that, the same process still serves correctly.
            latchkey.write(("{\"v\":1,\"id\":\"store\",\"kind\":\"store\",\"registry\":" + REGISTRY + ",\"token\":\"" + VALID
                    + "\"}\r\n").getBytes(StandardCharsets.UTF_8));
            latchkey.send("{\"v\":1,\"id\":\"get\",\"kind\":\"get\",\"registry\":" + REGISTRY + "}",
                    "{\"v\":1,\"id\":\"list\",\"kind\":\"list\"}");
            assertEquals("{\"id\":\"store\",\"Ok\":{\"kind\":\"store\",\"store\":\"file\"}}", latchkey.readLine());
            assertEquals("{\"id\":\"get\",\"Ok\":{\"kind\":\"get\",\"token\":\"" + VALID + "\",\"cache\":\"session\","
                    + "\"operation_independent\":true,\"store\":\"file\"}}", latchkey.readLine());
            String list = latchkey.readLine();
            assertEquals(1, assertInstanceOf(List.class, ok(list, "list").get("entries")).size(), list);

            // A last request without its \n is still a request.
            latchkey.write(("{\"v\":1,\"id\":\"last\",\"kind\":\"get\",\"registry\":" + REGISTRY + "}")
                    .getBytes(StandardCharsets.UTF_8));
            latchkey.closeStdin();
            assertEquals(VALID, ok(latchkey.readLine(), "last").get("token"));
            assertEquals(0, latchkey.awaitExit(), latchkey.stderr());
            assertNothingHostileLeaked(home, latchkey, answers);
        }
    }

    @Test
    void cargoPluginSurvivesTheSameBatteryThenStillAnswersAndExits0(@TempDir Path home) throws IOException {
        try (LatchkeyProcess latchkey = LatchkeyProcess.start(home, "--cargo-plugin")) {
            exactly(latchkey, "{\"v\":[1]}");
            List<String> answers = feed(latchkey, hostileProbes(), true);

            latchkey.write(("{\"v\":1,\"registry\":" + REGISTRY + ",\"kind\":\"login\",\"token\":\"" + VALID
                    + "\"}\r\n").getBytes(StandardCharsets.UTF_8));
            exactly(latchkey, "{\"Ok\":{\"kind\":\"login\"}}");
            String get = "{\"v\":1,\"registry\":" + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\"}";
            String got = "{\"Ok\":{\"kind\":\"get\",\"token\":\"" + VALID + "\",\"cache\":\"session\",\"operation_independent\":true}}";
            latchkey.send(get);
            exactly(latchkey, got);

            latchkey.write(get.getBytes(StandardCharsets.UTF_8)); // no \n before the end of input
            latchkey.closeStdin();
            exactly(latchkey, got);
            assertEquals(0, latchkey.awaitExit(), latchkey.stderr());
            assertNothingHostileLeaked(home, latchkey, answers);
        }
    }

    private static final String HOSTILE = "HOSTILE-TOKEN-93b1";
    private static final String VALID = "valid-token-5d2e";

    /** Hostile lines, each with the error kind latchkey's protocol answers it with. */
    private static List<Probe> hostileProbes() {
        String hostile = HOSTILE;
        String head = "{\"v\":1,\"kind\":\"store\",\"registry\":" + REGISTRY + ",\"token\":";
        return List.of(
                new Probe("malformed JSON", line(head + "\"" + hostile + "\""), "bad-request"),
                new Probe("not JSON at all", line("hello latchkey, " + hostile), "bad-request"),
                new Probe("a 1 MiB line", line(head + "\"" + hostile + "x".repeat(1024 * 1024) + "\"}"), "bad-request"),
                new Probe("a 100 MB line", hundredMegabytes(head + "\"" + hostile), "bad-request"),
                new Probe("invalid UTF-8 in the token", bytes(head + "\"" + hostile, new byte[] {(byte) 0xff}, "\"}\n"), "bad-request"),
                new Probe("an overlong '/' in the token", bytes(head + "\"" + hostile, new byte[] {(byte) 0xc0, (byte) 0xaf}, "\"}\n"),
                        "bad-request"),
                new Probe("bare invalid UTF-8", bytes("", new byte[] {(byte) 0xfe, (byte) 0xff, (byte) 0x80}, "\n"), "bad-request"),
                new Probe("a lone surrogate escape in the registry", line("{\"v\":1,\"kind\":\"get\",\"registry\":"
                        + "{\"index-url\":\"sparse+http://127.0.0.1:9/\\ud800/\"}}"), "bad-request"),
                new Probe("100,000 [", line("[".repeat(100_000)), "bad-request"),
                new Probe("deep nesting in a field", line("{\"v\":1,\"kind\":\"status\",\"x\":" + "[".repeat(10_000)
                        + "]".repeat(10_000) + "}"), "bad-request"),
                new Probe("unknown kind", line("{\"v\":1,\"kind\":\"exfiltrate\",\"registry\":" + REGISTRY + "}"), "operation-not-supported"),
                new Probe("unknown operation", line("{\"v\":1,\"kind\":\"get\",\"operation\":\"transfer\",\"registry\":" + REGISTRY + "}"),
                        "operation-not-supported"),
                new Probe("missing registry", line("{\"v\":1,\"kind\":\"store\",\"token\":\"" + hostile + "\"}"), "bad-request"),
                new Probe("registry without index-url or name", line("{\"v\":1,\"kind\":\"get\",\"registry\":{}}"), "bad-request"),
                new Probe("empty token", line(head + "\"\"}"), "bad-request"),
                new Probe("a token holding \\n", line(head + "\"" + hostile + "\\nsecond-line\"}"), "bad-request"),
                new Probe("a token holding NUL", line(head + "\"" + hostile + "\\u0000\"}"), "bad-request"),
                new Probe("a token holding non-ASCII", line(head + "\"" + hostile + "\\u00e9\"}"), "bad-request"),
                new Probe("a raw NUL byte in the token", bytes(head + "\"" + hostile, new byte[] {0}, "\"}\n"), "bad-request"),
                new Probe("v as a string", line("{\"v\":\"1\",\"kind\":\"status\"}"), "bad-request"),
                new Probe("registry as an array", line("{\"v\":1,\"kind\":\"get\",\"registry\":[\"" + INDEX + "\"]}"), "bad-request"),
                new Probe("registry as a string", line("{\"v\":1,\"kind\":\"get\",\"registry\":\"" + INDEX + "\"}"), "bad-request"),
                new Probe("token as a number", line(head + "12345}"), "bad-request"),
                new Probe("id as an object", line("{\"v\":1,\"id\":{\"n\":1},\"kind\":\"status\"}"), "bad-request"),
                new Probe("id as a fraction", line("{\"v\":1,\"id\":1.5,\"kind\":\"status\"}"), "bad-request"),
                new Probe("id as a boolean", line("{\"v\":1,\"id\":true,\"kind\":\"status\"}"), "bad-request"),
                new Probe("an id past 2^63", line("{\"v\":1,\"id\":123456789012345678901234567890,\"kind\":\"status\"}"), "bad-request"),
                new Probe("a number of 60,000 digits", line("{\"v\":1,\"kind\":\"status\",\"x\":" + "9".repeat(60_000) + "}"),
                        "bad-request"),
                new Probe("v 2", line("{\"v\":2,\"kind\":\"status\"}"), "bad-request"),
                new Probe("v 1e400", line("{\"v\":1e400,\"kind\":\"status\"}"), "bad-request"),
                new Probe("kind sent twice", line("{\"v\":1,\"kind\":\"get\",\"kind\":\"erase\",\"registry\":" + REGISTRY + "}"),
                        "bad-request"),
                new Probe("token sent twice", line(head + "\"" + hostile + "\",\"token\":\"" + hostile + "2\"}"), "bad-request"),
                new Probe("only spaces", line("     "), null),
                new Probe("an empty line", line(""), null),
                new Probe("a bare CRLF", "\r\n".getBytes(StandardCharsets.UTF_8), null),
                new Probe("a JSON array", line("[{\"v\":1,\"kind\":\"status\"}]"), "bad-request"),
                new Probe("two objects on a line", line(head + "\"" + hostile + "\"}{\"v\":1,\"kind\":\"status\"}"), "bad-request"),
                new Probe("CRLF ending", ("{\"v\":1,\"id\":\"crlf\",\"kind\":\"get\",\"registry\":" + REGISTRY + "}\r\n")
                        .getBytes(StandardCharsets.UTF_8), "not-found"));
    }

    /** A store line padded with 100 MB inside the token, with its closing quote and brace. */
    private static byte[] hundredMegabytes(String head) {
        byte[] line = new byte[100 * 1024 * 1024];
        Arrays.fill(line, (byte) 'x');
        byte[] start = head.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(start, 0, line, 0, start.length);
        byte[] end = "\"}\n".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(end, 0, line, line.length - end.length, end.length);
        return line;
    }

    /**
     * Writes every probe, then reads one answer per probe that is a request: one JSON line with
     * exactly the keys its dialect allows, of the expected kind, with a message where one is due.
     * cargo's dialect answers latchkey's own kinds as {@code other}, and echoes no id.
     */
    private static List<String> feed(LatchkeyProcess latchkey, List<Probe> probes, boolean cargo) {
        for (Probe probe : probes) {
            latchkey.write(probe.line());
        }
        List<String> answers = new ArrayList<>();
        for (Probe probe : probes) {
            if (probe.expected() == null) {
                continue; // a blank line is not a request and gets no answer
            }
            String answer = latchkey.readLine();
            answers.add(answer);
            Map<String, Object> response = response(answer);
            String kind = cargo && !CARGO_ERROR_KINDS.contains(probe.expected()) ? "other" : probe.expected();
            Map<?, ?> error = assertInstanceOf(Map.class, response.get("Err"), probe.what() + ": " + answer);
            assertEquals(kind, error.get("kind"), probe.what() + ": " + answer);
            if (cargo) {
                assertFalse(response.containsKey("id"), probe.what() + ": " + answer);
                Set<String> keys = kind.equals("other") ? Set.of("kind", "message", "caused-by") : Set.of("kind");
                assertEquals(keys, error.keySet(), probe.what() + ": " + answer);
            }
            if (kind.equals("bad-request") || kind.equals("other") || !cargo) {
                assertFalse(message(error).isBlank(), probe.what() + ": " + answer);
            }
            if (!cargo && probe.what().equals("CRLF ending")) {
                assertEquals("crlf", response.get("id"), answer);
            }
        }
        return answers;
    }

    private static final Set<String> CARGO_ERROR_KINDS = Set.of("not-found", "url-not-supported", "operation-not-supported", "other");

    private static void assertNothingHostileLeaked(Path home, LatchkeyProcess latchkey, List<String> answers) throws IOException {
        assertEquals(List.of(), latchkey.unreadLines(), "one answer per request, nothing more");
        for (String answer : answers) {
            assertFalse(answer.contains(HOSTILE), answer);
        }
        assertFalse(latchkey.stderr().contains(HOSTILE), latchkey.stderr());
        assertFalse(latchkey.stderr().contains(VALID), latchkey.stderr());
        String stored = Files.readString(tokenFile(home));
        assertFalse(stored.contains(HOSTILE), "no hostile line stored a token");
        assertTrue(stored.contains(VALID));
    }

    // ---- latchkey --cargo-plugin ----

    @Test
    void cargoPluginModeAnswersCargosLinesExactly(@TempDir Path home) throws IOException {
        String cargo = "\"args\":[\"--store\",\"cargo\"]";
        String file = "\"args\":[\"--store\",\"file\"]";
        String fileToken = "file-token-a41f";
        List<String> expected = new ArrayList<>();
        try (LatchkeyProcess latchkey = LatchkeyProcess.start(home, "--cargo-plugin")) {
            expected.add(exactly(latchkey, "{\"v\":[1]}"));

            // cargo's own file_provider example, served from cargo's own credentials file
            latchkey.send("{\"v\": 1,\"registry\": " + CRATES_IO + ",\"kind\": \"login\",\"token\": \"s3krit\"," + cargo + "}");
            expected.add(exactly(latchkey, "{\"Ok\":{\"kind\":\"login\"}}"));
            latchkey.send("{\"v\": 1,\"registry\": " + CRATES_IO + ",\"kind\": \"get\",\"operation\": \"read\"," + cargo + "}");
            expected.add(exactly(latchkey, "{\"Ok\":{\"kind\":\"get\",\"token\":\"s3krit\",\"cache\":\"session\",\"operation_independent\":true}}"));
            assertFalse(Files.exists(tokenFile(home)), "--store cargo keeps the token out of the file store");
            latchkey.send("{\"v\":1,\"registry\":" + CRATES_IO + ",\"kind\":\"logout\"," + cargo + "}");
            expected.add(exactly(latchkey, "{\"Ok\":{\"kind\":\"logout\"}}"));
            latchkey.send("{\"v\":1,\"registry\":" + CRATES_IO + ",\"kind\":\"get\",\"operation\":\"read\"," + cargo + "}");
            expected.add(exactly(latchkey, "{\"Err\":{\"kind\":\"not-found\"}}"));
            latchkey.send("{\"v\":1,\"registry\":" + CRATES_IO + ",\"kind\":\"logout\"," + cargo + "}");
            expected.add(exactly(latchkey, "{\"Err\":{\"kind\":\"not-found\"}}"));

            // --store file: the token lands in the file store and only there
            latchkey.send("{\"v\":1,\"registry\":" + REGISTRY + ",\"kind\":\"login\",\"token\":\"" + fileToken
                    + "\",\"login-url\":\"http://127.0.0.1:9/me\"," + file + "}");
            expected.add(exactly(latchkey, "{\"Ok\":{\"kind\":\"login\"}}"));
            assertTrue(Files.readString(tokenFile(home)).contains(fileToken));
            latchkey.send("{\"v\":1,\"registry\":" + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\"," + cargo + "}");
            expected.add(exactly(latchkey, "{\"Err\":{\"kind\":\"not-found\"}}"));
            latchkey.send("{\"v\":1,\"registry\":" + REGISTRY + ",\"kind\":\"get\",\"operation\":\"publish\",\"name\":\"foo\","
                    + "\"vers\":\"0.1.1\",\"cksum\":\"e27fd39ca9d793ec2b2dcd213a0717955ea3a10ea332ce988f1c63305c57e55f\"," + file + "}");
            expected.add(exactly(latchkey, "{\"Ok\":{\"kind\":\"get\",\"token\":\"" + fileToken
                    + "\",\"cache\":\"session\",\"operation_independent\":true}}"));

            // cargo's unknown kind, and latchkey's own error kinds sent as cargo's `other`
            latchkey.send("{\"v\":1,\"registry\":{\"index-url\":\"\"},\"kind\":\"unexpected-1\",\"extra-1\":true,\"args\":[]}");
            expected.add(exactly(latchkey, "{\"Err\":{\"kind\":\"operation-not-supported\"}}"));
            latchkey.send("{\"v\":1,\"registry\":");
            String badRequest = latchkey.readLine();
            expected.add(badRequest);
            assertEquals(Set.of("kind", "message", "caused-by"), cargoOther(badRequest).keySet());
            Files.writeString(tokenFile(home), "[[token]\n");
            latchkey.send("{\"v\":1,\"registry\":" + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\"," + file + "}");
            String unavailable = latchkey.readLine();
            expected.add(unavailable);
            String message = message(cargoOther(unavailable));
            assertTrue(message.contains("damaged") && message.contains(tokenFile(home).toString()), message);

            latchkey.closeStdin();
            assertEquals(0, latchkey.awaitExit(), latchkey.stderr());
            assertEquals(String.join("\n", expected) + "\n", latchkey.stdout(), "nothing on stdout but protocol lines");
            assertFalse(latchkey.stderr().contains("s3krit") || latchkey.stderr().contains(fileToken), latchkey.stderr());
        }
    }

    /** Arguments from `cargo login -- ...` that latchkey does not know are named, but a token among them is not. */
    @Test
    void cargoPluginNamesIgnoredArgumentsWithoutRepeatingThem(@TempDir Path home) {
        String login = "{\"v\":1,\"registry\":" + REGISTRY + ",\"kind\":\"login\",\"token\":\"" + TOKEN + "\","
                + "\"args\":[\"--frob\",\"--key=" + TOKEN + "-a\",\"" + TOKEN + "-b\"]}\n";
        LatchkeyProcess.Finished loggedIn = run(home, login, "--cargo-plugin");
        assertEquals(0, loggedIn.status(), loggedIn.stderr());
        assertEquals("{\"v\":[1]}\n{\"Ok\":{\"kind\":\"login\"}}\n", loggedIn.stdout());
        assertTrue(loggedIn.stderr().contains("ignoring unrecognised arguments --frob, --key=..., 1 other word"), loggedIn.stderr());
        assertFalse(loggedIn.stderr().contains(TOKEN), loggedIn.stderr());
    }

    /**
     * What follows `latchkey` in a project's credential-provider reaches the terminal escaped: on
     * stderr, and in the error message cargo prints as it comes.
     */
    @Test
    void cargoPluginEscapesWhatAProjectsArgumentsSay(@TempDir Path home) {
        String get = "{\"v\":1,\"registry\":" + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\","
                + "\"args\":[\"--\\u001b[2J\",\"--store\",\"x\\u001b]0;owned\\u0007\"]}\n";
        LatchkeyProcess.Finished got = run(home, get, "--cargo-plugin");
        assertTrue(got.stderr().contains("ignoring unrecognised arguments --\\x1b[2J"), got.stderr());
        assertFalse(got.stderr().contains("\u001b"), got.stderr());
        String message = message(cargoOther(got.stdout().lines().toList().get(1)));
        assertTrue(message.contains("unknown store `x\\x1b]0;owned\\x07`"), message);
        assertFalse(message.contains("\u001b") || message.contains("\u0007"), message);
    }

    @Test
    void cargoPluginServesOneRequestPerProcessAsCargoRunsIt(@TempDir Path home) throws IOException {
        String login = "{\"v\":1,\"registry\":" + REGISTRY + ",\"kind\":\"login\",\"token\":\"" + TOKEN + "\"}\n";
        LatchkeyProcess.Finished loggedIn = run(home, login, "--cargo-plugin");
        assertEquals(0, loggedIn.status(), loggedIn.stderr());
        assertEquals("{\"v\":[1]}\n{\"Ok\":{\"kind\":\"login\"}}\n", loggedIn.stdout());
        assertTrue(Files.readString(tokenFile(home)).contains(TOKEN), "with no args a login goes to the file store");
        assertFalse(Files.exists(home.resolve("cargo").resolve("credentials.toml")), "cargo's own file is never written unless named");

        String get = "{\"v\":1,\"registry\":" + REGISTRY + ",\"kind\":\"get\",\"operation\":\"read\"}\n";
        LatchkeyProcess.Finished got = run(home, get, "--cargo-plugin");
        assertEquals(0, got.status(), got.stderr());
        assertEquals("{\"v\":[1]}\n{\"Ok\":{\"kind\":\"get\",\"token\":\"" + TOKEN + "\",\"cache\":\"session\","
                + "\"operation_independent\":true}}\n", got.stdout());

        LatchkeyProcess.Finished nothing = run(home, "", "--cargo-plugin");
        assertEquals(0, nothing.status(), nothing.stderr());
        assertEquals("{\"v\":[1]}\n", nothing.stdout());
    }

    // ---- the CLI's exit statuses (docs/man/latchkey.1) ----

    @Test
    void cliStoresFromStdinPrintsTheTokenAndExits0Or1Or2(@TempDir Path home) {
        LatchkeyProcess.Finished stored = run(home, TOKEN + "\r\n", "store", INDEX);
        assertEquals(0, stored.status(), stored.stderr());
        assertEquals("", stored.stdout());
        assertFalse(stored.stderr().contains(TOKEN), stored.stderr());

        LatchkeyProcess.Finished got = run(home, "", "get", INDEX);
        assertEquals(0, got.status(), got.stderr());
        assertEquals(TOKEN + "\n", got.stdout());

        LatchkeyProcess.Finished missing = run(home, "", "get", OTHER_INDEX);
        assertEquals(1, missing.status(), missing.stderr());
        assertEquals("", missing.stdout());

        for (String[] usage : List.of(new String[] {"get"}, new String[] {"frobnicate"},
                new String[] {"get", INDEX, "--operation", "transfer"}, new String[] {"get", INDEX, "--no-such-flag"})) {
            LatchkeyProcess.Finished wrong = run(home, "", usage);
            assertEquals(2, wrong.status(), String.join(" ", usage) + ": " + wrong.stderr());
            assertEquals("", wrong.stdout());
        }
        LatchkeyProcess.Finished empty = run(home, "\n", "store", OTHER_INDEX);
        assertEquals(2, empty.status(), "an empty token is bad input: " + empty.stderr());
    }

    /**
     * On a terminal `store` prompts and reads with echo off. The terminal is a real one (util-linux
     * `script` runs latchkey on a pseudo-terminal); the token is typed the moment the prompt
     * shows, and must not come back on the screen.
     */
    @Test
    void cliStoreAtATerminalPromptsAndReadsWithoutEcho(@TempDir Path home) throws Exception {
        String typed = "typed-token-4f0a";
        String latchkey = LatchkeyProcess.command(List.of("-Duser.home=" + home), "store", INDEX).stream()
                .map(arg -> "'" + arg + "'").collect(Collectors.joining(" "));
        ProcessBuilder builder = new ProcessBuilder(RequiredComponent.executable("script").toString(), "-q", "-e", "-c",
                latchkey, "/dev/null").redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(PrivateHomes.environment(home, home.resolve("cargo")));
        builder.environment().put("HOME", home.toString());
        Process terminal = builder.start();
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        // The reader types the token the instant the prompt is on the screen, as a quick typist would.
        Thread typist = new Thread(() -> {
            byte[] buffer = new byte[4096];
            boolean typedYet = false;
            try (InputStream in = terminal.getInputStream(); OutputStream keyboard = terminal.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    synchronized (screen) {
                        screen.write(buffer, 0, n);
                    }
                    if (!typedYet && shown(screen).contains("token for " + INDEX + ": ")) {
                        keyboard.write((typed + "\n").getBytes(StandardCharsets.UTF_8));
                        keyboard.flush();
                        typedYet = true;
                    }
                }
            } catch (IOException e) {
                // the terminal closed: what was read is the screen
            }
        });
        typist.start();
        try {
            assertTrue(terminal.waitFor(LatchkeyProcess.TIMEOUT.toSeconds(), TimeUnit.SECONDS), shown(screen));
            typist.join(LatchkeyProcess.TIMEOUT.toMillis());
        } finally {
            terminal.destroyForcibly();
        }
        assertEquals(0, terminal.exitValue(), shown(screen));
        assertFalse(shown(screen).contains(typed), "the typed token was echoed: " + shown(screen));
        assertTrue(Files.readString(tokenFile(home)).contains(typed));
    }

    private static String shown(ByteArrayOutputStream screen) {
        synchronized (screen) {
            return screen.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void cliStoreNeverTakesTheTokenFromArgv(@TempDir Path home) {
        LatchkeyProcess.Finished onArgv = run(home, "", "store", INDEX, TOKEN);
        assertEquals(2, onArgv.status(), onArgv.stderr());
        assertFalse(Files.exists(tokenFile(home)), "nothing stored from the command line");
        assertFalse(onArgv.stderr().contains(TOKEN), "the message must not repeat what may be a token: " + onArgv.stderr());
    }

    @Test
    void cliExits2NamingTheFileAndLineOfABrokenConfig(@TempDir Path home) throws IOException {
        Files.createDirectories(configFile(home).getParent());
        Files.writeString(configFile(home), "stores = [\"file\"]\n\n[daemon]\nidle-timeout = 30\n");
        for (String[] command : List.of(new String[] {"get", INDEX}, new String[] {"erase", INDEX}, new String[] {"list"},
                new String[] {"doctor"}, new String[] {"import", "cargo"})) {
            LatchkeyProcess.Finished broken = run(home, "", command);
            String what = String.join(" ", command) + ": " + broken.stderr();
            assertEquals(2, broken.status(), what);
            assertTrue(broken.stderr().contains(configFile(home) + ":4:"), what);
            assertTrue(broken.stderr().contains("`idle-timeout` must be a string; correct that line"), what);
            if (command[0].equals("doctor")) {
                // it goes on, to report the stores as they are without the config
                assertTrue(broken.stdout().contains("config: not used, see above"), broken.stdout());
            } else {
                assertEquals("", broken.stdout());
            }
        }
        LatchkeyProcess.Finished store = run(home, TOKEN + "\n", "store", INDEX);
        assertEquals(2, store.status(), store.stderr());
        assertFalse(Files.exists(tokenFile(home)));
        LatchkeyProcess.Finished missing = run(home, "", "--config", home.resolve("absent.toml").toString(), "get", INDEX);
        assertEquals(2, missing.status(), missing.stderr());
        assertTrue(missing.stderr().contains(home.resolve("absent.toml") + ": no such config file; create it"), missing.stderr());
    }

    @Test
    void cliExits3OnADamagedTokenFileAndLeavesItAsItWas(@TempDir Path home) throws IOException {
        byte[] damaged = "token = [unterminated\n".getBytes(StandardCharsets.UTF_8);
        Files.createDirectories(tokenFile(home).getParent());
        Files.write(Files.createFile(tokenFile(home), OWNER_ONLY), damaged); // damaged, not opened to others
        LatchkeyProcess.Finished get = run(home, "", "get", INDEX);
        assertEquals(3, get.status(), get.stderr());
        assertTrue(get.stderr().contains(tokenFile(home).toString()), get.stderr());
        LatchkeyProcess.Finished store = run(home, TOKEN + "\n", "store", INDEX);
        assertEquals(3, store.status(), store.stderr());
        assertFalse(store.stderr().contains(TOKEN), store.stderr());
        assertArrayEquals(damaged, Files.readAllBytes(tokenFile(home)));
    }

    // ---- reading response lines, independently of latchkey's codec ----

    /** One hostile line, and the error kind it must get ({@code "Ok"} for a valid one, null for no answer). */
    private record Probe(String what, byte[] line, String expected) {
    }

    private static byte[] line(String text) {
        return (text + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String head, byte[] middle, String tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(middle);
        out.writeBytes(tail.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static String exactly(LatchkeyProcess latchkey, String expected) {
        String line = latchkey.readLine();
        assertEquals(expected, line);
        return line;
    }

    /** The shape docs/protocol.md promises for every response: {@code Ok} or {@code Err}, exactly one, and maybe {@code id}. */
    private static Map<String, Object> response(String line) {
        Map<String, Object> response = object(line);
        Set<String> keys = new HashSet<>(response.keySet());
        keys.remove("id");
        assertTrue(keys.equals(Set.of("Ok")) || keys.equals(Set.of("Err")), "not one Ok or Err: " + line);
        Object id = response.get("id");
        assertTrue(id == null || id instanceof String || id instanceof Long, "id must be a string or integer: " + line);
        return response;
    }

    private static Map<String, Object> ok(String line, Object id) {
        Map<String, Object> response = response(line);
        assertEquals(id, response.get("id"), line);
        return castMap(assertInstanceOf(Map.class, response.get("Ok"), line));
    }

    private static Map<String, Object> err(String line, Object id, String kind) {
        Map<String, Object> response = response(line);
        assertEquals(id, response.get("id"), line);
        if (id == null) {
            assertFalse(response.containsKey("id"), line);
        }
        Map<String, Object> error = castMap(assertInstanceOf(Map.class, response.get("Err"), line));
        assertEquals(kind, error.get("kind"), line);
        assertFalse(line.contains(TOKEN), "an error never holds the token: " + line);
        return error;
    }

    /** A cargo-dialect {@code other} error: exactly one key, a message, and caused-by. */
    private static Map<String, Object> cargoOther(String line) {
        Map<String, Object> response = response(line);
        assertEquals(Set.of("Err"), response.keySet(), line);
        Map<String, Object> error = castMap(assertInstanceOf(Map.class, response.get("Err"), line));
        assertEquals("other", error.get("kind"), line);
        assertFalse(message(error).isBlank(), line);
        assertInstanceOf(List.class, error.get("caused-by"), line);
        return error;
    }

    private static String message(Map<?, ?> error) {
        return assertInstanceOf(String.class, error.get("message"), "no message in " + error);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    /** A line read as one JSON object of plain values, by a reader other than latchkey's; fails on anything else. */
    private static Map<String, Object> object(String line) {
        Object value;
        try {
            value = JsonValues.parse(line.getBytes(StandardCharsets.UTF_8));
        } catch (UncheckedIOException e) {
            throw new AssertionError("not valid JSON: " + line, e);
        }
        return castMap(assertInstanceOf(Map.class, value, "not a JSON object: " + line));
    }
}
