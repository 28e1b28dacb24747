package dev.latchkey.caller.relay;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for the latchkey daemon's side of docs/relay-protocol.md, which is written elsewhere:
 * it listens on a real Unix socket, accepts one connection and plays the test's script on it, a
 * frame at a time. Whatever goes wrong in the script (a frame of the wrong form included) comes out
 * of {@link #awaitPlayed()}.
 */
final class FakeDaemon implements AutoCloseable {
    static final String HELLO = "{\"v\":[1],\"server\":\"latchkey/test\"}\n";

    /** What the daemon does with one connection. */
    interface Script {
        void play(Conversation conversation) throws Exception;
    }

    private final ServerSocketChannel server;
    private final CompletableFuture<Conversation> played = new CompletableFuture<>();

    FakeDaemon(Path socket, Script script) throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread thread = new Thread(() -> {
            try (SocketChannel channel = server.accept()) {
                Conversation conversation = new Conversation(channel);
                script.play(conversation);
                played.complete(conversation);
            } catch (Throwable t) {
                played.completeExceptionally(t);
            }
        }, "fake-daemon");
        thread.setDaemon(true);
        thread.start();
    }

    /** Waits for the script to end, and gives what it saw; its failure is the test's. */
    Conversation awaitPlayed() throws Exception {
        try {
            return played.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw (Exception) e.getCause();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    /** One connection: the caller's header and stdin as they came, and the daemon's frames. */
    static final class Conversation {
        private final InputStream in;
        private final OutputStream out;
        private final ByteArrayOutputStream rawHeader = new ByteArrayOutputStream();
        private final List<String> header = new ArrayList<>();
        private final ByteArrayOutputStream stdin = new ByteArrayOutputStream();
        private boolean ended;

        Conversation(SocketChannel channel) {
            in = new BufferedInputStream(Channels.newInputStream(channel));
            out = Channels.newOutputStream(channel);
        }

        /** The line up to its newline, without it; null at the end of the connection. */
        byte[] readLineBytes() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    return line.size() == 0 ? null : fail("the connection ended inside a line");
                }
                line.write(b);
            }
            return line.toByteArray();
        }

        String readLine() throws IOException {
            byte[] line = readLineBytes();
            return line == null ? null : new String(line, StandardCharsets.UTF_8);
        }

        /** Reads the header up to its empty line. */
        List<String> readHeader() throws IOException {
            for (String line = readLine(); !line.isEmpty(); line = readLine()) {
                header.add(line);
                rawHeader.writeBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return header;
        }

        /** Reads one caller frame: an {@code in} block, kept with the stdin read so far, or {@code end}. */
        void readFrame() throws IOException {
            String line = readLine();
            if ("end".equals(line)) {
                ended = true;
                return;
            }
            if (line == null || !line.matches("in [1-9][0-9]*")) {
                fail("not a caller frame: " + line);
            }
            int n = Integer.parseInt(line.substring(3));
            if (n > 65536) {
                fail("an in frame of " + n + " bytes");
            }
            byte[] block = in.readNBytes(n);
            if (block.length != n) {
                fail("the connection ended inside an in block");
            }
            stdin.writeBytes(block);
        }

        /** Reads frames until at least {@code total} stdin bytes came. */
        void readStdinUntil(int total) throws IOException {
            while (stdin.size() < total) {
                if (ended) {
                    fail("stdin ended after " + stdin.size() + " of " + total + " bytes");
                }
                readFrame();
            }
        }

        /** Reads frames until the caller's stdin ended. */
        void readStdinToEnd() throws IOException {
            while (!ended) {
                readFrame();
            }
        }

        /** Reads until the caller closes the connection. */
        void awaitClose() throws IOException {
            in.transferTo(OutputStream.nullOutputStream());
        }

        void hello() throws IOException {
            line(HELLO.substring(0, HELLO.length() - 1));
        }

        void out(byte[] bytes) throws IOException {
            block("out", bytes);
        }

        void err(byte[] bytes) throws IOException {
            block("err", bytes);
        }

        void done(long k) throws IOException {
            line("done " + k);
        }

        void exit(int status) throws IOException {
            line("exit " + status);
        }

        void here(String why) throws IOException {
            line("here " + why);
        }

        void line(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        private void block(String kind, byte[] bytes) throws IOException {
            out.write((kind + " " + bytes.length + "\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
        }

        List<String> header() {
            return header;
        }

        byte[] rawHeader() {
            return rawHeader.toByteArray();
        }

        byte[] stdin() {
            return stdin.toByteArray();
        }

        boolean ended() {
            return ended;
        }

        private static <T> T fail(String message) {
            throw new AssertionError(message);
        }
    }
}
