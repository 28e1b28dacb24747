package dev.latchkey.daemon.door.keyring;

import dev.latchkey.daemon.door.keyring.KeyringCommand.Output;
import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Golden tests on what pip writes to {@code keyring set} and reads from {@code keyring get}, in each output form. */
class KeyringMessagesTest {
    private static final String SECRET = "s3cret-never-quoted";

    @Test
    void setReadsThePasswordAndTheNewlinePipWrites() throws Exception {
        // Captured: pip 23.2.1 wrote the 6-character password and a newline (7 characters).
        assertEquals(Secret.fromString("s3cret"), KeyringMessages.readPassword(input("s3cret\n")));
        assertEquals(Secret.fromString("s3cret"), KeyringMessages.readPassword(input("s3cret")));
        assertEquals(Secret.fromString("s3cret\t x"), KeyringMessages.readPassword(input("s3cret\t x\n")));
    }

    @Test
    void aPasswordThatIsNotOneLineIsRefusedWithoutQuotingIt() {
        for (String stdin : new String[] {"", "\n", SECRET + "\n\n", SECRET + "\nmore\n", SECRET + "\r\n", SECRET + "\0"}) {
            KeyringProtocolException e = assertThrows(KeyringProtocolException.class, () -> KeyringMessages.readPassword(input(stdin)));
            assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        }
        assertThrows(KeyringProtocolException.class, () -> KeyringMessages.readPassword(input("a".repeat(70_000))));
    }

    @Test
    void getPrintsWhatKeyringsOwnCliPrints() throws Exception {
        Secret password = Secret.fromString("s3cret");
        assertEquals("s3cret\n", text(KeyringMessages.password(password, Output.PLAIN)));
        assertEquals("{\"password\": \"s3cret\"}\n", text(KeyringMessages.password(password, Output.JSON)));
        assertEquals("alice\ns3cret\n", text(KeyringMessages.credentials("alice", password, Output.PLAIN)));
        assertEquals("{\"username\": \"alice\", \"password\": \"s3cret\"}\n",
                text(KeyringMessages.credentials("alice", password, Output.JSON)));
    }

    @Test
    void plainOutputRefusesALineBreakThatJsonCarries() throws Exception {
        Secret twoLines = Secret.fromString("s3cr\net");
        KeyringProtocolException e = assertThrows(KeyringProtocolException.class,
                () -> KeyringMessages.password(twoLines, Output.PLAIN));
        assertFalse(e.getMessage().contains("s3cr"));
        assertEquals("{\"password\": \"s3cr\\net\"}\n", text(KeyringMessages.password(twoLines, Output.JSON)));
    }

    private static ByteArrayInputStream input(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
