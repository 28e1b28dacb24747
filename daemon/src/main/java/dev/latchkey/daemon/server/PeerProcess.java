package dev.latchkey.daemon.server;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;
import dev.latchkey.daemon.jna.JnaUnpackDirectory;

import java.lang.reflect.Method;
import java.nio.channels.SocketChannel;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The pid of the process at the other end of a Unix socket, for the audit log. The JDK's
 * {@code SO_PEERCRED} option keeps only the user and group, so this asks the kernel itself:
 * {@code getsockopt(fd, SOL_SOCKET, SO_PEERCRED)} through JNA, on the descriptor the JDK's channel
 * holds, reached through {@code sun.nio.ch}: the daemon's JVM is started with {@link #JVM_OPTION}
 * (by the launcher script and by {@code latchkey daemon} when it detaches). Not in the jar's
 * manifest: every process started with {@code -jar} would pay for it (about 15 ms), cargo's
 * provider included. Linux only; anywhere it cannot work (another OS or CPU family, JNA missing,
 * the package not exported) the pid is simply unknown, found out once.
 */
public final class PeerProcess {
    /** What the daemon's {@code java} command needs for this to work. */
    public static final String JVM_OPTION = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";

    /** SOL_SOCKET and SO_PEERCRED are 1 and 17 on these; other Linux ports (ppc, mips, sparc) number them otherwise. */
    private static final Set<String> KNOWN_ARCHES = Set.of("amd64", "x86_64", "aarch64", "arm", "riscv64", "x86", "i386");
    private static final int SOL_SOCKET = 1;
    private static final int SO_PEERCRED = 17;
    private static final int UCRED_SIZE = 12; // struct ucred { pid_t pid; uid_t uid; gid_t gid; }

    private PeerProcess() {
    }

    /** The raw C call, exactly as declared in {@code <sys/socket.h>}. */
    interface LibC extends Library {
        int getsockopt(int fd, int level, int name, Memory value, IntByReference length);
    }

    /** Made on first use; null when this platform cannot tell. */
    private static final class Binding {
        static final Binding INSTANCE = make();

        final LibC libc;
        final Method fdOf;

        private Binding(LibC libc, Method fdOf) {
            this.libc = libc;
            this.fdOf = fdOf;
        }

        private static Binding make() {
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
            if (!os.contains("linux") || !KNOWN_ARCHES.contains(arch)) {
                return null;
            }
            try {
                Class<?> channels = Class.forName("sun.nio.ch.SelChImpl");
                if (!channels.getModule().isExported(channels.getPackageName(), PeerProcess.class.getModule())) {
                    return null; // not exported to us: this JVM was started without JVM_OPTION
                }
                JnaUnpackDirectory.prepare();
                return new Binding(Native.load("c", LibC.class), channels.getMethod("getFDVal"));
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return null; // a JDK without that class, or no JNA or libc here
            }
        }
    }

    /** Loads what asking takes (JNA and libc, a few hundred ms) on a thread of its own, before the first client needs it. */
    static void prepareInBackground() {
        Thread loader = new Thread(() -> {
            Binding ignored = Binding.INSTANCE;
        }, "latchkey-peer-credentials");
        loader.setDaemon(true);
        loader.start();
    }

    /** The peer's pid, when the kernel can be asked. */
    static OptionalLong of(SocketChannel channel) {
        Binding binding = Binding.INSTANCE;
        if (binding == null) {
            return OptionalLong.empty();
        }
        try {
            int fd = (Integer) binding.fdOf.invoke(channel);
            Memory credentials = new Memory(UCRED_SIZE);
            IntByReference length = new IntByReference(UCRED_SIZE);
            if (binding.libc.getsockopt(fd, SOL_SOCKET, SO_PEERCRED, credentials, length) != 0 || length.getValue() < 4) {
                return OptionalLong.empty();
            }
            int pid = credentials.getInt(0);
            return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return OptionalLong.empty();
        }
    }
}
