package dev.latchkey.daemon.store.encrypted;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The test vectors of RFC 7914: the Salsa20/8 core (§8), PBKDF2-HMAC-SHA256 with one iteration
 * (§11) and scrypt itself (§12). The fourth scrypt vector (N = 2^20, 1 GiB) is left out: too much
 * memory for a shared test machine, and it exercises no code path the third does not.
 */
class ScryptTest {
    private static byte[] hex(String text) {
        return HexFormat.of().parseHex(text.replace(" ", "").replace("\n", ""));
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void salsa20x8CoreMatchesSection8() {
        byte[] input = hex("7e879a21 4f3ec986 7ca940e6 41718f26 baee555b 8c61c1b5 0df84611 6dcd3b1d"
                + "ee24f319 df9b3d85 14121e4b 5ac5aa32 76021d29 09c74829 edebc68d b8b8c25e");
        int[] words = new int[16];
        ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(words);
        Scrypt.salsa20x8(words);
        ByteBuffer output = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        output.asIntBuffer().put(words);
        assertArrayEquals(hex("a41f859c 6608cc99 3b81cacb 020cef05 044b2181 a2fd337d fd7b1c63 96682f29"
                + "b4393168 e3c9e6bc fe6bc5b7 a06d96ba e424cc10 2c91745c 24ad673d c7618f81"), output.array());
    }

    @Test
    void pbkdf2WithOneIterationMatchesSection11() {
        assertArrayEquals(hex("55 ac 04 6e 56 e3 08 9f ec 16 91 c2 25 44 b6 05 f9 41 85 21 6d de 04 65 e6 8b 9d 57 c2 0d ac bc"
                        + "49 ca 9c cc f1 79 b6 45 99 16 64 b3 9d 77 ef 31 7c 71 b8 45 b1 e3 0b d5 09 11 20 41 d3 a1 97 83"),
                Scrypt.pbkdf2Sha256(ascii("passwd"), ascii("salt"), 64));
    }

    @Test
    void emptyPassphraseAndSaltMatchSection12FirstVector() {
        assertArrayEquals(hex("77 d6 57 62 38 65 7b 20 3b 19 ca 42 c1 8a 04 97 f1 6b 48 44 e3 07 4a e8 df df fa 3f ed e2 14 42"
                        + "fc d0 06 9d ed 09 48 f8 32 6a 75 3a 0f c8 1f 17 e8 d3 e0 fb 2e 0d 36 28 cf 35 e2 0c 38 d1 89 06"),
                Scrypt.derive(new byte[0], new byte[0], 4, 1, 1, 64));
    }

    @Test
    void parallelismSixteenMatchesSection12SecondVector() {
        assertArrayEquals(hex("fd ba be 1c 9d 34 72 00 78 56 e7 19 0d 01 e9 fe 7c 6a d7 cb c8 23 78 30 e7 73 76 63 4b 37 31 62"
                        + "2e af 30 d9 2e 22 a3 88 6f f1 09 27 9d 98 30 da c7 27 af b9 4a 83 ee 6d 83 60 cb df a2 cc 06 40"),
                Scrypt.derive(ascii("password"), ascii("NaCl"), 10, 8, 16, 64));
    }

    @Test
    void sixteenMebibytesMatchesSection12ThirdVector() {
        assertArrayEquals(hex("70 23 bd cb 3a fd 73 48 46 1c 06 cd 81 fd 38 eb fd a8 fb ba 90 4f 8e 3e a9 b5 43 f6 54 5d a1 f2"
                        + "d5 43 29 55 61 3f 0f cf 62 d4 97 05 24 2a 9a f9 e6 1e 85 dc 0d 65 1e 40 df cf 01 7b 45 57 58 87"),
                Scrypt.derive(ascii("pleaseletmein"), ascii("SodiumChloride"), 14, 8, 1, 64));
    }

    @Test
    void aShortOutputIsThePrefixOfALongOne() {
        byte[] long64 = Scrypt.derive(ascii("pw"), ascii("salt"), 4, 2, 1, 64);
        byte[] short32 = Scrypt.derive(ascii("pw"), ascii("salt"), 4, 2, 1, 32);
        assertEquals(32, short32.length);
        assertArrayEquals(java.util.Arrays.copyOf(long64, 32), short32);
    }

    @Test
    void parametersOutsideTheAlgorithmsDomainAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Scrypt.derive(ascii("pw"), ascii("s"), 0, 8, 1, 32));
        assertThrows(IllegalArgumentException.class, () -> Scrypt.derive(ascii("pw"), ascii("s"), 4, 0, 1, 32));
        assertThrows(IllegalArgumentException.class, () -> Scrypt.derive(ascii("pw"), ascii("s"), 4, 8, 0, 32));
        assertThrows(IllegalArgumentException.class, () -> Scrypt.derive(ascii("pw"), ascii("s"), 31, 8, 1, 32));
    }
}
