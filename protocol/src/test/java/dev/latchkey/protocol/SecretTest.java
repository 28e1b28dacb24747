package dev.latchkey.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The token type: never shown, wipeable, and judged by cargo's own token rule. */
class SecretTest {

    @Test
    void toStringIsRedactedEverywhereItCanLeak() {
        Secret secret = Secret.fromString("tok-visible-123");
        assertEquals("<redacted>", secret.toString());
        assertFalse(String.valueOf(new Response.Got(secret, CacheControl.SESSION, null, true, "file")).contains("tok-visible"));
        assertFalse(String.valueOf(new Request.Store("store", Registry.byUrl("u"), secret, null, null, null, null))
                .contains("tok-visible"));
        assertFalse(String.valueOf(new Request.Rotate(Registry.byUrl("u"), secret, null, null, null)).contains("tok-visible"));
        assertFalse(String.valueOf(new Response.Got(secret, CacheControl.SESSION, null, true, "file", java.util.List.of("w")))
                .contains("tok-visible"));
    }

    @Test
    void wipeZeroesTheCharactersAndMakesTheSecretUnusable() {
        char[] source = "abc".toCharArray();
        Secret secret = Secret.copyOf(source);
        char[] held = secret.exposeChars();
        secret.wipe();
        assertTrue(secret.isWiped());
        assertArrayEquals(new char[] {0, 0, 0}, held);
        assertArrayEquals("abc".toCharArray(), source, "the secret holds its own copy");
        assertThrows(IllegalStateException.class, secret::reveal);
        assertThrows(IllegalStateException.class, secret::toUtf8);
        assertEquals("<redacted>", secret.toString());
    }

    @Test
    void closeWipes() {
        Secret secret = Secret.fromString("abc");
        try (Secret s = secret) {
            assertEquals(3, s.length());
        }
        assertTrue(secret.isWiped());
    }

    @Test
    void utf8RoundTripAndRange() {
        byte[] bytes = "xx-tök-xx".getBytes(StandardCharsets.UTF_8);
        Secret secret = Secret.fromUtf8(bytes, 3, bytes.length - 6);
        assertEquals("tök", secret.reveal());
        assertArrayEquals("tök".getBytes(StandardCharsets.UTF_8), secret.toUtf8());
        assertEquals("en", Secret.copyOf("token".toCharArray(), 3, 2).reveal());
    }

    @Test
    void equalsByValue() {
        assertEquals(Secret.fromString("same"), Secret.fromString("same"));
        assertNotEquals(Secret.fromString("same"), Secret.fromString("Same"));
        assertNotEquals(Secret.fromString("same"), "same");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abcdefg", "foo\tbar", "foo bar", "cio_0123456789abcdefABCDEF", "Bearer x.y.z", "~!@#$%^&*()_+`-={}|[]\\:\";'<>?,./"})
    void acceptsWhatCargoAccepts(String token) {
        assertNull(Secret.fromString(token).problem());
    }

    @Test
    void acceptsEveryPrintableAsciiCharacter() {
        StringBuilder all = new StringBuilder("\t");
        for (char c = 0x20; c <= 0x7e; c++) {
            all.append(c);
        }
        assertNull(Secret.fromString(all.toString()).problem());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a\nb", "a\rb", "a\u0000b", "\u0000", "a\u0001", "a\u001bb", "a\u007f", "tök", "a😀", "中文", "a\u00a0b", "line\n"})
    void rejectsWhatCargoRejectsWithoutQuotingTheValue(String token) {
        String problem = Secret.fromString(token).problem();
        assertNotNull(problem);
        if (!token.isEmpty()) {
            assertFalse(problem.contains(token), problem);
        }
    }

    @Test
    void namesTheEmptyToken() {
        assertTrue(Secret.fromString("").problem().contains("empty"));
        assertTrue(Secret.fromString("").isEmpty());
    }
}
