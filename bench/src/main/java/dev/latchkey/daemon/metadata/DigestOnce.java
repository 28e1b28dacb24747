package dev.latchkey.daemon.metadata;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * One SHA-256 in a fresh JVM, latchkey's own or the JDK's (through its providers), for
 * HandWrittenBench. Prints the nanoseconds it took, class loading included.
 */
public final class DigestOnce {
    private DigestOnce() {
    }

    public static void main(String[] args) throws Exception {
        byte[] message = "a salt of sixteen bytes and a token".getBytes(StandardCharsets.UTF_8);
        long start = System.nanoTime();
        byte[] digest = args[0].equals("library") ? MessageDigest.getInstance("SHA-256").digest(message) : Sha256.digest(message);
        long took = System.nanoTime() - start;
        if (digest.length != 32) { // that the two agree, Sha256Test checks: here the JDK's must not load for the other
            throw new IllegalStateException("not a SHA-256 digest");
        }
        System.out.println(took);
    }
}
