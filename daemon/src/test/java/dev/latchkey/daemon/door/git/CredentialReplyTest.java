package dev.latchkey.daemon.door.git;

import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Golden tests of a helper's reply to git, in the order and form git itself writes credentials. */
class CredentialReplyTest {
    @Test
    void aUsernameAndPassword() throws Exception {
        assertEquals("username=alice\npassword=s3cret\n",
                text(new CredentialReply().username("alice").password(Secret.fromString("s3cret"))));
    }

    @Test
    void expiryAndRefreshTokenComeInGitsOwnOrder() throws Exception {
        // As git 2.55 wrote them back in its store after this reply (captured).
        assertEquals("username=alice\npassword=s3cret\noauth_refresh_token=r-42\npassword_expiry_utc=1796594806\n",
                text(new CredentialReply().passwordExpiryUtc(1796594806L).oauthRefreshToken(Secret.fromString("r-42"))
                        .password(Secret.fromString("s3cret")).username("alice")));
    }

    @Test
    void aPreEncodedCredentialBringsItsCapability() throws Exception {
        // The reply git 2.55 accepted in the capture (M4), byte for byte.
        assertEquals("capability[]=authtype\nauthtype=Basic\ncredential=YWxpY2U6czNjcmV0\n",
                text(new CredentialReply().authorization("Basic", Secret.fromString("YWxpY2U6czNjcmV0"))));
        assertEquals("capability[]=authtype\nauthtype=Bearer\ncredential=tok\nephemeral=1\nquit=1\n",
                text(new CredentialReply().authorization("Bearer", Secret.fromString("tok")).ephemeral().quit()));
    }

    @Test
    void anEmptyReplyIsNothing() throws Exception {
        assertEquals("", text(new CredentialReply()));
    }

    @Test
    void aReplyReadsBackAsWhatWasSaid() throws Exception {
        byte[] bytes = new CredentialReply().username("\u00e9l\u00e8ve").password(Secret.fromString("p\u00e4ss word=x")).toBytes();
        CredentialDescription back = CredentialDescription.read(new ByteArrayInputStream(bytes));
        assertEquals("\u00e9l\u00e8ve", back.username());
        assertEquals(Secret.fromString("p\u00e4ss word=x"), back.password());
    }

    @Test
    void aValueThatWouldBreakALineIsRefusedWithoutQuotingIt() {
        for (String bad : new String[] {"tok\nhost=victim", "tok\r", "to\0k"}) {
            GitProtocolException e = assertThrows(GitProtocolException.class,
                    () -> new CredentialReply().username("alice").password(Secret.fromString(bad)).toBytes());
            assertEquals("the password cannot be sent to git: it holds a line break or NUL", e.getMessage());
        }
        assertThrows(GitProtocolException.class, () -> new CredentialReply().username("a\nb").toBytes());
        GitProtocolException lonely = assertThrows(GitProtocolException.class, () -> new CredentialReply().ephemeral().toBytes());
        assertFalse(lonely.getMessage().isEmpty());
    }

    private static String text(CredentialReply reply) throws GitProtocolException {
        return new String(reply.toBytes(), StandardCharsets.UTF_8);
    }
}
