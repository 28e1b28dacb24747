package dev.latchkey.it;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An encrypted store file whose key is kept in the keychain, opened without any of latchkey's
 * code: the key fetched with libsecret's own {@code secret-tool}, the header read as docs/stores.md's
 * table lays it out, the body opened with the JDK's AES-GCM (the header its additional data), and
 * the token list read in the layout {@code TokenTable} documents. So the crash and concurrency
 * tests check the file itself, not only what latchkey says of it. (A passphrase-keyed file would
 * need a second scrypt, which the JDK does not have.)
 */
final class EncryptedFileFormat {
    static final String KEY_SCHEMA = "dev.latchkey.encrypted-store-key";
    private static final byte[] MAGIC = "LATCHKEY".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER_BYTES = 57;
    private static final int TAG_BITS = 128;
    private static final int NAME = 1;
    private static final int EXPIRATION = 2;
    private static final int CREATED = 4;
    private static final int UPDATED = 8;
    /** Keys already fetched, by key id: a file keeps its key id across writes. */
    private static final Map<String, byte[]> KEYS = new ConcurrentHashMap<>();

    private EncryptedFileFormat() {
    }

    /** The key id of a keychain-keyed file, in hex, as the keychain item's {@code key-id} attribute spells it. */
    static String keyId(byte[] file) {
        assertArrayEquals(MAGIC, Arrays.copyOfRange(file, 0, 8), "magic");
        assertEquals(1, file[8], "format version");
        assertEquals(2, file[9], "key kind: a random key kept in the keychain");
        assertArrayEquals(new byte[3], Arrays.copyOfRange(file, 10, 13), "no scrypt parameters");
        return HexFormat.of().formatHex(Arrays.copyOfRange(file, 13, 29));
    }

    /** Registry name to token, of a keychain-keyed file, with the key from the keyring of {@code env}'s session bus. */
    static Map<String, String> tokens(Path path, Map<String, String> env) throws Exception {
        byte[] file = Files.readAllBytes(path);
        byte[] key = KEYS.computeIfAbsent(keyId(file), id -> fetchKey(id, env));
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
                new GCMParameterSpec(TAG_BITS, Arrays.copyOfRange(file, 45, HEADER_BYTES)));
        gcm.updateAAD(file, 0, HEADER_BYTES);
        ByteBuffer in = ByteBuffer.wrap(gcm.doFinal(file, HEADER_BYTES, file.length - HEADER_BYTES));

        Map<String, String> tokens = new HashMap<>();
        long count = Integer.toUnsignedLong(in.getInt());
        for (long i = 0; i < count; i++) {
            int present = Byte.toUnsignedInt(in.get());
            in.get(); // operations
            text(in, Short.toUnsignedInt(in.getShort())); // index URL
            String name = (present & NAME) != 0 ? text(in, Short.toUnsignedInt(in.getShort())) : null;
            String token = text(in, in.getInt());
            for (int time : List.of(EXPIRATION, CREATED, UPDATED)) {
                if ((present & time) != 0) {
                    in.getLong();
                }
            }
            tokens.put(name, token);
        }
        assertFalse(in.hasRemaining(), "nothing follows the last token");
        return tokens;
    }

    /** The key items of {@code KEY_SCHEMA} labelled with {@code path}: one per key made for it, used or not. */
    private static List<String> keyIdsFor(Path path, Map<String, String> env) {
        ProcessRun.Result items = secretTool(env, "search", "--all", "xdg:schema", KEY_SCHEMA);
        List<String> ids = new ArrayList<>();
        String label = null;
        // secret-tool prints each item's label, then its attributes, on stdout and stderr; read both.
        for (String line : (items.stdout() + "\n" + items.stderr()).lines().toList()) {
            if (line.startsWith("label = ")) {
                label = line.substring("label = ".length());
            } else if (line.startsWith("attribute.key-id = ") && ("latchkey encrypted store key for " + path).equals(label)) {
                ids.add(line.substring("attribute.key-id = ".length()));
            }
        }
        return ids;
    }

    /** Removes every key item made for {@code path}, which exists: the one its header names among them. */
    static void forgetKeys(Path path, Map<String, String> env) throws IOException {
        List<String> ids = keyIdsFor(path, env);
        assertTrue(ids.contains(keyId(Files.readAllBytes(path))), "the keyring holds the file's key, labelled with the file: " + ids);
        for (String id : ids) {
            secretTool(env, "clear", "xdg:schema", KEY_SCHEMA, "key-id", id).assertSuccess();
            KEYS.remove(id);
        }
    }

    private static byte[] fetchKey(String keyId, Map<String, String> env) {
        String encoded = secretTool(env, "lookup", "xdg:schema", KEY_SCHEMA, "key-id", keyId).assertSuccess().stdout().trim();
        byte[] key = Base64.getDecoder().decode(encoded);
        assertEquals(32, key.length, "an AES-256 key");
        return key;
    }

    private static ProcessRun.Result secretTool(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(RequiredComponent.executable("secret-tool").toString()));
        command.addAll(List.of(args));
        return ProcessRun.of(command).environment(env).stdin("").run();
    }

    private static String text(ByteBuffer in, int length) {
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
