package dev.latchkey.it;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Structure;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.store.Arrival;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.StoredToken;
import dev.latchkey.daemon.store.keychain.OperatingSystem;
import dev.latchkey.daemon.store.secretservice.SecretServiceStore;
import dev.latchkey.protocol.Secret;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The child JVM of {@code KeyringSoakIT}: many gets through the libsecret store against the real
 * keyring, with a forced garbage collection after each, so that a double free or a use after
 * free (JNA memory collected while native code still holds it) crashes here, and a per-call leak
 * shows as native memory that keeps growing. Prints one line of {@code key=value} pairs: the least
 * native heap in use and resident memory seen in the first and in the last fifth of the gets.
 *
 * <p>Arguments: index URL, number of gets, gets to run before the first measurement.
 */
public final class KeyringSoak {
    private KeyringSoak() {
    }

    /** glibc's {@code struct mallinfo2}: every field a {@code size_t}. */
    @Structure.FieldOrder({"arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost"})
    public static class MallInfo extends Structure implements Structure.ByValue {
        public long arena;
        public long ordblks;
        public long smblks;
        public long hblks;
        public long hblkhd;
        public long usmblks;
        public long fsmblks;
        public long uordblks;
        public long fordblks;
        public long keepcost;
    }

    /** The C library's allocator statistics: what native code holds, which RSS blurs with freed-but-kept pages. */
    interface GlibcMalloc extends Library {
        MallInfo mallinfo2();
    }

    public static void main(String[] args) throws Exception {
        String indexUrl = args[0];
        int gets = Integer.parseInt(args[1]);
        int warmUp = Integer.parseInt(args[2]);
        GlibcMalloc malloc = Native.load("c", GlibcMalloc.class);
        SecretServiceStore store = new SecretServiceStore(OperatingSystem.current(), Environment.ofProcess());
        RegistryKey registry = new RegistryKey(indexUrl, null);
        Secret expected = Secret.fromString("soak-token-" + ProcessHandle.current().pid());
        store.put(registry, StoredToken.plain(expected));
        int wrong = 0;
        // The least memory in use over a window of gets: transient peaks (garbage JNA memory not yet
        // freed by its cleaner thread, compiler arenas) drop out, what is never freed stays.
        long[] leastInUse = {Long.MAX_VALUE, Long.MAX_VALUE};
        long[] leastResident = {Long.MAX_VALUE, Long.MAX_VALUE};
        int window = gets / 5;
        for (int i = 0; i < warmUp + gets; i++) {
            int measured = i - warmUp;
            int slot = measured >= 0 && measured < window ? 0 : measured >= gets - window ? 1 : -1;
            if (slot >= 0 && measured % 50 == 0) {
                leastInUse[slot] = Math.min(leastInUse[slot], inUseKilobytes(malloc));
                leastResident[slot] = Math.min(leastResident[slot], residentKilobytes());
            }
            List<StoredToken> got = store.get(registry, Arrival.NOW);
            if (got.size() != 1 || !got.get(0).secret().equals(expected)) {
                wrong++;
            }
            got.forEach(token -> token.secret().wipe());
            System.gc();
        }
        store.erase(registry);
        System.out.println("gets=" + gets + " wrong=" + wrong + " gets-between-windows=" + (gets - window)
                + " malloc-kb-first-window=" + leastInUse[0] + " malloc-kb-last-window=" + leastInUse[1]
                + " rss-kb-first-window=" + leastResident[0] + " rss-kb-last-window=" + leastResident[1]);
    }

    /** Bytes handed out by malloc and not freed: the main arena (the only one under MALLOC_ARENA_MAX=1) plus mmapped blocks. */
    private static long inUseKilobytes(GlibcMalloc malloc) {
        MallInfo info = malloc.mallinfo2();
        return (info.uordblks + info.hblkhd) / 1024;
    }

    /** RssAnon from /proc: resident anonymous memory (heaps, stacks), not the shared libraries' pages. */
    private static long residentKilobytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("RssAnon:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no RssAnon in /proc/self/status");
    }
}
