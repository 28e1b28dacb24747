package dev.latchkey.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The transport floor's server ({@link TransportFloor}): a process that does what the daemon's
 * transport does and nothing else. A thread per connection reads each line and answers it with a
 * fixed line as long as the daemon's answer to a get; no JSON, no store, no audit log. It
 * allocates nothing per line, so the JVM's flags make no difference; it runs until killed.
 * Arguments: the socket's path, and the answer's length in bytes with its newline.
 */
public final class EchoServer {
    private EchoServer() {
    }

    public static void main(String[] args) throws IOException {
        Path socket = Path.of(args[0]);
        Files.deleteIfExists(socket);
        int answerBytes = Integer.parseInt(args[1]);
        byte[] answer = "x".repeat(answerBytes - 1).concat("\n").getBytes(StandardCharsets.US_ASCII);
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            System.out.println("ready");
            System.out.flush();
            while (true) {
                SocketChannel channel = listener.accept();
                Thread thread = new Thread(() -> answerEachLine(channel, answer), "echo-connection");
                thread.setDaemon(true);
                thread.start();
            }
        }
    }

    private static void answerEachLine(SocketChannel channel, byte[] answer) {
        ByteBuffer in = ByteBuffer.allocate(8192);
        try (channel) {
            while (channel.read(in) >= 0) {
                // Answers as many lines as came whole; a line cut short waits for the rest.
                byte[] bytes = in.array();
                int lines = 0;
                int lineStart = 0;
                for (int i = 0; i < in.position(); i++) {
                    if (bytes[i] == '\n') {
                        lines++;
                        lineStart = i + 1;
                    }
                }
                int rest = in.position() - lineStart;
                if (rest == bytes.length) {
                    rest = 0; // no line is that long: drop it rather than wait forever for its end
                }
                System.arraycopy(bytes, lineStart, bytes, 0, rest);
                in.position(rest);
                for (int k = 0; k < lines; k++) {
                    ByteBuffer out = ByteBuffer.wrap(answer);
                    while (out.hasRemaining()) {
                        channel.write(out);
                    }
                }
            }
        } catch (IOException e) {
            // the benchmark went away
        }
    }
}
