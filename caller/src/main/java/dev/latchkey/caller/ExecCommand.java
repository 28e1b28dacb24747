package dev.latchkey.caller;

import dev.latchkey.caller.exec.ChildRunner;
import dev.latchkey.caller.secrets.SecretMatcher;
import dev.latchkey.daemon.config.Config;
import dev.latchkey.daemon.config.ConfigException;
import dev.latchkey.daemon.config.ConfigLoader;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.door.Arguments;
import dev.latchkey.daemon.door.Commands;
import dev.latchkey.daemon.door.UsageException;
import dev.latchkey.daemon.registry.RegistryResolver;
import dev.latchkey.daemon.terminal.TerminalText;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Secret;
import dev.latchkey.protocol.TokenVariables;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code latchkey exec [--registry NAME|URL ...] [--operation OP] [--env VAR=REGISTRY ...] [--no-mask] -- COMMAND [ARGS...]}:
 * runs COMMAND with the named registries' tokens in its environment, under the variables cargo
 * reads them from ({@code CARGO_REGISTRY_TOKEN}, {@code CARGO_REGISTRIES_<NAME>_TOKEN}) or those
 * {@code --env} names, and nowhere else: latchkey's own environment and command line never hold
 * them. cargo is told to read them there ({@code CARGO_REGISTRY_CREDENTIAL_PROVIDER} or
 * {@code CARGO_REGISTRIES_<NAME>_CREDENTIAL_PROVIDER} set to {@code cargo:token}). The tokens are
 * read as {@code latchkey get} reads them ({@link HeldTokens}), for the operation
 * {@code --operation} names ({@code read} unless told: the least a command can need), and each
 * get is audited with the command's name. By default the command's output is masked
 * ({@link ChildRunner}). The exit status is the command's; when a token cannot be had, the command
 * is not run and the status is the get's.
 */
final class ExecCommand {
    /** A variable name a shell can set and cargo could read. */
    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** A registry name that makes a variable name as cargo makes it (upper case, {@code -} as {@code _}). */
    private static final Pattern CARGO_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");
    /** cargo's variable for a registry's credential provider is its token variable with this suffix instead of _TOKEN. */
    private static final String CREDENTIAL_PROVIDER = "_CREDENTIAL_PROVIDER";
    /** cargo's built-in provider that reads the token variables. */
    private static final String CARGO_TOKEN_PROVIDER = "cargo:token";
    /** The longest program name the audit log records for a command. */
    private static final int NAME_LENGTH = 255;

    private final Environment env;
    private final Path config;
    private final HeldTokens tokens;
    private final PrintStream stderr;

    ExecCommand(Environment env, Path config, HeldTokens tokens, PrintStream stderr) {
        this.env = env;
        this.config = config;
        this.tokens = tokens;
        this.stderr = stderr;
    }

    int run(List<String> rest) throws UsageException, ConfigException, IOException, InterruptedException {
        int separator = rest.indexOf("--");
        if (separator < 0 || separator == rest.size() - 1) {
            throw new UsageException("`latchkey exec` runs the command written after `--`: "
                    + "latchkey exec --registry NAME -- COMMAND [ARGS...]");
        }
        List<String> command = rest.subList(separator + 1, rest.size());
        Arguments args = new Arguments(Commands.named("exec"), rest.subList(0, separator));
        List<String> registries = new ArrayList<>();
        for (Optional<String> r = args.option("--registry"); r.isPresent(); r = args.option("--registry")) {
            registries.add(registry(r.get(), "--registry"));
        }
        List<String> assignments = new ArrayList<>();
        for (Optional<String> e = args.option("--env"); e.isPresent(); e = args.option("--env")) {
            assignments.add(e.get());
        }
        String operationName = args.option("--operation").orElse(Operation.READ.wire());
        boolean noMask = args.flag("--no-mask");
        args.end();
        Operation operation = Operation.fromWire(operationName);
        if (operation == Operation.UNKNOWN) {
            throw new UsageException("--operation takes read, publish, yank, unyank or owners");
        }
        if (registries.isEmpty() && assignments.isEmpty()) {
            throw new UsageException("`latchkey exec` needs a registry whose token the command gets: --registry NAME, "
                    + "or --env VAR=REGISTRY");
        }

        Config loaded = new ConfigLoader(env).load(config);
        Map<String, String> variables = variables(registries, assignments, new RegistryResolver(loaded, env));
        String program = programName(command.get(0));
        Map<String, Secret> held = new LinkedHashMap<>();
        try {
            for (String registry : new LinkedHashSet<>(variables.values())) {
                try {
                    held.put(registry, tokens.get(registry, operation, program));
                } catch (HeldTokens.Unavailable e) {
                    stderr.println("latchkey: " + TerminalText.line(command.get(0)) + " was not run, since the token for `"
                            + TerminalText.line(registry) + "` could not be read");
                    return e.status();
                }
            }
            return runWith(command, childEnvironment(variables, held, loaded.passphraseEnv()), held, noMask);
        } finally {
            held.values().forEach(Secret::wipe);
        }
    }

