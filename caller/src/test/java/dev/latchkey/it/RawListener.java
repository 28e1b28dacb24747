package dev.latchkey.it;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * An impostor with nothing but the JDK, run as another user by {@code DaemonSecurityIT}: listens on
 * the socket path given as its argument, greets each client as a latchkey daemon would, and
 * prints everything a client sends it, to show that latchkey sends it nothing.
 */
public final class RawListener {
    private RawListener() {
    }

    public static void main(String[] args) throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(Path.of(args[0])));
            System.out.println("listening");
            System.out.flush();
            while (true) {
                try (SocketChannel client = server.accept()) {
                    client.write(ByteBuffer.wrap("{\"v\":[1],\"server\":\"latchkey/impostor\"}\n".getBytes(StandardCharsets.UTF_8)));
                    ByteBuffer received = ByteBuffer.allocate(64 * 1024);
                    try {
                        while (client.read(received) >= 0 && received.hasRemaining()) {
                            // everything the client sends, until it hangs up
                        }
                    } catch (IOException e) {
                        // reset by a client that went away
                    }
                    System.out.println("received: " + new String(received.array(), 0, received.position(), StandardCharsets.UTF_8));
                    System.out.flush();
                }
            }
        }
    }
}
