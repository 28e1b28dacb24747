package dev.latchkey.daemon.door;

import dev.latchkey.daemon.config.Durations;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A command's arguments, consumed as the command reads its options; what is left over is an error.
 * A command reads only the options its {@link CommandSpec} declares (reading another is a bug
 * here, which the tests find), so the help, the man page and the completions made from the spec
 * list exactly what the command takes.
 */
public final class Arguments {
    private final CommandSpec command;
    private final List<String> remaining;

    /** {@code command}: the spec of the command reading them; null for a word that names no command (said elsewhere). */
    public Arguments(CommandSpec command, List<String> args) {
        this.command = command;
        this.remaining = new ArrayList<>(args);
    }

    private void requireDeclared(String name, boolean valued) {
        if (command == null) {
            return;
        }
        CommandSpec.Option option = command.option(name);
        if (option == null || option.takesValue() != valued) {
            throw new IllegalStateException("`latchkey " + command.name() + "` reads " + name + (valued ? " VALUE" : "")
                    + ", which its CommandSpec (door.Commands) does not declare");
        }
    }

    /** Removes {@code --name VALUE} or {@code --name=VALUE} and returns the value. */
    public Optional<String> option(String name) throws UsageException {
        requireDeclared(name, true);
        for (int i = 0; i < remaining.size(); i++) {
            String arg = remaining.get(i);
            if (arg.equals(name)) {
                if (i + 1 >= remaining.size()) {
                    throw new UsageException(name + " needs a value");
                }
                remaining.remove(i);
                return Optional.of(remaining.remove(i));
            }
            if (arg.startsWith(name + "=")) {
                remaining.remove(i);
                return Optional.of(arg.substring(name.length() + 1));
            }
        }
        return Optional.empty();
    }

    /** Removes {@code --expires-in DURATION} and returns when that is from now, in Unix seconds; null when absent. */
    public Long expiresIn() throws UsageException {
        Optional<String> expiresIn = option("--expires-in");
        if (expiresIn.isEmpty()) {
            return null;
        }
        try {
            return Instant.now().plus(Durations.parse(expiresIn.get())).getEpochSecond();
        } catch (IllegalArgumentException e) {
            throw new UsageException("--expires-in: " + e.getMessage());
        }
    }

    /** Removes {@code --name} and says whether it was there. */
    public boolean flag(String name) {
        requireDeclared(name, false);
        return remaining.remove(name);
    }

    /** Removes and returns the next positional argument. */
    public String positional(String what) throws UsageException {
        Optional<String> next = optionalPositional();
        if (next.isEmpty()) {
            throw new UsageException("missing " + what);
        }
        return next.get();
    }

    /** Removes and returns the next positional argument, if there is one. */
    public Optional<String> optionalPositional() {
        for (int i = 0; i < remaining.size(); i++) {
            if (isPositional(remaining.get(i))) {
                return Optional.of(remaining.remove(i));
            }
        }
        return Optional.empty();
    }

    /** Whether a positional argument is left. */
    public boolean hasPositional() {
        return remaining.stream().anyMatch(Arguments::isPositional);
    }

    private static boolean isPositional(String arg) {
        return !arg.startsWith("-") || arg.equals("-");
    }

    /** Fails on anything not consumed. */
    public void end() throws UsageException {
        if (remaining.isEmpty()) {
            return;
        }
        String first = remaining.get(0);
        if (first.startsWith("-") && !first.equals("-") && command != null) {
            throw new UsageException("`" + first + "` is not an option of `latchkey " + command.name() + "`");
        }
        throw new UsageException("unexpected argument `" + first + "`");
    }
}
