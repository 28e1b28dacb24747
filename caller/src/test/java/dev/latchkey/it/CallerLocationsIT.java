package dev.latchkey.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real daemon started with one {@code CARGO_HOME}, asked by callers with another: each caller
 * is answered from its own cargo home, in its own process, never from the daemon's; callers with
 * the daemon's cargo home are served by the daemon. Who served a request is read from the audit
 * log: served in the process that was started for it, the asker is that process's parent (this
 * test); served by the daemon, the asker is the process that connected to it, whose parent is
 * this test.
 */
class CallerLocationsIT {
    private static final String CRATES_IO = "https://github.com/rust-lang/crates.io-index";
    private static final String GET = "{\"v\":1,\"registry\":{\"index-url\":\"" + CRATES_IO + "\",\"name\":\"crates-io\"},"
            + "\"kind\":\"get\",\"operation\":\"read\"}\n";
    private static final long THIS_TEST = ProcessHandle.current().pid();

    @RegisterExtension
    final DaemonSandbox sandbox = DaemonSandbox.perTest();
    private Path otherCargoHome;

    @BeforeEach
    void prepare() throws Exception {
        sandbox.config("stores = [\"cargo\"]\n");
        otherCargoHome = sandbox.root.resolve("other-cargo");
        credentials(sandbox.cargoHome, "tok-in-the-daemons-cargo-home");
        credentials(otherCargoHome, "tok-in-the-callers-cargo-home");
        sandbox.startDaemon();
    }

    @Test
    void theCommandLineIsAnsweredFromItsOwnCargoHome() throws Exception {
        DaemonSandbox.Result daemons = sandbox.run(null, "get", CRATES_IO);
        assertEquals("tok-in-the-daemons-cargo-home\n", daemons.stdout(), daemons.stderr());
        assertServedByTheDaemon();

        DaemonSandbox.Result callers = withOtherCargoHome(() -> sandbox.run(null, "get", CRATES_IO));
        assertEquals("tok-in-the-callers-cargo-home\n", callers.stdout(), callers.stderr());
        assertEquals("", callers.stderr(), "served in its own process without a word");
        assertServedInTheCallersProcess();

        DaemonSandbox.Result stored = withOtherCargoHome(() -> sandbox.run("tok-stored-by-the-caller\n", "store", CRATES_IO,
                "--store", "cargo"));
        assertEquals(0, stored.exit(), stored.stderr());
        assertServedInTheCallersProcess();
        assertTrue(Files.readString(otherCargoHome.resolve("credentials.toml")).contains("tok-stored-by-the-caller"));
        assertFalse(Files.readString(sandbox.cargoHome.resolve("credentials.toml")).contains("tok-stored-by-the-caller"),
                "the daemon's cargo home is left alone");

        DaemonSandbox.Result stdio = withOtherCargoHome(() -> sandbox.run(GET, "stdio"));
        assertTrue(stdio.stdout().contains("\"token\":\"tok-stored-by-the-caller\""), stdio.stdout());
        assertServedInTheCallersProcess();
    }

    @Test
    void cargosProviderIsAnsweredFromItsOwnCargoHomeWithoutTheRelay() throws Exception {
        Path classes = sandbox.root.resolve("classes.log");
        List<String> provider = sandbox.latchkey(List.of("-Xlog:class+load=info:file=" + classes), "--cargo-plugin");

        DaemonSandbox.Result relayed = sandbox.run(GET, provider);
        assertTrue(relayed.stdout().contains("\"token\":\"tok-in-the-daemons-cargo-home\""), relayed.stdout());
        assertTrue(Files.readString(classes).contains("caller.DaemonCall$Served source"), "relayed to the daemon");
        assertServedByTheDaemon();

        DaemonSandbox.Result declined = withOtherCargoHome(() -> sandbox.run(GET, provider));
        assertEquals("{\"v\":[1]}\n{\"Ok\":{\"kind\":\"get\",\"token\":\"tok-in-the-callers-cargo-home\",\"cache\":\"session\","
                + "\"operation_independent\":true}}\n", declined.stdout(), declined.stderr());
        assertEquals("", declined.stderr());
        String loaded = Files.readString(classes);
        assertTrue(loaded.contains("caller.DaemonCall$ServeHere source"), "the daemon declined the relayed session");
        assertFalse(loaded.contains("client.SocketEndpoint source"), "and the client library's socket was not tried after it");
        assertServedInTheCallersProcess();
    }

    @Test
    void latchkeyLogSaysWhoServedAndWhyWithoutTheToken() throws Exception {
        sandbox.env().put("LATCHKEY_LOG", "1");
        DaemonSandbox.Result daemons = sandbox.run(null, "get", CRATES_IO);
        assertEquals("latchkey: verbose: get " + CRATES_IO + ": answered by the daemon on " + sandbox.socket
                + ": a token from the cargo store\n", daemons.stderr());
        DaemonSandbox.Result callers = withOtherCargoHome(() -> sandbox.run(null, "get", CRATES_IO));
        assertTrue(callers.stderr().startsWith("latchkey: verbose: get " + CRATES_IO + ": served in this process (the daemon on "
                + sandbox.socket + " keeps its files elsewhere than this process"), callers.stderr());

        DaemonSandbox.Result relayed = sandbox.run(GET, sandbox.latchkey("--cargo-plugin"));
        assertTrue(relayed.stderr().startsWith("latchkey: verbose: get " + CRATES_IO + ": answered by the daemon on " + sandbox.socket),
                relayed.stderr());
        DaemonSandbox.Result declined = withOtherCargoHome(() -> sandbox.run(GET, sandbox.latchkey("--cargo-plugin")));
        assertTrue(declined.stderr().startsWith("latchkey: verbose: get " + CRATES_IO + ": served in this process (the daemon on "
                + sandbox.socket + " keeps its files elsewhere than this process"), declined.stderr());
        for (DaemonSandbox.Result run : List.of(daemons, callers, relayed, declined)) {
            assertFalse(run.stderr().contains("tok-in-the"), "no token in the diagnostics: " + run.stderr());
        }
    }

    private interface Run {
        DaemonSandbox.Result run() throws Exception;
    }

    private DaemonSandbox.Result withOtherCargoHome(Run run) throws Exception {
        sandbox.env().put("CARGO_HOME", otherCargoHome.toString());
        try {
            return run.run();
        } finally {
            sandbox.env().put("CARGO_HOME", sandbox.cargoHome.toString());
        }
    }

    private static void credentials(Path cargoHome, String token) throws Exception {
        Files.createDirectories(cargoHome);
        Path file = cargoHome.resolve("credentials.toml");
        Files.writeString(file, "[registry]\ntoken = \"" + token + "\"\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    /** The audit log's last line, as values. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> lastAudit() throws Exception {
        List<String> lines = Files.readAllLines(sandbox.state.resolve("latchkey").resolve("audit.log"));
        return (Map<String, Object>) JsonValues.parse(lines.get(lines.size() - 1).getBytes(StandardCharsets.UTF_8));
    }

    private void assertServedByTheDaemon() throws Exception {
        Map<String, Object> line = lastAudit();
        assertNotEquals(THIS_TEST, line.get("pid"), line.toString());
        assertEquals(THIS_TEST, line.get("ppid"), "the daemon's peer is a process this test started: " + line);
    }

    private void assertServedInTheCallersProcess() throws Exception {
        Map<String, Object> line = lastAudit();
        assertEquals(THIS_TEST, line.get("pid"), "the asker is this test, the parent of the process that served it: " + line);
    }
}
