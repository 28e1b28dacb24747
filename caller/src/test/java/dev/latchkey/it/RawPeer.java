package dev.latchkey.it;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * A client with nothing but the JDK, run as another user by {@code DaemonSecurityIT}: connects to
 * the socket given as its argument, asks for the daemon's status, and prints whatever comes back
 * until the daemon closes the connection, or why it could not connect.
 */
public final class RawPeer {
    private RawPeer() {
    }

    public static void main(String[] args) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                channel.connect(UnixDomainSocketAddress.of(args[0]));
            } catch (IOException e) {
                System.out.println("cannot connect: " + e.getMessage());
                return;
            }
            try {
                channel.write(ByteBuffer.wrap("{\"v\":1,\"id\":1,\"kind\":\"status\"}\n".getBytes(StandardCharsets.UTF_8)));
                channel.shutdownOutput(); // so that a daemon that serves us closes once it has answered
            } catch (IOException e) {
                // the daemon has already closed the connection; what it said is still to be read
            }
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            try {
                while (channel.read(buffer) >= 0 && buffer.hasRemaining()) {
                    // read until the daemon closes the connection
                }
            } catch (IOException e) {
                // A daemon that closes without reading our request resets the connection after its last line.
            }
            System.out.print(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
        }
    }
}
