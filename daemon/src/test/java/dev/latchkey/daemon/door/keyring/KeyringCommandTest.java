package dev.latchkey.daemon.door.keyring;

import dev.latchkey.daemon.door.HostPort;
import dev.latchkey.daemon.door.keyring.KeyringCommand.Mode;
import dev.latchkey.daemon.door.keyring.KeyringCommand.Operation;
import dev.latchkey.daemon.door.keyring.KeyringCommand.Output;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Golden tests on the command lines pip 23.2.1 and twine 4.0.2 ran (the front-ends reference), and on newer pip's. */
class KeyringCommandTest {
    @Test
    void pipAsksByIndexUrlThenByNetloc() throws Exception {
        KeyringCommand byUrl = parse("get", "http://127.0.0.1:45031/simple/", "alice");
        assertEquals(Operation.GET, byUrl.operation());
        assertEquals(Mode.PASSWORD, byUrl.mode());
        assertEquals(Output.PLAIN, byUrl.output());
        assertEquals(new KeyringService("http", new HostPort("127.0.0.1", 45031), "/simple/"), byUrl.service());
        assertEquals("alice", byUrl.username());

        KeyringCommand byNetloc = parse("get", "127.0.0.1:45031", "alice");
        assertEquals(new KeyringService(null, new HostPort("127.0.0.1", 45031), null), byNetloc.service());
        assertTrue(byNetloc.service().isNetloc());
    }

    @Test
    void pipSavesByNetloc() throws Exception {
        KeyringCommand set = parse("set", "127.0.0.1:45031", "alice");
        assertEquals(Operation.SET, set.operation());
        assertTrue(set.service().isNetloc());
        assertEquals(Operation.DEL, parse("del", "127.0.0.1:45031", "alice").operation());
    }

    @Test
    void twineAsksForCredentialsWithoutAUsername() throws Exception {
        KeyringCommand creds = parse("--mode", "creds", "get", "http://127.0.0.1:45031/");
        assertEquals(Mode.CREDS, creds.mode());
        assertNull(creds.username());
        assertEquals("/", creds.service().path());
    }

    @Test
    void newerPipAsksForJsonCredentialsInEitherOptionForm() throws Exception {
        KeyringCommand equals = parse("--mode=creds", "--output=json", "get", "https://pypi.example.com/simple/");
        KeyringCommand spaced = parse("--mode", "creds", "--output", "json", "get", "https://pypi.example.com/simple/", "bob");
        KeyringCommand after = parse("get", "https://pypi.example.com/simple/", "--output=json", "--mode=creds");
        for (KeyringCommand c : List.of(equals, spaced, after)) {
            assertEquals(Mode.CREDS, c.mode());
            assertEquals(Output.JSON, c.output());
            assertEquals("https", c.service().scheme());
            assertEquals("pypi.example.com", c.service().hostPort().toString());
        }
        assertEquals("bob", spaced.username());
        assertEquals("-dash-user", parse("get", "h.example", "--", "-dash-user").username());
    }

    @Test
    void aUrlWithoutAPathHasTheRootPathAndHostsAreLowerCased() throws Exception {
        assertEquals(new KeyringService("https", new HostPort("pypi.example.com", HostPort.NO_PORT), "/"),
                parse("get", "HTTPS://PyPI.example.com", "u").service());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b.example", "h\u0000.example", "h\u00e9.example", "ftp://h.example/", "https://alice:pw@h.example/simple/",
            "alice@h.example", "h.example/simple/", "https://h.example/simple/?x=1", "https://h.example/#f", "h.example:0", "https://"})
    void aHostileOrWrongServiceIsRefused(String service) {
        KeyringProtocolException e = assertThrows(KeyringProtocolException.class, () -> parse("get", service, "alice"));
        assertTrue(e.getMessage().startsWith("the service "), e.getMessage());
        assertFalse(e.getMessage().contains("pw@"), e.getMessage());
    }

    @Test
    void aCommandLineKeyringWouldRefuseOrThatChoosesKeyringsMachineryIsRefused() {
        assertEquals("an operation is needed: get, set or del", refused().getMessage());
        assertEquals("the operation is not get, set or del", refused("diagnose").getMessage());
        assertEquals("get needs a USERNAME after the SERVICE (or --mode creds)", refused("get", "h.example").getMessage());
        assertEquals("set needs a SERVICE and a USERNAME", refused("set").getMessage());
        assertEquals("set needs a USERNAME after the SERVICE", refused("--mode=creds", "set", "h.example").getMessage());
        assertEquals("--mode takes password or creds", refused("--mode", "all", "get", "h.example", "u").getMessage());
        assertEquals("--output takes plain or json", refused("--output=yaml", "get", "h.example", "u").getMessage());
        assertEquals("--mode needs a value", refused("get", "h.example", "u", "--mode").getMessage());
        assertTrue(refused("-b", "keyring.backends.fail.Keyring", "get", "h.example", "u").getMessage().startsWith("the option -b "));
        assertTrue(refused("--keyring-path=/tmp", "get", "h.example", "u").getMessage().startsWith("the option --keyring-path "));
        assertEquals("there is more on the command line than OPERATION SERVICE USERNAME",
                refused("get", "h.example", "u", "extra").getMessage());
        assertEquals("the USERNAME is empty or holds a control character", refused("get", "h.example", "").getMessage());
        assertEquals("the USERNAME is empty or holds a control character", refused("get", "h.example", "a\nb").getMessage());
    }

    private static KeyringCommand parse(String... argv) throws KeyringProtocolException {
        return KeyringCommand.parse(List.of(argv));
    }

    private static KeyringProtocolException refused(String... argv) {
        return assertThrows(KeyringProtocolException.class, () -> parse(argv));
    }
}
