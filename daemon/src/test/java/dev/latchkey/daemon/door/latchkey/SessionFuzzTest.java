package dev.latchkey.daemon.door.latchkey;

import dev.latchkey.daemon.door.HandBack;
import dev.latchkey.daemon.door.Invocation;
import dev.latchkey.daemon.service.RequestContext;
import dev.latchkey.daemon.door.UsageException;
import dev.latchkey.daemon.door.CommandLine;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.latchkey.daemon.config.ConfigException;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.service.Caller;
import dev.latchkey.daemon.service.CredentialService;
import dev.latchkey.daemon.service.Services;
import dev.latchkey.protocol.Dialect;
import dev.latchkey.protocol.LineReader;
import dev.latchkey.protocol.MalformedMessageException;
import dev.latchkey.protocol.Request;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.ResponseCodec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A whole session under hostile bytes (Jazzer): the input is what a client writes, served in this
 * process by {@link ProtocolSession} and the real service, with the memory store by default (a
 * request may still name the file or cargo store, which write under a private temporary home).
 * Each input gets a fresh service, so inputs do not depend on each other.
 *
 * <p>Checked for every input: nothing escapes the session, and no request hits a bug (which the
 * session answers with {@link ProtocolSession#INTERNAL_ERROR} rather than ending); the output is the hello and exactly one
 * answer per request line, each one line the codec reads; no answer quotes a token the session was
 * sent, except a {@code get} answer's own {@code token} field. Seeds (and fixed findings) are in
 * {@code src/test/resources/.../SessionFuzzTestInputs/}; {@code scripts/fuzz} fuzzes for real.
 */
class SessionFuzzTest {
    /**
     * Tokens shorter than this turn up in answers by chance (a token {@code launch} in a status
     * answer's {@code dbus-launch}: a false alarm the fuzzer found), so only longer ones are traced.
     */
    private static final int TRACEABLE_TOKEN = 12;
    private static final JsonFactory PLAIN_JSON = new JsonFactory();
    private static final PrintStream NOWHERE = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    static Path home;
    private static Environment env;

    @BeforeAll
    static void privateHome() throws IOException {
        Files.createDirectories(home.resolve("config/latchkey"));
        Files.writeString(home.resolve("config/latchkey/config.toml"), "stores = [\"memory\"]\n");
        env = new Environment(Map.of("HOME", home.toString(), "XDG_CONFIG_HOME", home.resolve("config").toString(),
                "XDG_DATA_HOME", home.resolve("data").toString(), "XDG_STATE_HOME", home.resolve("state").toString(),
                "CARGO_HOME", home.resolve("cargo").toString()), home, home);
    }

    /** The latchkey protocol as {@code latchkey stdio} and the daemon serve it, cargo's {@code args} included. */
    @FuzzTest
    @Timeout(10)
    @DictionaryFile(resourcePath = "session.dict")
    void latchkeySession(byte[] input) throws IOException, UsageException {
        serveAndCheck(input, Dialect.LATCHKEY, ServiceHandler.forSocket(freshServices(), NOWHERE, () -> Caller.UNKNOWN));
    }

    /** cargo's protocol as {@code latchkey --cargo-plugin} serves it, straight into the service. */
    @FuzzTest
    @Timeout(10)
    @DictionaryFile(resourcePath = "session.dict")
    void cargoSession(byte[] input) throws IOException, ConfigException, UsageException {
        CredentialService service = freshServices().forConfig(null);
        // Not the front door's handler: in cargo's dialect it asks at the terminal for a login without a token.
        serveAndCheck(input, Dialect.CARGO, (line, batch) -> service.handle(line.request(),
                new RequestContext(Caller.UNKNOWN, null, null, null, batch, Set.of())));
    }

    private static Services freshServices() throws IOException {
        for (Path file : List.of(home.resolve("data/latchkey/tokens.toml"), home.resolve("cargo/credentials.toml"))) {
            Files.deleteIfExists(file);
        }
        return new Services(env, null, "fuzz");
    }

    /** A token a request carried, and how many lines (the hello included) had been answered before it. */
    private record Sent(String token, int linesBefore) {
    }

    private static void serveAndCheck(byte[] input, Dialect dialect, RequestHandler handler) throws IOException, UsageException {
        List<Sent> tokens = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RequestHandler recording = (line, batch) -> {
            if (line.request() instanceof Request.Store store && store.token() != null) {
                // Taken before the session wipes it; only answers from here on could quote it.
                tokens.add(new Sent(new String(store.token().exposeChars()), lines(out.toByteArray()).size()));
            }
            return handler.handle(line, batch);
        };
        Invocation invocation = Invocation.inCaller(CommandLine.parse(List.of("stdio")), new ByteArrayInputStream(input), out,
                NOWHERE, env, Set.of(), freshServices(), "fuzz");
        try {
            new ProtocolSession(dialect, "fuzz", recording).serve(invocation);
        } catch (HandBack e) {
            throw new AssertionError("a session in the caller's own process was handed back", e);
        }

        byte[] output = out.toByteArray();
        List<byte[]> lines = lines(output);
        assertTrue(output.length > 0 && output[output.length - 1] == '\n', "the output ends with a whole line");
        assertEquals(requestLines(input) + 1, lines.size(), "the hello, then one answer per request line");
        List<Sent> traced = tokens.stream()
                .filter(t -> t.token().length() >= TRACEABLE_TOKEN && occurrences(input, t.token()) == 1).toList();
        for (int index = 1; index < lines.size(); index++) {
            byte[] answer = lines.get(index);
            try {
                Response response = ResponseCodec.parse(answer, answer.length).response();
                if (response instanceof Response.Failure failure && failure.message() != null
                        && failure.message().startsWith(ProtocolSession.INTERNAL_ERROR)) {
                    fail("a request hit a bug: " + failure.message());
                }
            } catch (MalformedMessageException e) {
                fail("an answer is not one valid protocol line (" + e.getMessage() + "): "
                        + new String(answer, StandardCharsets.UTF_8));
            }
            List<String> said = stringsOutsideTheToken(answer);
            for (Sent sent : traced) {
                if (index >= sent.linesBefore()) {
                    assertFalse(said.stream().anyMatch(s -> s.contains(sent.token())), "an answer quotes a token the session was sent");
                }
            }
        }
    }

    /** How many answers a session owes for {@code input}: every line that is not blank, over-long ones included. */
    private static int requestLines(byte[] input) throws IOException {
        LineReader reader = new LineReader(new ByteArrayInputStream(input));
        int count = 0;
        for (int length = reader.readLine(); length != LineReader.END_OF_STREAM; length = reader.readLine()) {
            if (length == LineReader.TOO_LONG || !blank(reader.buffer(), length)) {
                count++;
            }
        }
        return count;
    }

    private static boolean blank(byte[] line, int length) {
        for (int i = 0; i < length; i++) {
            if (line[i] != ' ' && line[i] != '\t') {
                return false;
            }
        }
        return true;
    }

    /** The output split on {@code \n}, terminators dropped. */
    private static List<byte[]> lines(byte[] output) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < output.length; i++) {
            if (output[i] == '\n') {
                lines.add(java.util.Arrays.copyOfRange(output, start, i));
                start = i + 1;
            }
        }
        return lines;
    }

    /**
     * How often {@code token} appears in the input as plain bytes. Traced only when exactly once:
     * then it was sent as the token and nowhere else (not as an id or registry name an answer may
     * rightly repeat, nor in an escaped spelling that a plain search would miss).
     */
    private static int occurrences(byte[] input, String token) {
        byte[] needle = token.getBytes(StandardCharsets.UTF_8);
        int count = 0;
        outer:
        for (int i = 0; i + needle.length <= input.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (input[i + j] != needle[j]) {
                    continue outer;
                }
            }
            count++;
        }
        return count;
    }

    /** Every string and name in an answer, except the value of a {@code get} answer's {@code token}. */
    private static List<String> stringsOutsideTheToken(byte[] answer) throws IOException {
        List<String> strings = new ArrayList<>();
        try (JsonParser p = PLAIN_JSON.createParser(answer)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.FIELD_NAME && p.currentName().equals("token")
                        && p.getParsingContext().getParent().inObject() && "Ok".equals(p.getParsingContext().getParent().getCurrentName())) {
                    p.nextToken(); // the token a get hands out: the one place a token belongs
                } else if (t == JsonToken.FIELD_NAME || t == JsonToken.VALUE_STRING) {
                    strings.add(p.getText());
                }
            }
        }
        return strings;
    }
}
