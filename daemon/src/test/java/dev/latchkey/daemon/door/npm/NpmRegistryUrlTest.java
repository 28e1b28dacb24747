package dev.latchkey.daemon.door.npm;

import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The npm front door's command-line URL and its output, which pnpm sends whole as the Authorization header. */
class NpmRegistryUrlTest {
    @Test
    void theUrlIsNormalisedAsNpmKeysItsRegistries() throws Exception {
        assertEquals("http://127.0.0.1:41235/", NpmRegistryUrl.parse("http://127.0.0.1:41235/").url());
        assertEquals("http://127.0.0.1:41235/", NpmRegistryUrl.parse("http://127.0.0.1:41235").url());
        assertEquals("https://npm.example.com/team/", NpmRegistryUrl.parse("HTTPS://NPM.example.com:443/team").url());
        assertEquals("https://npm.example.com:8443/a/b/", NpmRegistryUrl.parse("https://npm.example.com:8443/a/b/").url());
        assertEquals("http://npm.example.com/", NpmRegistryUrl.parse("http://npm.example.com:80/").url());
        assertEquals("/team/", NpmRegistryUrl.parse("https://npm.example.com/team").path());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "npm.example.com", "//npm.example.com/", "ftp://npm.example.com/", "https://u:pw@npm.example.com/",
            "https://npm.example.com/?a=1", "https://npm.example.com/#x", "https://npm.example.com/a b/", "https://npm.example.com//",
            "https://npm.example.com/a/../b/", "https://npm.example.com:0/", "https://n\u00e9m.example.com/", "https:///"})
    void aWrongOrHostileUrlIsRefused(String url) {
        NpmProtocolException e = assertThrows(NpmProtocolException.class, () -> NpmRegistryUrl.parse(url));
        assertTrue(e.getMessage().startsWith("the registry URL"), e.getMessage());
        assertFalse(e.getMessage().contains("pw@"), e.getMessage());
    }

    @Test
    void theOutputIsBearerAndTheToken() throws Exception {
        // Captured: pnpm 10.34.9 sent "Authorization: Bearer tok-123" for a helper printing this line.
        assertEquals("Bearer tok-123\n", new String(BearerOutput.of(Secret.fromString("tok-123")), StandardCharsets.US_ASCII));
    }

    @Test
    void aTokenThatCannotStandInAHeaderIsRefusedWithoutQuotingIt() {
        for (String token : new String[] {"", "tok en", "tok\r\nX-Evil: 1", "tok\u00e9n", "tok\0"}) {
            NpmProtocolException e = assertThrows(NpmProtocolException.class, () -> BearerOutput.of(Secret.fromString(token)));
            assertFalse(!token.isEmpty() && e.getMessage().contains(token), e.getMessage());
        }
    }
}
