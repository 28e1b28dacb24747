package dev.latchkey.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Looks for known tokens where none may be: in text a process printed, and in every file under a
 * directory but the ones allowed to hold them (their stores). A token counts as found in any plain
 * encoding: UTF-8, UTF-16 either way round, base64 (standard and URL-safe) and hex.
 */
final class TokenLeaks {
    private TokenLeaks() {
    }

    /** Fails when {@code text} (what {@code where} printed) holds any of {@code tokens}. */
    static void assertNotIn(String where, String text, List<String> tokens) {
        for (String token : tokens) {
            if (text.contains(token)) {
                fail(where + " shows a token:\n" + text.replace(token, "<THE TOKEN>"));
            }
        }
    }

    /** Fails when a file under {@code root} that is not {@code allowed} holds any of {@code tokens}; returns how many were read. */
    static int assertNoFileHolds(Path root, Predicate<Path> allowed, List<String> tokens) throws IOException {
        List<byte[]> needles = new ArrayList<>();
        for (String token : tokens) {
            needles.addAll(encodings(token));
        }
        int scanned = 0;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path file : paths.filter(p -> Files.isRegularFile(p) && !Files.isSymbolicLink(p)).toList()) {
                if (allowed.test(file)) {
                    continue;
                }
                byte[] content;
                try {
                    content = Files.readAllBytes(file);
                } catch (IOException e) {
                    continue; // a socket, or a file removed while we walked
                }
                scanned++;
                for (byte[] needle : needles) {
                    if (indexOf(content, needle) >= 0) {
                        fail(file + " holds a token (in one of its encodings); only its store may");
                    }
                }
            }
        }
        return scanned;
    }

    static List<byte[]> encodings(String token) {
        byte[] utf8 = token.getBytes(StandardCharsets.UTF_8);
        return List.of(utf8, token.getBytes(StandardCharsets.UTF_16LE), token.getBytes(StandardCharsets.UTF_16BE),
                Base64.getEncoder().withoutPadding().encodeToString(utf8).getBytes(StandardCharsets.US_ASCII),
                Base64.getUrlEncoder().withoutPadding().encodeToString(utf8).getBytes(StandardCharsets.US_ASCII),
                HexFormat.of().formatHex(utf8).getBytes(StandardCharsets.US_ASCII),
                HexFormat.of().withUpperCase().formatHex(utf8).getBytes(StandardCharsets.US_ASCII));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
