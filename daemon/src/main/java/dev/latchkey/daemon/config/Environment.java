package dev.latchkey.daemon.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The process environment and working directory, passed in rather than read from globals, so
 * that every path and variable the program consults is visible at its construction.
 */
public record Environment(Map<String, String> variables, Path workingDirectory, Path home) {

    public Environment {
        variables = Map.copyOf(variables);
    }

    /** This process's: the home is {@code $HOME} as shells and cargo take it, else the JDK's idea of it. */
    public static Environment ofProcess() {
        String home = System.getenv("HOME");
        return new Environment(System.getenv(), Path.of("").toAbsolutePath(),
                Path.of(home != null && !home.isEmpty() ? home : System.getProperty("user.home")));
    }

    /** A variable's value, absent when unset or empty (an empty XDG variable means "use the default"). */
    public Optional<String> get(String name) {
        String value = variables.get(name);
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    /** Whether a variable used as a switch is on: set, not empty and not {@code 0}. */
    public boolean enabled(String name) {
        String value = variables.get(name);
        return value != null && !value.isEmpty() && !value.equals("0");
    }

    /** A variable holding a path, {@link #expand expanded}; null when it is unset or empty. */
    public Path expandedPath(String name) {
        String value = variables.get(name);
        return value == null || value.isEmpty() ? null : expand(value);
    }

    /** {@code ~/...} expanded against {@link #home()}; other paths relative to the working directory. */
    public Path expand(String path) {
        if (path.equals("~")) {
            return home;
        }
        if (path.startsWith("~/")) {
            return home.resolve(path.substring(2));
        }
        return workingDirectory.resolve(path);
    }
}
