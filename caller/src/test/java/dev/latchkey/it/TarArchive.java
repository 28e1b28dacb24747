package dev.latchkey.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * A tar archive of regular files, written by hand (the JDK has no tar writer): ustar headers,
 * mode 0644, owner 0, time 0, so the same files always give the same bytes, hence the same
 * digests. For an OCI image's layer and an npm package's tarball.
 */
final class TarArchive {
    private static final int BLOCK = 512;

    private TarArchive() {
    }

    /** The archive of {@code files} (name to content), in the map's order. */
    static byte[] of(Map<String, byte[]> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        files.forEach((name, content) -> {
            out.writeBytes(header(name, content.length));
            out.writeBytes(content);
            out.writeBytes(new byte[padding(content.length)]);
        });
        out.writeBytes(new byte[2 * BLOCK]); // the end-of-archive marker
        return out.toByteArray();
    }

    /** gzip of {@code bytes}; the JDK writes no name and time 0 in the header, so this too is reproducible. */
    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] header(String name, int size) {
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length > 100) {
            throw new IllegalArgumentException("a name of at most 100 characters fits a plain ustar header: " + name);
        }
        byte[] header = new byte[BLOCK];
        System.arraycopy(nameBytes, 0, header, 0, nameBytes.length);
        octal(header, 100, 8, 0644);          // mode
        octal(header, 108, 8, 0);             // uid
        octal(header, 116, 8, 0);             // gid
        octal(header, 124, 12, size);         // size
        octal(header, 136, 12, 0);            // mtime
        header[156] = '0';                    // a regular file
        ascii(header, 257, "ustar\0");
        ascii(header, 263, "00");
        // The checksum is the sum of the header's bytes with its own field read as spaces.
        ascii(header, 148, "        ");
        int sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        octal(header, 148, 7, sum);
        header[155] = ' ';
        return header;
    }

    /** {@code value} as zero-padded octal digits filling {@code length - 1} bytes, then NUL. */
    private static void octal(byte[] header, int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        ascii(header, offset, "0".repeat(length - 1 - digits.length()) + digits + "\0");
    }

    private static void ascii(byte[] header, int offset, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }

    private static int padding(int size) {
        return (BLOCK - size % BLOCK) % BLOCK;
    }
}
