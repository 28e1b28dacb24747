package dev.latchkey.protocol.socket;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** docs/daemon.md, "The socket": where the daemon's socket is, by the environment. */
class SocketLocationTest {
    private static final Path HOME = Path.of("/home/alice");
    private static final Path CWD = Path.of("/home/alice/project");

    @Test
    void latchkeySocketWinsAndIsExpandedLikeAPath() {
        assertEquals(Path.of("/run/custom.sock"), SocketLocation.resolve(
                Map.of("LATCHKEY_SOCKET", "/run/custom.sock", "XDG_RUNTIME_DIR", "/run/user/1000"), HOME, CWD));
        assertEquals(HOME.resolve("sockets/lk.sock"), SocketLocation.resolve(Map.of("LATCHKEY_SOCKET", "~/sockets/lk.sock"), HOME, CWD));
        assertEquals(CWD.resolve("lk.sock"), SocketLocation.resolve(Map.of("LATCHKEY_SOCKET", "lk.sock"), HOME, CWD));
    }

    @Test
    void thenTheRuntimeDirectoryThenTheCache() {
        assertEquals(Path.of("/run/user/1000/latchkey/daemon.sock"),
                SocketLocation.resolve(Map.of("XDG_RUNTIME_DIR", "/run/user/1000", "XDG_CACHE_HOME", "/c"), HOME, CWD));
        assertEquals(Path.of("/c/latchkey/daemon.sock"), SocketLocation.resolve(Map.of("XDG_CACHE_HOME", "/c"), HOME, CWD));
        assertEquals(HOME.resolve(".cache/latchkey/daemon.sock"), SocketLocation.resolve(Map.of(), HOME, CWD));
    }

    @Test
    void anEmptyOrRelativeVariableCountsAsUnset() {
        assertEquals(HOME.resolve(".cache/latchkey/daemon.sock"),
                SocketLocation.resolve(Map.of("LATCHKEY_SOCKET", "", "XDG_RUNTIME_DIR", "", "XDG_CACHE_HOME", "relative"), HOME, CWD));
    }
}
