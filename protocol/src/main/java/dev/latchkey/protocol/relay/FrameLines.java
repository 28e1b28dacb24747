package dev.latchkey.protocol.relay;

import dev.latchkey.protocol.MalformedMessageException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** The text lines of the relay's frames: UTF-8, {@code \n}-terminated, of bounded length. */
final class FrameLines {
    private FrameLines() {
    }

    /**
     * The next line without its {@code \n}; null when the stream ends before any byte of it.
     *
     * @throws MalformedMessageException when the line is longer than {@code max} or the stream ends within it
     */
    static String read(InputStream in, int max) throws IOException, MalformedMessageException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
            if (line.size() == max) {
                throw new MalformedMessageException("a relay frame's line is longer than " + max + " bytes");
            }
            line.write(b);
        }
        if (line.size() == 0) {
            return null;
        }
        throw new MalformedMessageException("the relay's connection ended within a line");
    }
}
