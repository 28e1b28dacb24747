package dev.latchkey.caller.exec;

import dev.latchkey.caller.secrets.SecretMatcher;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MaskingOutputStreamTest {
    /** Printable ASCII whose base64 holds both '+' and '/', so the two alphabets differ. */
    private static final String TOKEN = "cio>?>?Tk9q~~~W4mZ7x/&=+ 2bQ";
    private static final String NAME = "crates-io";

    private final ByteArrayOutputStream passedOn = new ByteArrayOutputStream();
    private final MaskingOutputStream mask = new MaskingOutputStream(passedOn, SecretMatcher.of(Map.of(NAME, utf8(TOKEN))));

    @Test
    void replacesTheTokenWithItsName() throws IOException {
        write("token: " + TOKEN + "\n");
        assertEquals("token: <redacted:crates-io>\n", shown());
    }

    @Test
    void anAbandonedStreamDropsWhatItHeldAndRefusesMoreWithoutLookingAtTheSecrets() throws IOException {
        SecretMatcher matcher = SecretMatcher.of(Map.of(NAME, utf8(TOKEN)));
        MaskingOutputStream abandoned = new MaskingOutputStream(passedOn, matcher);
        abandoned.write(utf8("late " + TOKEN.substring(0, 10)));
        abandoned.abandon();
        matcher.close();
        // A write after the matcher is wiped fails as a closed stream does, not with the matcher's IllegalStateException.
        assertThrows(IOException.class, () -> abandoned.write(utf8(TOKEN.substring(10) + "\n")));
        abandoned.flush();
        assertEquals("late ", shown(), "the held start of the token is dropped, never passed on");
    }

    @Test
    void passesOnACompletedLineAsSoonAsItsNewlineArrives() throws IOException {
        write("Compiling latchkey v0.1.0\n");
        assertEquals("Compiling latchkey v0.1.0\n", shown(), "nothing flushed, yet the line is out");
    }

    @Test
    void showsAPromptWithoutNewlineAtOnce() throws IOException {
        write("Password for company: ");
        assertEquals("Password for company: ", shown());
    }

    @Test
    void holdsBackOnlyATailThatCouldStillBecomeTheToken() throws IOException {
        write("uploading with " + TOKEN.substring(0, 10));
        assertEquals("uploading with ", shown());
        write(TOKEN.substring(10) + " done");
        assertEquals("uploading with <redacted:crates-io> done", shown());
    }

    @Test
    void masksATokenSplitAcrossWritesThatAlsoEndLines() throws IOException {
        write("first " + TOKEN.substring(0, 3));
        write(TOKEN.substring(3) + " line\nsecond " + TOKEN.substring(0, 17));
        assertEquals("first <redacted:crates-io> line\nsecond ", shown());
        write(TOKEN.substring(17) + "\nthird\n");
        assertEquals("first <redacted:crates-io> line\nsecond <redacted:crates-io>\nthird\n", shown());
    }

    @Test
    void masksATokenWrittenOneByteAtATime() throws IOException {
        for (byte b : utf8("a" + TOKEN + "b\n")) {
            mask.write(b);
        }
        assertEquals("a<redacted:crates-io>b\n", shown());
    }

    @Test
    void flushPassesOnATailThatTurnedOutNotToBeTheToken() throws IOException {
        write("almost " + TOKEN.substring(0, TOKEN.length() - 1));
        assertEquals("almost ", shown());
        mask.flush();
        assertEquals("almost " + TOKEN.substring(0, TOKEN.length() - 1), shown());
    }

    @Test
    void closePassesOnWhatIsHeldAndClosesDownstream() throws IOException {
        boolean[] closed = {false};
        ByteArrayOutputStream sink = new ByteArrayOutputStream() {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        MaskingOutputStream closing = new MaskingOutputStream(sink, SecretMatcher.of(Map.of(NAME, utf8(TOKEN))));
        closing.write(utf8("tail " + TOKEN.substring(0, 5)));
        closing.close();
        assertEquals("tail " + TOKEN.substring(0, 5), sink.toString(StandardCharsets.UTF_8));
        assertTrue(closed[0]);
        assertThrows(IOException.class, () -> closing.write('x'));
    }

    @Test
    void masksEveryBase64Form() throws IOException {
        byte[] token = utf8(TOKEN);
        String standard = Base64.getEncoder().encodeToString(token);
        String urlSafe = Base64.getUrlEncoder().encodeToString(token);
        assertNotEquals(standard, urlSafe, "the test token must give the two alphabets different text");
        assertTrue(standard.endsWith("="), "and padding");
        for (String encoded : new String[] {standard, urlSafe, standard.replace("=", ""), urlSafe.replace("=", "")}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (MaskingOutputStream masking = new MaskingOutputStream(out, SecretMatcher.of(Map.of(NAME, token)))) {
                masking.write(utf8("value=" + encoded + ";\n"));
            }
            String shown = out.toString(StandardCharsets.UTF_8);
            assertTrue(shown.startsWith("value=<redacted:crates-io>"), () -> encoded + " was shown as " + shown);
            assertFalse(shown.contains(encoded.substring(0, 8)));
        }
    }

    @Test
    void masksTheTokenInsideABasicAuthHeaderWhateverTheUserNameLength() throws IOException {
        for (String user : new String[] {"u", "us", "usr", "user"}) {
            String credentials = Base64.getEncoder().encodeToString(utf8(user + ":" + TOKEN));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (MaskingOutputStream masking = new MaskingOutputStream(out, SecretMatcher.of(Map.of(NAME, utf8(TOKEN))))) {
                masking.write(utf8("Authorization: Basic " + credentials + "\r\n"));
            }
            String shown = out.toString(StandardCharsets.UTF_8);
            String prefix = "Authorization: Basic ";
            int redacted = shown.indexOf("<redacted:crates-io>");
            assertTrue(redacted > 0, () -> "not masked for user " + user + ": " + shown);
            // What stays visible is the user's part and at most the character each side that the
            // token shares with its neighbours: 6 bits of it at either end, never a whole byte.
            int visibleBefore = redacted - prefix.length();
            int userCharacters = (8 * (user.length() + 1) + 5) / 6;
            assertTrue(visibleBefore <= userCharacters, () -> visibleBefore + " characters before, for user " + user);
            String after = shown.substring(redacted + "<redacted:crates-io>".length(), shown.length() - 2);
            assertTrue(after.replace("=", "").length() <= 1, () -> "after the mask: " + after.length() + " characters");
        }
    }

    @Test
    void masksThePercentEncodedTokenInEitherCase() throws IOException {
        String upper = URLEncoder.encode(TOKEN, StandardCharsets.UTF_8);
        assertTrue(upper.contains("%2F") && upper.contains("+"), "the test token must need percent-encoding");
        String lower = lowerHex(upper);
        StringBuilder everyByte = new StringBuilder();
        for (byte b : utf8(TOKEN)) {
            everyByte.append(String.format("%%%02X", b));
        }
        for (String encoded : new String[] {upper, lower, everyByte.toString(), upper.replace("+", "%20")}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (MaskingOutputStream masking = new MaskingOutputStream(out, SecretMatcher.of(Map.of(NAME, utf8(TOKEN))))) {
                masking.write(utf8("GET /api?token=" + encoded + "&x=1\n"));
            }
            assertEquals("GET /api?token=<redacted:crates-io>&x=1\n", out.toString(StandardCharsets.UTF_8), encoded);
        }
    }

    @Test
    void masksThePercentEncodedBase64OfTheToken() throws IOException {
        String encoded = URLEncoder.encode(Base64.getEncoder().encodeToString(utf8(TOKEN)), StandardCharsets.UTF_8);
        assertTrue(encoded.contains("%2B") || encoded.contains("%2F"));
        write("auth=" + encoded + "\n");
        assertEquals("auth=<redacted:crates-io>\n", shown());
    }

    @Test
    void masksEachOfSeveralSecretsWithItsOwnName() throws IOException {
        Map<String, byte[]> secrets = new LinkedHashMap<>();
        secrets.put("crates-io", utf8("first-secret-value"));
        secrets.put("company", utf8("second-secret-value"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MaskingOutputStream masking = new MaskingOutputStream(out, SecretMatcher.of(secrets))) {
            masking.write(utf8("a=second-secret-value b=first-secret-value\n"));
        }
        assertEquals("a=<redacted:company> b=<redacted:crates-io>\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void holdsALonePercentSignUntilTheNextByteOnly() throws IOException {
        write("progress 45%");
        assertEquals("progress 45", shown(), "a '%' may start an escape");
        write("\r");
        assertEquals("progress 45%\r", shown());
    }

    @Test
    void printsTheNameWithItsControlCharactersEscaped() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MaskingOutputStream masking = new MaskingOutputStream(out,
                SecretMatcher.of(Map.of("evil\u001b[2J\u202ename\r", utf8(TOKEN))))) {
            masking.write(utf8(TOKEN + "\n"));
        }
        assertEquals("<redacted:evil\\x1b[2J\\u202ename\\x0d>\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void refusesASecretShorterThanFourBytesSayingWhyAndNotShowingIt() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> SecretMatcher.of(Map.of("tiny", utf8("q7Z"))));
        assertTrue(refused.getMessage().contains("`tiny`"), refused.getMessage());
        assertTrue(refused.getMessage().contains("shorter than 4 bytes"), refused.getMessage());
        assertFalse(refused.getMessage().contains("q7Z"), refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SecretMatcher.of(Map.of("empty", new byte[0])));
    }

    @Test
    void refusesASecretWithALineBreak() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> SecretMatcher.of(Map.of("two-lines", utf8("abcdef\nghijkl"))));
        assertTrue(refused.getMessage().contains("line break"), refused.getMessage());
    }

    @Test
    void theMatcherNamesItsSecretsButNeverShowsThem() {
        SecretMatcher matcher = SecretMatcher.of(Map.of(NAME, utf8(TOKEN)));
        assertEquals("SecretMatcher[crates-io]", matcher.toString());
        matcher.close();
        assertThrows(IllegalStateException.class, () -> matcher.find(utf8(TOKEN), 0, TOKEN.length()));
    }

    private void write(String text) throws IOException {
        mask.write(utf8(text));
    }

    private String shown() {
        return passedOn.toString(StandardCharsets.UTF_8);
    }

    private static String lowerHex(String percentEncoded) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < percentEncoded.length(); i++) {
            char c = percentEncoded.charAt(i);
            out.append(c);
            if (c == '%') {
                out.append(percentEncoded.substring(i + 1, i + 3).toLowerCase(Locale.ROOT));
                i += 2;
            }
        }
        return out.toString();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
