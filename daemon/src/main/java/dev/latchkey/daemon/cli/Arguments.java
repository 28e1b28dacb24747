package dev.latchkey.daemon.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A command's arguments, consumed as the command reads its options; what is left over is an error. */
final class Arguments {
    private final List<String> remaining;

    Arguments(List<String> args) {
        this.remaining = new ArrayList<>(args);
    }

    /** Removes {@code --name VALUE} or {@code --name=VALUE} and returns the value. */
    Optional<String> option(String name) throws UsageException {
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

    /** Removes {@code --name} and says whether it was there. */
    boolean flag(String name) {
        return remaining.remove(name);
    }

    /** Removes and returns the next positional argument. */
    String positional(String what) throws UsageException {
        for (int i = 0; i < remaining.size(); i++) {
            if (!remaining.get(i).startsWith("-") || remaining.get(i).equals("-")) {
                return remaining.remove(i);
            }
        }
        throw new UsageException("missing " + what);
    }

    /** Whether a positional argument is left. */
    boolean hasPositional() {
        return remaining.stream().anyMatch(arg -> !arg.startsWith("-") || arg.equals("-"));
    }

    /** Fails on anything not consumed. */
    void end() throws UsageException {
        if (!remaining.isEmpty()) {
            throw new UsageException("unexpected argument `" + remaining.get(0) + "`");
        }
    }
}
