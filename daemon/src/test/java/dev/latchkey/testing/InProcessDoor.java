package dev.latchkey.testing;

import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.door.CommandLine;
import dev.latchkey.daemon.door.Doors;
import dev.latchkey.daemon.door.HandBack;
import dev.latchkey.daemon.door.Invocation;
import dev.latchkey.daemon.door.Route;
import dev.latchkey.daemon.door.UsageException;
import dev.latchkey.daemon.doors.FrontDoors;
import dev.latchkey.daemon.service.Services;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A front door run as the {@code latchkey} program runs it without a daemon, each run a fresh
 * process would be (a new {@link Services}), in a private home: latchkey's files under
 * {@code home}, and the file store where a lookup finds logins (no session bus, so no keychain).
 */
public final class InProcessDoor {
    private final Path home;
    private final Map<String, String> variables;

    public InProcessDoor(Path home) {
        this.home = home;
        this.variables = new HashMap<>(Map.of("XDG_DATA_HOME", home.resolve("data").toString(),
                "XDG_CONFIG_HOME", home.resolve("config").toString(), "XDG_STATE_HOME", home.resolve("state").toString(),
                "XDG_CACHE_HOME", home.resolve("cache").toString(), "CARGO_HOME", home.resolve("cargo").toString()));
    }

    /** The environment's variables of the runs to come, to change before one (LATCHKEY_LOG, another XDG directory). */
    public Map<String, String> variables() {
        return variables;
    }

    /** What a run did. */
    public record Run(int exit, byte[] stdoutBytes, String stderr) {
        public String stdout() {
            return new String(stdoutBytes, StandardCharsets.UTF_8);
        }
    }

    public Run run(String stdin, String... args) {
        return run(stdin.getBytes(StandardCharsets.UTF_8), args);
    }

    public Run run(byte[] stdin, String... args) {
        Environment env = new Environment(new HashMap<>(variables), home, home);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(stderr, true, StandardCharsets.UTF_8);
        try {
            CommandLine command = CommandLine.parse(List.of(args));
            command = command.handedBack(-1, Route.toldToServeHere(command, env));
            Invocation invocation = Invocation.inCaller(command, new ByteArrayInputStream(stdin), stdout, err, env, Set.of(),
                    new Services(env, null, "test"), "test");
            int exit = Doors.run(FrontDoors.of(command), invocation);
            return new Run(exit, stdout.toByteArray(), stderr.toString(StandardCharsets.UTF_8));
        } catch (UsageException | HandBack e) {
            throw new AssertionError(e);
        }
    }

    /** latchkey's config file. */
    public void config(String toml) throws IOException {
        Path file = home.resolve("config/latchkey/config.toml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, toml);
    }

    /** The audit log's lines so far. */
    public List<String> audit() throws IOException {
        Path log = home.resolve("state/latchkey/audit.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    /** latchkey's token file, where the file store keeps logins. */
    public Path tokenFile() {
        return home.resolve("data/latchkey/tokens.toml");
    }
}
