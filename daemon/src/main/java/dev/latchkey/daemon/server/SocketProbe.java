package dev.latchkey.daemon.server;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Whether a latchkey daemon answers on a socket: it accepts the connection and says hello in time. */
public final class SocketProbe {
    private static final long HELLO_MILLIS = 2000;

    private SocketProbe() {
    }

    public static boolean answers(Path socket) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
             Selector selector = Selector.open()) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            ByteBuffer hello = ByteBuffer.allocate(256);
            long giveUp = System.currentTimeMillis() + HELLO_MILLIS;
            while (hello.hasRemaining()) {
                long left = giveUp - System.currentTimeMillis();
                if (left <= 0 || selector.select(left) == 0) {
                    return false; // something listens but does not speak: not a daemon that can serve
                }
                selector.selectedKeys().clear();
                if (channel.read(hello) < 0) {
                    break;
                }
                if (new String(hello.array(), 0, hello.position(), StandardCharsets.UTF_8).contains("\n")) {
                    break;
                }
            }
            return new String(hello.array(), 0, hello.position(), StandardCharsets.UTF_8).startsWith("{\"v\":");
        } catch (IOException e) {
            return false; // no file, or nobody listening on it: a socket left by a daemon that was killed
        }
    }
}
