package dev.latchkey.daemon.cli;

import dev.latchkey.daemon.config.Environment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line's last resort: a bug is exit status 4, named by its class only, never "not found". */
class CliTest {
    private static final String SECRET = "tok-in-the-bugs-message";

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
        Environment env = new Environment(Map.of("XDG_DATA_HOME", home.resolve("data").toString(),
                "XDG_CONFIG_HOME", home.resolve("config").toString(), "XDG_STATE_HOME", home.resolve("state").toString(),
                "CARGO_HOME", home.resolve("cargo").toString()), home, home);
        return new Cli(env, BROKEN_STDIN, stdout, new PrintStream(stderr, true, StandardCharsets.UTF_8), "test").run(args);
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
        assertTrue(said.contains("\tat dev.latchkey.daemon.cli.Cli."), said);
        assertTrue(said.contains("\ncaused by: java.lang.ArithmeticException\n"), said);
        assertFalse(said.contains(SECRET) || said.contains("a bug that quotes"), said);
    }
}
