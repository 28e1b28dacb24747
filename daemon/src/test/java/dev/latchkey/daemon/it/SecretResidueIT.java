package dev.latchkey.daemon.it;

import dev.latchkey.client.LatchkeyClient;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where a token must not be left: in the daemon's heap once it is erased (a heap dump after a
 * forced GC holds no copy, in UTF-8, UTF-16LE or UTF-16BE), and in the command line or the
 * environment of any latchkey process, a daemon started by a client whose environment holds a
 * token included.
 */
class SecretResidueIT {
    private static final List<Charset> ENCODINGS = List.of(StandardCharsets.UTF_8, StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE);

    private DaemonSandbox sandbox;

    @BeforeEach
    void sandbox() throws Exception {
        sandbox = new DaemonSandbox();
    }

    @AfterEach
    void cleanUp() throws Exception {
        sandbox.close();
    }

    @Test
    void anErasedTokenLeavesNoCopyInTheDaemonsHeap() throws Exception {
        sandbox.config("stores = [\"file\", \"memory\"]\n");
        long pid = sandbox.startDaemon().pid();
        Registry inFile = Registry.byUrl("https://residue.example/file/");
        Registry inMemory = Registry.byUrl("https://residue.example/memory/");
        String fileToken = "lk-residue-file-4f1c9a7e2b";
        String memoryToken = "lk-residue-memory-8d3e5b1f0a";

        // Stored through the command line, as a user does; read back through the client library, as tools do.
        DaemonSandbox.Result stored = sandbox.run(fileToken + "\n", "store", inFile.indexUrl(), "--store", "file");
        assertEquals(0, stored.exit(), stored.stderr());
        try (LatchkeyClient client = sandbox.client()) {
            try (Secret token = Secret.copyOf(memoryToken.toCharArray())) {
                client.store(inMemory, token, null, java.util.Set.of(), "memory");
            }
            for (int i = 0; i < 20; i++) {
                for (Registry registry : List.of(inFile, inMemory)) {
                    client.get(registry).token().wipe();
                }
                client.list();
            }
            assertNoTokenIn(pid, List.of(fileToken, memoryToken));

            // The memory store holds its token until erased: the dump must show it, or the search proves nothing.
            Path before = heapDump(pid, "before");
            assertTrue(copies(before, memoryToken) > 0, "a token the daemon holds is found in its heap dump");
            assertEquals(0, copies(before, fileToken), "between requests the daemon keeps no copy of a token it read from a file");

            client.erase(inMemory, "memory");
        }
        DaemonSandbox.Result erased = sandbox.run(null, "erase", inFile.indexUrl());
        assertEquals(0, erased.exit(), erased.stderr());

        Path after = heapDump(pid, "after");
        for (String token : List.of(fileToken, memoryToken)) {
            assertEquals(0, copies(after, token), "copies of an erased token left in the daemon's heap");
        }
    }

    @Test
    void aDaemonStartedFromAnEnvironmentWithTokensDoesNotInheritThem() throws Exception {
        String token = "lk-residue-environment-6a2d9c4e";
        List<String> client = new ArrayList<>(List.of(DaemonSandbox.JAVA, "-cp", System.getProperty("java.class.path"),
                StartingClient.class.getName(), sandbox.socket.toString(), sandbox.launcher().toString()));
        ProcessBuilder builder = sandbox.builder(client);
        builder.environment().put("CARGO_REGISTRY_TOKEN", token);
        builder.environment().put("CARGO_REGISTRIES_COMPANY_TOKEN", token);
        Process process = sandbox.start(builder);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the client finishes");
        String said = Files.readString(builder.redirectOutput().file().toPath()).trim();
        assertEquals(0, process.exitValue(), said + Files.readString(builder.redirectError().file().toPath()));
        long pid = Long.parseLong(said);
        assertEquals(List.of(pid), sandbox.daemons().stream().map(ProcessHandle::pid).toList(), "the client started the daemon");

        String environment = Files.readString(Path.of("/proc", Long.toString(pid), "environ"), StandardCharsets.ISO_8859_1);
        assertFalse(environment.contains("CARGO_REGISTRY_TOKEN") || environment.contains("CARGO_REGISTRIES_COMPANY_TOKEN"),
                "the daemon's environment holds no token variable");
        assertNoTokenIn(pid, List.of(token));
    }

    /** Neither the command line nor the environment of {@code pid}, nor of any other latchkey process of this sandbox, holds a token. */
    private void assertNoTokenIn(long pid, List<String> tokens) throws IOException {
        List<Long> pids = new ArrayList<>(List.of(pid));
        sandbox.daemons().forEach(p -> pids.add(p.pid()));
        for (long each : pids) {
            for (String file : List.of("cmdline", "environ")) {
                String text = Files.readString(Path.of("/proc", Long.toString(each), file), StandardCharsets.ISO_8859_1);
                for (String token : tokens) {
                    assertFalse(text.contains(token), "a token in /proc/" + each + "/" + file);
                }
            }
        }
    }

    /** A dump of the objects still reachable, after a full GC (which {@code GC.heap_dump} itself also runs). */
    private Path heapDump(long pid, String name) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Path dump = sandbox.root.resolve(name + ".hprof");
        for (List<String> command : List.of(List.of("GC.run"), List.of("GC.heap_dump", dump.toString()))) {
            List<String> full = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
            full.addAll(command);
            DaemonSandbox.Result ran = sandbox.run(null, full);
            assertEquals(0, ran.exit(), ran.stdout() + ran.stderr());
        }
        assertTrue(Files.size(dump) > 0, "jcmd wrote the dump");
        return dump;
    }

    /** How many times {@code token} appears in the file, in any of the encodings a JVM keeps text in. */
    private static int copies(Path file, String token) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int count = 0;
        for (Charset encoding : ENCODINGS) {
            count += occurrences(bytes, token.getBytes(encoding));
        }
        return count;
    }

    private static int occurrences(byte[] haystack, byte[] needle) {
        int count = 0;
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            count++;
        }
        return count;
    }
}
