package dev.latchkey.daemon.door;

import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.doors.FrontDoors;
import dev.latchkey.daemon.service.Services;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the {@code latchkey} program's front doors in this process, as the program serves an
 * invocation no daemon takes, in a private home under {@code home}: latchkey's data, config and
 * state directories and CARGO_HOME there, HOME itself.
 */
public final class DoorRun {
    /** What one invocation did. */
    public record Result(int exit, String stdout, String stderr) {
    }

    private final Path home;
    private final Map<String, String> variables = new HashMap<>();

    public DoorRun(Path home) {
        this.home = home;
        variables.putAll(Map.of("XDG_DATA_HOME", home.resolve("data").toString(), "XDG_CONFIG_HOME", home.resolve("config").toString(),
                "XDG_STATE_HOME", home.resolve("state").toString(), "CARGO_HOME", home.resolve("cargo").toString(),
                "LATCHKEY_NO_DAEMON", "1"));
    }

    /** The variables of the invocations, to change before running one. */
    public Map<String, String> variables() {
        return variables;
    }

    public Result run(String stdin, String... argv) {
        return run(stdin.getBytes(StandardCharsets.UTF_8), argv);
    }

    public Result run(byte[] stdin, String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Environment env = new Environment(variables, home, home);
        try {
            CommandLine command = CommandLine.parse(List.of(argv));
            command = command.handedBack(-1, Route.toldToServeHere(command, env));
            Invocation invocation = Invocation.inCaller(command, new ByteArrayInputStream(stdin), out,
                    new PrintStream(err, true, StandardCharsets.UTF_8), env, Set.of(), new Services(env, null, "test"), "test");
            int exit = Doors.run(FrontDoors.of(command), invocation);
            return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (UsageException | HandBack e) {
            throw new AssertionError(e);
        }
    }
}
