package dev.latchkey.daemon.door.git;

import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden tests of what git sends a helper, byte for byte as captured from git 2.39.5 (Debian's)
 * and 2.55 (built from source) talking to a real server (docs: the front-ends reference), and of
 * what git itself would refuse or ignore.
 */
class CredentialDescriptionTest {
    private static final String SECRET = "s3cret-never-quoted";

    @Test
    void aGetOfGit239IsProtocolAndHostEndedByEndOfInput() throws Exception {
        CredentialDescription get = read("protocol=http\nhost=127.0.0.1:34749\n");

        assertEquals("http", get.protocol());
        assertEquals("127.0.0.1:34749", get.host());
        assertNull(get.path());
        assertNull(get.username());
        assertNull(get.password());
        assertEquals(List.of(), get.capabilities());
        assertFalse(get.takesAuthtype());
    }

    @Test
    void aGetOfGit255AnnouncesCapabilitiesAndPassesEveryChallengeInOrder() throws Exception {
        CredentialDescription get = read("capability[]=authtype\ncapability[]=state\nprotocol=http\nhost=127.0.0.1:36593\n"
                + "wwwauth[]=Basic realm=\"latchkey-spike\"\nwwwauth[]=Bearer realm=\"spike\", scope=\"repo:read\"\n");

        assertEquals(List.of("authtype", "state"), get.capabilities());
        assertTrue(get.takesAuthtype());
        assertEquals(List.of("Basic realm=\"latchkey-spike\"", "Bearer realm=\"spike\", scope=\"repo:read\""), get.wwwauth());
        assertEquals("127.0.0.1:36593", get.host());
    }

    @Test
    void aStoreCarriesTheUsernameAndPasswordThatWorked() throws Exception {
        try (CredentialDescription store = read("protocol=http\nhost=127.0.0.1:34749\nusername=alice\npassword=" + SECRET + "\n")) {
            assertEquals("alice", store.username());
            assertEquals(Secret.fromString(SECRET), store.password());
            assertFalse(store.toString().contains(SECRET), store.toString());
        }
    }

    @Test
    void anEraseOfGit255CarriesTheChallengeToo() throws Exception {
        CredentialDescription erase = read("protocol=http\nhost=127.0.0.1:36555\nusername=alice\npassword=wrong\n"
                + "wwwauth[]=Basic realm=\"latchkey-spike\"\n");

        assertEquals(Secret.fromString("wrong"), erase.password());
        assertEquals(List.of("Basic realm=\"latchkey-spike\""), erase.wwwauth());
    }

    @Test
    void useHttpPathAddsThePath() throws Exception {
        assertEquals("repo.git", read("protocol=http\nhost=127.0.0.1:34749\npath=repo.git\n").path());
    }

    @Test
    void aStoreOfGit255KeepsTheRefreshTokenAndTheExpiry() throws Exception {
        CredentialDescription store = read("protocol=http\nhost=127.0.0.1:36593\nusername=alice\npassword=s3cret\n"
                + "oauth_refresh_token=r-42\npassword_expiry_utc=1796594806\n");

        assertEquals(Secret.fromString("r-42"), store.oauthRefreshToken());
        assertEquals(1796594806L, store.passwordExpiryUtc());
    }

    @Test
    void aStoreOfAPreEncodedCredentialHasNoUsernameOrPassword() throws Exception {
        CredentialDescription store = read("capability[]=authtype\nauthtype=Basic\ncredential=YWxpY2U6czNjcmV0\n"
                + "protocol=http\nhost=127.0.0.1:36593\n");

        assertEquals("Basic", store.authtype());
        assertEquals(Secret.fromString("YWxpY2U6czNjcmV0"), store.credential());
        assertNull(store.username());
        assertNull(store.password());
        assertFalse(store.ephemeral());
        assertTrue(read("authtype=Bearer\ncredential=x\nephemeral=1\nprotocol=https\nhost=h\n").ephemeral());
    }

    @Test
    void anEmptyUsernameAndPasswordAreValuesNotAbsence() throws Exception {
        CredentialDescription store = read("protocol=https\nhost=sso.tld\nusername=\npassword=\n");

        assertEquals("", store.username());
        assertTrue(store.password().isEmpty());
    }

    @Test
    void urlResetsEverythingBeforeItAndIsSplitAsGitSplitsIt() throws Exception {
        CredentialDescription d = read("protocol=http\nhost=evil.example\nusername=mallory\npassword=x\n"
                + "capability[]=authtype\nwwwauth[]=Basic realm=\"a\"\n"
                + "url=https://al%69ce:s3cr%65t@Example.com:8443/org/repo.git//\ncapability[]=state\n");

        assertEquals("https", d.protocol());
        assertEquals("Example.com:8443", d.host(), "git does not change the host's case");
        assertEquals("org/repo.git", d.path(), "leading and trailing slashes go");
        assertEquals("alice", d.username());
        assertEquals(Secret.fromString("s3cret"), d.password());
        assertEquals(List.of("state"), d.capabilities(), "only what came after url= is left");
        assertEquals(List.of(), d.wwwauth());
    }

    @Test
    void urlPartsAreOnlyWhatTheUrlHas() throws Exception {
        CredentialDescription bare = read("url=https://example.com\n");
        assertEquals("example.com", bare.host());
        assertNull(bare.path());
        assertNull(bare.username());
        assertNull(bare.password());

        CredentialDescription userOnly = read("url=https://bob@example.com:8080/x?y=@z\n");
        assertEquals("bob", userOnly.username());
        assertEquals("example.com:8080", userOnly.host());
        assertEquals("x?y=@z", userOnly.path());

        CredentialDescription atInPath = read("url=https://example.com/a@b\n");
        assertNull(atInPath.username(), "an @ after the host's end is the path's");
        assertEquals("example.com", atInPath.host());

        assertEquals("a%00b", read("url=https://a%00b/\n").host(), "%00 stays as written, as in git");
        assertEquals("a+b c", read("url=https://a+b%20c/\n").host(), "a plus stays a plus");
    }

    @Test
    void unknownAttributesAreIgnoredAndTheLastOfARepeatedOneWins() throws Exception {
        CredentialDescription d = read("protocol=https\nfuture_thing=whatever\nhost=a.example\nhost=b.example\n");

        assertEquals("b.example", d.host());
    }

    @Test
    void aBlankLineEndsTheDescriptionAsInGitsOwnReader() throws Exception {
        CredentialDescription d = read("protocol=https\nhost=a.example\n\nhost=after.example\nno equals sign\n");

        assertEquals("a.example", d.host());
    }

    @Test
    void carriageReturnsAtLineEndsAreDroppedAndALastLineNeedsNoNewline() throws Exception {
        CredentialDescription d = read("protocol=https\r\nhost=a.example");

        assertEquals("https", d.protocol());
        assertEquals("a.example", d.host());
    }

    @Test
    void anExpiryThatIsNotAPositiveNumberIsNone() throws Exception {
        assertNull(read("password_expiry_utc=0\n").passwordExpiryUtc());
        assertNull(read("password_expiry_utc=soon\n").passwordExpiryUtc());
        assertNull(read("password_expiry_utc=99999999999999999999\n").passwordExpiryUtc());
    }

    /**
     * t0303 "not confused by long header" (git 2.41): a helper reading fixed 1024-byte chunks sees
     * {@code host=victim.example.com} start a chunk and takes it for an attribute. Here the line is
     * one value.
     */
    @Test
    void aLongChallengeHidingAHostAtABufferBoundaryIsOneValue() throws Exception {
        String head = "wwwauth[]=basic realm=";
        String value = "basic realm=" + "a".repeat(1024 - 23) + "host=victim.example.com";
        String line = "wwwauth[]=" + value;
        assertEquals(1023, (head + "a".repeat(1024 - 23)).length(), "host= starts at the 1024th byte");

        CredentialDescription d = read("protocol=https\nhost=badguy.example.com\n" + line + "\n");

        assertEquals("badguy.example.com", d.host());
        assertEquals(List.of(value), d.wwwauth());
    }

    @Test
    void aNulByteIsRefused() {
        GitProtocolException e = refused("protocol=https\nhost=a.example\npassword=" + SECRET + "\0x\n");
        assertTrue(e.getMessage().contains("NUL"), e.getMessage());
    }

    @Test
    void aLineWithoutAnEqualsSignIsRefusedWithoutQuotingIt() {
        GitProtocolException e = refused("protocol=https\n" + SECRET + "\n");
        assertTrue(e.getMessage().contains("no '='"), e.getMessage());
    }

    @Test
    void aLineOverTheBoundIsRefused() throws Exception {
        String longest = "wwwauth[]=" + "a".repeat(CredentialDescription.MAX_LINE - "wwwauth[]=".length());
        assertEquals(1, read(longest + "\n").wwwauth().size(), "a line of exactly the bound is taken");

        GitProtocolException e = refused("password=" + SECRET + "a".repeat(CredentialDescription.MAX_LINE) + "\n");
        assertTrue(e.getMessage().contains("longer than 64 KiB"), e.getMessage());
    }

    @Test
    void aDescriptionOverItsBoundIsRefused() {
        String line = "wwwauth[]=" + "a".repeat(60_000) + "\n";
        GitProtocolException e = refused(line.repeat(CredentialDescription.MAX_DESCRIPTION / line.length() + 1));
        assertTrue(e.getMessage().contains("longer than 1 MiB"), e.getMessage());
    }

    @Test
    void aValueThatIsNotUtf8IsRefusedByItsKeyOnly() {
        byte[] input = "protocol=https\npassword=\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        GitProtocolException e = assertThrows(GitProtocolException.class,
                () -> CredentialDescription.read(new ByteArrayInputStream(input)));
        assertEquals("the value of password is not valid UTF-8", e.getMessage());
    }

    @Test
    void aUrlGitWouldRefuseIsRefused() {
        assertTrue(refused("url=example.com/" + SECRET + "\n").getMessage().contains("no scheme"));
        assertTrue(refused("url=https://user:" + SECRET + "%0a@example.com\n").getMessage().contains("newline in its password"));
        assertTrue(refused("url=https://exa%0Ample.com\n").getMessage().contains("newline in its host"));
        assertTrue(refused("url=https://example.com/a%0ab\n").getMessage().contains("newline in its path"));
    }

    private static CredentialDescription read(String input) throws GitProtocolException, IOException {
        return CredentialDescription.read(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
    }

    private static GitProtocolException refused(String input) {
        GitProtocolException e = assertThrows(GitProtocolException.class, () -> read(input));
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        return e;
    }
}
