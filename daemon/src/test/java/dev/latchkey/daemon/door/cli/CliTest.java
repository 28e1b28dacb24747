package dev.latchkey.daemon.door.cli;

import dev.latchkey.daemon.audit.AuditLog;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.door.CommandLine;
import dev.latchkey.daemon.door.Doors;
import dev.latchkey.daemon.door.ExitCodes;
import dev.latchkey.daemon.door.HandBack;
import dev.latchkey.daemon.door.Invocation;
import dev.latchkey.daemon.door.Route;
import dev.latchkey.daemon.door.UsageException;
import dev.latchkey.daemon.doors.FrontDoors;
import dev.latchkey.daemon.service.Services;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line's diagnostics: {@code -v} and {@code LATCHKEY_LOG} say who served a request and
 * how it went, never with its token; and the last resort, a bug, is exit status 4, named by its
 * class only, never "not found".
 */
class CliTest {
    private static final String SECRET = "tok-in-the-bugs-message";
    private static final String URL = "sparse+https://packages.example.com/index/";

    @TempDir
    Path home;

    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    /** A stdin that fails as no stdin should, with a token in its message. */
    private static final InputStream BROKEN_STDIN = new InputStream() {
        @Override
        public int read() {
            throw new IllegalStateException("a bug that quotes " + SECRET, new ArithmeticException("and its cause: " + SECRET));
        }
    };

    private int run(String... args) {
        return run(Map.of(), BROKEN_STDIN, args);
    }

    private int run(Map<String, String> variables, InputStream stdin, String... args) {
        Map<String, String> all = new HashMap<>(variables);
        all.putAll(Map.of("XDG_DATA_HOME", home.resolve("data").toString(), "XDG_CONFIG_HOME", home.resolve("config").toString(),
                "XDG_STATE_HOME", home.resolve("state").toString(), "CARGO_HOME", home.resolve("cargo").toString()));
        Environment env = new Environment(all, home, home);
        PrintStream err = new PrintStream(stderr, true, StandardCharsets.UTF_8);
        try {
            // As the program serves a command it does not offer to the daemon.
            CommandLine command = CommandLine.parse(List.of(args));
            command = command.handedBack(-1, Route.toldToServeHere(command, env));
            Invocation invocation = Invocation.inCaller(command, stdin, stdout, err, env, Set.of(),
                    new Services(env, null, "test"), "test");
            return Doors.run(FrontDoors.of(command), invocation);
        } catch (UsageException | HandBack e) {
            throw new AssertionError(e);
        }
    }

    private static InputStream stdin(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void verboseSaysWhoServedWithWhichConfigAndWhatCameOfIt() {
        assertEquals(ExitCodes.NOT_FOUND, run(Map.of(), stdin(""), "-v", "--no-daemon", "get", URL));
        assertEquals("latchkey: verbose: get " + URL + ": served in this process (told to serve here (--no-daemon or "
                + "LATCHKEY_NO_DAEMON)) with the config " + home.resolve("config/latchkey/config.toml")
                + " (absent: the defaults): failed, not-found\n",
                stderr.toString(StandardCharsets.UTF_8).lines().filter(line -> line.startsWith("latchkey: verbose: "))
                        .reduce("", (all, line) -> all + line + "\n"));
    }

    @Test
    void latchkeyLogTurnsItOnAndNoTokenIsEverInIt() {
        Map<String, String> logging = Map.of("LATCHKEY_LOG", "1", "LATCHKEY_NO_DAEMON", "1");
        assertEquals(ExitCodes.OK, run(logging, stdin(SECRET + "\n"), "store", URL));
        assertEquals(ExitCodes.OK, run(logging, stdin(""), "get", URL));
        assertEquals(SECRET + "\n", stdout.toString(StandardCharsets.UTF_8));
        String said = stderr.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("latchkey: verbose: store " + URL + ": served in this process (told to serve here"), said);
        assertTrue(said.contains("latchkey: verbose: get " + URL + ": served in this process") && said.contains(": a token from the file store\n"),
                said);
        assertFalse(said.contains(SECRET), said);

        stderr.reset();
        assertEquals(ExitCodes.NOT_FOUND, run(Map.of("LATCHKEY_LOG", "0", "LATCHKEY_NO_DAEMON", "1"), stdin(""), "get",
                "sparse+https://other.example/index/"));
        assertFalse(stderr.toString(StandardCharsets.UTF_8).contains("verbose"), "LATCHKEY_LOG=0 is off");
    }

    @Test
    void anUnexpectedExceptionExitsFourNamingOnlyItsClass() {
        assertEquals(ExitCodes.FAILURE, run("--no-daemon", "store", "sparse+https://packages.example.com/index/"));
        assertEquals("latchkey: internal error: java.lang.IllegalStateException (run again with -v to see where; please report it)\n",
                stderr.toString(StandardCharsets.UTF_8));
        assertEquals("", stdout.toString(StandardCharsets.UTF_8));
    }

    @Test
    void withVerboseTheStackFollowsWithoutAnyMessage() {
        assertEquals(ExitCodes.FAILURE, run("-v", "--no-daemon", "store", "sparse+https://packages.example.com/index/"));
        String said = stderr.toString(StandardCharsets.UTF_8);
        assertTrue(said.startsWith("latchkey: internal error: java.lang.IllegalStateException\n\tat "), said);
        assertTrue(said.contains("\tat dev.latchkey.daemon.door.cli.Cli."), said);
        assertTrue(said.contains("\ncaused by: java.lang.ArithmeticException\n"), said);
        assertFalse(said.contains(SECRET) || said.contains("a bug that quotes"), said);
    }

    @Test
    void aGetForACommandIsAuditedWithTheCommandsNameAndWithoutTheToken() throws Exception {
        Map<String, String> here = Map.of("LATCHKEY_NO_DAEMON", "1");
        assertEquals(ExitCodes.OK, run(here, stdin(SECRET + "\n"), "store", URL));
        assertEquals(ExitCodes.OK, run(here, stdin(""), "get", URL, "--operation", "publish", "--for-command", "cargo"));
        assertEquals(ExitCodes.OK, run(here, stdin(""), "get", URL));

        List<String> lines = Files.readAllLines(home.resolve("state/latchkey/audit.log"));
        assertEquals(3, lines.size());
        Map<String, String> forCargo = AuditLog.fields(lines.get(1));
        assertEquals(List.of("get", "publish", "ok", "cargo"),
                List.of(forCargo.get("kind"), forCargo.get("operation"), forCargo.get("outcome"), forCargo.get("for-command")));
        assertFalse(AuditLog.fields(lines.get(2)).containsKey("for-command"), "a get for no command says none");
        assertFalse(String.join("\n", lines).contains(SECRET));

        stdout.reset();
        assertEquals(ExitCodes.OK, run(here, stdin(""), "audit", "-n", "2"));
        List<String> table = stdout.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(table.get(1).endsWith(" for cargo"), () -> "the audit table names the command: " + table);
        assertFalse(table.get(2).contains(" for "), () -> "and names none for a plain get: " + table);
    }

    @Test
    void forCommandTakesOneLineOfName() {
        assertEquals(ExitCodes.USAGE, run(Map.of("LATCHKEY_NO_DAEMON", "1"), stdin(""), "get", URL, "--for-command", "cargo\npublish"));
        assertTrue(stderr.toString(StandardCharsets.UTF_8).contains("--for-command takes the name of a program"),
                stderr.toString(StandardCharsets.UTF_8));
    }
}
