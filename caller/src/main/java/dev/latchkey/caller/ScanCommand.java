package dev.latchkey.caller;

import dev.latchkey.caller.scan.LeakScanner;
import dev.latchkey.caller.scan.PreCommitHook;
import dev.latchkey.caller.scan.ScanMode;
import dev.latchkey.caller.scan.ScanProgress;
import dev.latchkey.caller.scan.ScanReport;
import dev.latchkey.caller.scan.ScanUsageException;
import dev.latchkey.daemon.config.Config;
import dev.latchkey.daemon.config.ConfigException;
import dev.latchkey.daemon.config.ConfigLoader;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.config.Locations;
import dev.latchkey.daemon.door.Arguments;
import dev.latchkey.daemon.door.Commands;
import dev.latchkey.daemon.door.ExitCodes;
import dev.latchkey.daemon.door.UsageException;
import dev.latchkey.daemon.terminal.TerminalText;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.Secret;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code latchkey scan [--history] [--staged] [PATH...]} and {@code latchkey scan --install-hook}:
 * looks for tokens where they must not be ({@link LeakScanner}): every token latchkey holds, read
 * as {@code latchkey get} reads it ({@link HeldTokens}, through the daemon when one runs), and the
 * known token shapes. Exit status 0 when clean, 1 when a token was found, 2 for a scan that cannot
 * be done as asked. A token that cannot be read is said so and not looked for; the scan goes on.
 */
final class ScanCommand {
    /** What the audit log says the scan's gets were for. */
    private static final String FOR_COMMAND = "latchkey scan";

    private final Environment env;
    private final Path config;
    private final HeldTokens tokens;
    private final OutputStream stdout;
    private final PrintStream stderr;
    private final boolean stderrIsTerminal;

    ScanCommand(Environment env, Path config, HeldTokens tokens, OutputStream stdout, PrintStream stderr, boolean stderrIsTerminal) {
        this.env = env;
        this.config = config;
        this.tokens = tokens;
        this.stdout = stdout;
        this.stderr = stderr;
        this.stderrIsTerminal = stderrIsTerminal;
    }

    int run(List<String> rest) throws UsageException, ConfigException, IOException {
        int separator = rest.indexOf("--");
        Arguments args = new Arguments(Commands.named("scan"), separator < 0 ? rest : rest.subList(0, separator));
        boolean history = args.flag("--history");
        boolean staged = args.flag("--staged");
        boolean installHook = args.flag("--install-hook");
        List<Path> paths = new ArrayList<>();
        for (Optional<String> p = args.optionalPositional(); p.isPresent(); p = args.optionalPositional()) {
            paths.add(path(p.get()));
        }
        args.end();
        if (separator >= 0) {
            for (String p : rest.subList(separator + 1, rest.size())) {
                paths.add(path(p));
            }
        }
        if (installHook && (history || staged || !paths.isEmpty())) {
            throw new UsageException("--install-hook goes alone: `latchkey scan --install-hook`");
        }
        if (history && staged) {
            throw new UsageException("--history and --staged do not go together: --staged scans what the next commit adds,"
                    + " --history every commit there is");
        }
        try {
            if (installHook) {
                return installHook();
            }
            return scan(history ? ScanMode.HISTORY : staged ? ScanMode.STAGED : ScanMode.FILES, paths);
        } catch (ScanUsageException e) {
            stderr.println("latchkey: " + e.getMessage());
            return ExitCodes.USAGE;
        }
    }

    private int installHook() throws IOException, ScanUsageException {
        PreCommitHook.Installation installed = PreCommitHook.install(env.workingDirectory());
        String hook = TerminalText.line(installed.hook().toString());
        stderr.println(installed.wasThere() ? "latchkey: the pre-commit hook " + hook + " is installed already"
                : "latchkey: installed the pre-commit hook " + hook + ": a commit that would add a token is stopped "
                        + "(it runs `latchkey scan --staged`, so latchkey must be on PATH when git commits)");
        return ExitCodes.OK;
    }

    private int scan(ScanMode mode, List<Path> paths) throws ConfigException, IOException, ScanUsageException {
        Config loaded = new ConfigLoader(env).load(config);
        Locations locations = new Locations(env);
        Set<Path> tokenPlaces = Set.of(locations.cargoHome(), locations.dataDirectory(), loaded.tokenFile(), loaded.encryptedFile());
        Map<String, byte[]> held = held();
        try {
            ScanReport report = new LeakScanner(held, tokenPlaces).scan(env.workingDirectory(), paths, mode,
                    ScanProgress.to(stderr, stderrIsTerminal));
            PrintStream out = new PrintStream(stdout, false, StandardCharsets.UTF_8);
            report.print(out, stderr);
            out.flush();
            return report.exitStatus();
        } finally {
            held.values().forEach(token -> Arrays.fill(token, (byte) 0));
        }
    }

    /**
     * Every token latchkey holds, by the name a finding gives it: the registry as {@code latchkey
     * rotate} takes it, with the operations of a token for some operations only.
     */
    private Map<String, byte[]> held() {
        List<Response.TokenInfo> entries;
        try {
            entries = tokens.list();
        } catch (HeldTokens.Unavailable e) {
            stderr.println("latchkey: the tokens latchkey holds could not be listed, so only the known token shapes are looked for");
            return Map.of();
        }
        Map<String, byte[]> held = new LinkedHashMap<>();
        for (Response.TokenInfo entry : entries) {
            String registry = entry.name() != null ? entry.name() : entry.indexUrl();
            String label = entry.operations().isEmpty() ? registry
                    : registry + " --operations " + entry.operations().stream().map(Operation::wire).collect(Collectors.joining(","));
            if (held.containsKey(label)) {
                continue; // another store's entry for the same token: get answers with the first store's
            }
            Operation operation = entry.operations().isEmpty() ? Operation.READ : entry.operations().get(0);
            try (Secret token = tokens.get(entry.indexUrl(), operation, FOR_COMMAND)) {
                held.put(label, token.toUtf8());
            } catch (HeldTokens.Unavailable e) {
                stderr.println("latchkey: the token for `" + TerminalText.line(label) + "` could not be read, so it is not looked for");
            }
        }
        return held;
    }

    private static Path path(String written) throws UsageException {
        try {
            return Path.of(written);
        } catch (InvalidPathException e) {
            throw new UsageException("`" + TerminalText.line(written) + "` is not a path");
        }
    }
}