    private int runWith(List<String> command, Map<String, String> environment, Map<String, Secret> held, boolean noMask)
            throws IOException, InterruptedException, UsageException {
        if (noMask) {
            return runChecked(ChildRunner.unmasked(), command, environment);
        }
        Map<String, byte[]> secrets = new LinkedHashMap<>();
        held.forEach((registry, token) -> secrets.put(registry, token.toUtf8()));
        SecretMatcher matcher;
        try {
            matcher = SecretMatcher.of(secrets);
        } catch (IllegalArgumentException e) {
            throw UsageException.badInput(e.getMessage() + "; --no-mask runs the command without masking its output");
        } finally {
            secrets.values().forEach(bytes -> Arrays.fill(bytes, (byte) 0));
        }
        try {
            return runChecked(ChildRunner.masking(matcher), command, environment);
        } finally {
            matcher.close();
        }
    }

    private static int runChecked(ChildRunner runner, List<String> command, Map<String, String> environment)
            throws IOException, InterruptedException, UsageException {
        try {
            return runner.run(command, environment);
        } catch (IllegalArgumentException e) {
            // Its message names the variable, never a value.
            throw UsageException.badInput(e.getMessage());
        }
    }

    /** Each variable to set, to the registry whose token it gets, in the order given. */
    private static Map<String, String> variables(List<String> registries, List<String> assignments, RegistryResolver resolver)
            throws UsageException {
        Map<String, String> variables = new LinkedHashMap<>();
        for (String registry : registries) {
            put(variables, cargoVariable(registry, resolver), registry);
        }
        for (String assignment : assignments) {
            int equals = assignment.indexOf('=');
            String variable = equals < 0 ? assignment : assignment.substring(0, equals);
            if (equals < 0 || !VARIABLE.matcher(variable).matches()) {
                throw new UsageException("--env takes VAR=REGISTRY, VAR a variable name (letters, digits and _), not `"
                        + TerminalText.line(assignment) + "`");
            }
            put(variables, variable, registry(assignment.substring(equals + 1), "--env " + variable + "="));
        }
        return variables;
    }

    private static void put(Map<String, String> variables, String variable, String registry) throws UsageException {
        String before = variables.putIfAbsent(variable, registry);
        if (before != null && !before.equals(registry)) {
            throw new UsageException(variable + " would get the tokens of both `" + TerminalText.line(before) + "` and `"
                    + TerminalText.line(registry) + "`; give each its own variable with --env VAR=REGISTRY");
        }
    }

    /** A registry as the command line names it: a name or an index URL, never something that reads as an option. */
    private static String registry(String written, String option) throws UsageException {
        if (written.isEmpty() || written.startsWith("-")) {
            throw new UsageException(option + " takes a registry name or index URL, not `" + TerminalText.line(written) + "`");
        }
        return written;
    }

    /** The variable cargo reads {@code registry}'s token from, its name found for an index URL as cargo finds it. */
    private static String cargoVariable(String registry, RegistryResolver resolver) throws UsageException {
        Registry named = Registry.fromNameOrUrl(registry);
        String name = named.name() != null ? named.name() : resolver.nameOf(named.indexUrl()).orElseThrow(() -> new UsageException(
                "no registry name is known for " + TerminalText.line(registry) + " (in latchkey's config, cargo's config or "
                        + "CARGO_REGISTRIES_<NAME>_INDEX), so cargo's variable for its token cannot be named; "
                        + "name it with --env VAR=" + TerminalText.line(registry)));
        if (name.equals(Registry.CRATES_IO_NAME)) {
            return TokenVariables.CRATES_IO;
        }
        if (!CARGO_NAME.matcher(name).matches()) {
            throw new UsageException("the registry name `" + TerminalText.line(name) + "` makes no variable name; "
                    + "name one with --env VAR=" + TerminalText.line(registry));
        }
        return TokenVariables.PREFIX + name.toUpperCase(Locale.ROOT).replace('-', '_') + TokenVariables.SUFFIX;
    }

    /**
     * latchkey's own environment, with each variable set to its registry's token, and without the
     * encrypted store's passphrase, which is latchkey's to read and no command's. For each of cargo's
     * token variables, cargo is told to take the token from there ({@code cargo:token}): otherwise it
     * would ask the registry's configured credential provider instead, and for a registry that
     * requires authentication it refuses to go on without one configured at all.
     */
    private Map<String, String> childEnvironment(Map<String, String> variables, Map<String, Secret> held, String passphraseVariable) {
        Map<String, String> environment = new HashMap<>(env.variables());
        environment.remove(passphraseVariable);
        variables.forEach((variable, registry) -> {
            // A String cannot be wiped; the environment of a child process takes nothing else.
            environment.put(variable, held.get(registry).reveal());
            if (TokenVariables.isTokenVariable(variable)) {
                environment.put(variable.substring(0, variable.length() - TokenVariables.SUFFIX.length()) + CREDENTIAL_PROVIDER,
                        CARGO_TOKEN_PROVIDER);
            }
        });
        return environment;
    }

    /** The command's program as the audit log names it: its file name, never a path's directories or an argument. */
    private static String programName(String program) {
        String name = TerminalText.line(program.substring(program.lastIndexOf('/') + 1));
        if (name.isEmpty()) {
            name = TerminalText.line(program);
        }
        return name.isEmpty() ? null : name.substring(0, Math.min(NAME_LENGTH, name.length()));
    }
}
