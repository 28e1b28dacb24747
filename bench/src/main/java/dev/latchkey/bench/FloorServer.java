package dev.latchkey.bench;

import dev.latchkey.protocol.CacheControl;
import dev.latchkey.protocol.Dialect;
import dev.latchkey.protocol.Hello;
import dev.latchkey.protocol.Incoming;
import dev.latchkey.protocol.LineReader;
import dev.latchkey.protocol.RequestCodec;
import dev.latchkey.protocol.RequestLine;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.ResponseCodec;
import dev.latchkey.protocol.Secret;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The servers of the floors the daemon is measured against, each a process of its own with a
 * thread per connection, running until killed (the daemon serves its connections from one
 * selector thread; these do so little per request that their threads rarely contend):
 * <ul>
 *   <li>{@code echo SOCKET BYTES}: reads lines and answers each with a fixed line of {@code BYTES}
 *       (newline included); no JSON at all ({@link TransportFloor});</li>
 *   <li>{@code protocol SOCKET}: the latchkey protocol and nothing else: a hello, then each
 *       request parsed and answered with the benchmark's token, as the daemon's codec writes it;
 *       no store, no metadata book, no audit log ({@link DaemonThroughput}'s protocol-only server).</li>
 * </ul>
 */
public final class FloorServer {
    private FloorServer() {
    }

    /** Starts one in a process of its own, with this JVM's java, and returns once it listens. */
    static Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), FloorServer.class.getName()));
        command.addAll(List.of(args));
        Process server = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader ready = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.US_ASCII));
        if (!"ready".equals(ready.readLine())) {
            server.destroyForcibly();
            throw new IllegalStateException("the floor server " + args[0] + " did not start");
        }
        return server;
    }

    public static void main(String[] args) throws IOException {
        boolean echo = args[0].equals("echo");
        Path socket = Path.of(args[1]);
        byte[] answer = echo ? "x".repeat(Integer.parseInt(args[2]) - 1).concat("\n").getBytes(StandardCharsets.US_ASCII) : null;
        Files.deleteIfExists(socket);
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            System.out.println("ready");
            System.out.flush();
            while (true) {
                SocketChannel channel = listener.accept();
                Thread thread = new Thread(() -> {
                    try (channel) {
                        if (echo) {
                            answerEachLine(channel, answer);
                        } else {
                            speakTheProtocol(channel);
                        }
                    } catch (IOException e) {
                        // the benchmark went away
                    }
                }, "floor-connection");
                thread.setDaemon(true);
                thread.start();
            }
        }
    }

    private static void answerEachLine(SocketChannel channel, byte[] answer) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(8192);
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
    }

    private static void speakTheProtocol(SocketChannel channel) throws IOException {
        InputStream in = Channels.newInputStream(channel);
        OutputStream out = Channels.newOutputStream(channel);
        out.write(Hello.line(Dialect.LATCHKEY, "floor"));
        LineReader reader = new LineReader(in);
        for (int length = reader.readLine(); length >= 0; length = reader.readLine()) {
            Incoming request = RequestCodec.parse(reader.buffer(), length);
            Response answer = new Response.Got(Secret.fromString(BenchSandbox.TOKEN), CacheControl.SESSION, null, true, "file");
            out.write(ResponseCodec.write(((RequestLine) request).id(), answer, Dialect.LATCHKEY));
        }
    }
}
