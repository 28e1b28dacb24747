package dev.latchkey.daemon.cli;

import dev.latchkey.daemon.VerboseLog;
import dev.latchkey.daemon.audit.AuditLog;
import dev.latchkey.daemon.config.ConfigException;
import dev.latchkey.daemon.config.Durations;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.config.Locations;
import dev.latchkey.daemon.relay.CargoRelay;
import dev.latchkey.daemon.service.CredentialService;
import dev.latchkey.daemon.service.Services;
import dev.latchkey.daemon.terminal.TerminalPrompt;
import dev.latchkey.daemon.transport.ProtocolSession;
import dev.latchkey.daemon.transport.RequestHandler;
import dev.latchkey.daemon.transport.ServiceRouter;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Dialect;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Request;
import dev.latchkey.protocol.RequestLine;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.ResponseCodec;
import dev.latchkey.protocol.Secret;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code latchkey} command line (SPEC §6). Standard output carries only what a command is
 * for (a token, a listing, protocol lines); every message goes to standard error.
 */
public final class Cli {
    private static final String USAGE = """
            usage:
              latchkey --cargo-plugin                      serve cargo's credential-provider protocol on stdin/stdout
              latchkey stdio                               serve the latchkey protocol on stdin/stdout
              latchkey get REGISTRY [--operation OP]       print the token for REGISTRY
              latchkey store REGISTRY [--store NAME] [--expires-in DURATION] [--operations OP,...]
                                                           store the token read from stdin (prompted without echo on a terminal)
              latchkey rotate REGISTRY [--operations OP,...] [--expires-in DURATION] [--store NAME]
                                                           replace the token with the one read from stdin, wherever it is kept
              latchkey erase REGISTRY [--store NAME | --all-stores]
                                                           forget the token for REGISTRY: from the first writable store
                                                           holding one, from NAME, or with --all-stores from every one
              latchkey list [--json]                       describe the stored tokens (never the tokens)
              latchkey audit [-n N] [--json]               show the last N (20) requests from the audit log
              latchkey import cargo                        move tokens out of cargo's credentials.toml
              latchkey doctor [--json]                     which stores are usable, and why not
              latchkey daemon [--foreground] [--socket PATH] [--idle-timeout DURATION] | daemon stop | daemon status
              latchkey --version | --help
            REGISTRY is a registry name or an index URL (anything containing ://).
            global options: --config PATH, --socket PATH, --no-daemon, -v (diagnostics on stderr; also LATCHKEY_LOG=1)
            exit status: 0 ok, 1 not found, 2 usage or bad input, 3 store locked/unavailable/denied, 4 other failure
            """;

    private final Environment env;
    private final InputStream stdin;
    private final OutputStream stdout;
    private final PrintStream stderr;
    private final String version;

    public Cli(Environment env, InputStream stdin, OutputStream stdout, PrintStream stderr, String version) {
        this.env = env;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.version = version;
    }

    /** Runs one command line; returns the exit status. */
    public int run(String[] argv) {
        return run(argv, null);
    }

    /**
     * {@code latchkey --cargo-plugin} from where the relay handed the session back to this process
     * ({@link CargoRelay}): the hello is sent, and {@code handedBack} holds the rest of the input.
     */
    public int resume(CargoRelay.HandedBack handedBack) {
        return run(new String[] {"--cargo-plugin"}, handedBack);
    }

    private int run(String[] argv, CargoRelay.HandedBack handedBack) {
        try {
            Arguments args = new Arguments(Arrays.asList(argv));
            Optional<String> configOption = args.option("--config");
            Path config = configOption.isPresent() ? env.expand(configOption.get()) : env.expandedPath("LATCHKEY_CONFIG");
            Optional<String> socketOption = args.option("--socket");
            Path socket = socketOption.isPresent() ? env.expand(socketOption.get()) : new Locations(env).socket();
            boolean noDaemon = args.flag("--no-daemon") || env.enabled("LATCHKEY_NO_DAEMON");
            VerboseLog verbose = VerboseLog.to(stderr, VerboseLog.requested(args.flag("-v"), env));
            Services services = new Services(env, config, version);
            // Requests go to a running daemon when there is one, and are served here otherwise.
            Path daemonSocket = noDaemon ? null : socket;
            if (args.flag("--cargo-plugin")) {
                if (handedBack != null) {
                    return resume(services, handedBack, daemonSocket, verbose, args);
                }
                try (ServiceRouter router = new ServiceRouter(services, Dialect.CARGO, stderr, verbose, daemonSocket)) {
                    return serve(router, Dialect.CARGO, args);
                }
            }
            if (args.flag("--version")) {
                args.end();
                print("latchkey " + version + "\n");
                return ExitCodes.OK;
            }
            if (args.flag("--help") || args.flag("-h")) {
                print(USAGE);
                return ExitCodes.OK;
            }
            String command = args.positional("a command (see `latchkey --help`)");
            try (ServiceRouter router = new ServiceRouter(services, Dialect.LATCHKEY, stderr, verbose, daemonSocket)) {
                return switch (command) {
                    case "stdio" -> serve(router, Dialect.LATCHKEY, args);
                    case "get" -> get(router, args);
                    case "store" -> store(router, args);
                    case "rotate" -> rotate(router, args);
                    case "erase" -> erase(router, args);
                    case "audit" -> audit(args);
                    case "list" -> list(router, args);
                    case "import" -> importCargo(services, args);
                    case "doctor" -> new DoctorCommand(services, stdout, stderr).run(args);
                    case "daemon" -> new DaemonCommand(env, config, socket, version, stdout, stderr).run(args);
                    default -> throw new UsageException("unknown command `" + command + "` (see `latchkey --help`)");
                };
            }
        } catch (UsageException e) {
            stderr.println("latchkey: " + e.getMessage());
            stderr.println("try `latchkey --help`");
            return ExitCodes.USAGE;
        } catch (ConfigException e) {
            stderr.println("latchkey: " + ConfigException.PREFIX + e.getMessage());
            return ExitCodes.USAGE;
        } catch (CredentialException e) {
            stderr.println("latchkey: " + e.getMessage());
            return ExitCodes.of(e.kind());
        } catch (IOException e) {
            stderr.println("latchkey: " + e.getMessage());
            return ExitCodes.FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stderr.println("latchkey: interrupted");
            return ExitCodes.FAILURE;
        } catch (RuntimeException | Error e) {
            return internalError(e, VerboseLog.requested(Arrays.asList(argv).contains("-v"), env), stderr);
        }
    }

    /**
     * The last resort for a failure nothing else caught, a bug: exit status 4 ("any other failure",
     * SPEC §6), never 1, which says "not found". Only the exception's class is named: its message
     * could quote anything, a token included. With {@code verbose} the stack follows, each cause by
     * its class, without messages either.
     */
    public static int internalError(Throwable e, boolean verbose, PrintStream stderr) {
        stderr.println("latchkey: internal error: " + e.getClass().getName()
                + (verbose ? "" : " (run again with -v to see where; please report it)"));
        if (verbose) {
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t != e) {
                    stderr.println("caused by: " + t.getClass().getName());
                }
                for (StackTraceElement frame : t.getStackTrace()) {
                    stderr.println("\tat " + frame);
                }
            }
        }
        stderr.flush();
        return ExitCodes.FAILURE;
    }

    private int serve(ServiceRouter router, Dialect dialect, Arguments args) throws UsageException, IOException {
        args.end();
        new ProtocolSession(dialect, version, router).serve(stdin, stdout);
        return router.sawBrokenConfig() ? ExitCodes.USAGE : ExitCodes.OK;
    }

    /**
     * After a daemon that got the first line handed back and then went away, nothing more goes to
     * a daemon; the first line is served as one that may have reached it.
     */
    private int resume(Services services, CargoRelay.HandedBack handedBack, Path daemonSocket, VerboseLog verbose, Arguments args)
            throws UsageException, IOException {
        args.end();
        String lost = handedBack.lostDaemon();
        try (ServiceRouter router = new ServiceRouter(services, Dialect.CARGO, stderr, verbose, lost == null ? daemonSocket : null)) {
            RequestHandler handler = lost == null ? router : router.afterLostDaemon(lost);
            new ProtocolSession(Dialect.CARGO, version, handler).serveAfterHello(handedBack.rest(), stdout);
            return handedBack.sawBrokenConfig() || router.sawBrokenConfig() ? ExitCodes.USAGE : ExitCodes.OK;
        }
    }

    private int get(ServiceRouter router, Arguments args) throws UsageException, CredentialException, IOException {
        String registry = args.positional("REGISTRY");
        Operation operation = args.option("--operation").map(Cli::operation).orElse(Operation.READ);
        args.end();
        if (operation == Operation.UNKNOWN) {
            throw new UsageException("--operation takes read, publish, yank, unyank or owners");
        }
        Response response = router.handle(new RequestLine(new Request.Get(Registry.fromNameOrUrl(registry), operation, null, null, null)));
        Response.Got got = expect(response, Response.Got.class);
        got.warnings().forEach(warning -> stderr.println("latchkey: warning: " + warning));
        byte[] token = got.token().toUtf8();
        try {
            stdout.write(token);
            stdout.write('\n');
            stdout.flush();
        } finally {
            Arrays.fill(token, (byte) 0);
            got.token().wipe();
        }
        return ExitCodes.OK;
    }

    /** What {@code store} and {@code rotate} are told on the command line; the token itself comes on stdin. */
    private record Handover(String registry, String store, Long expiration, Set<Operation> operations) {
        static Handover parse(Arguments args, String command) throws UsageException {
            Handover handover = new Handover(args.positional("REGISTRY"), args.option("--store").orElse(null),
                    Cli.expiration(args), Cli.operations(args));
            if (args.hasPositional()) {
                // Most likely the token itself: refuse it without repeating it on the terminal.
                throw new UsageException("`latchkey " + command + "` reads the token from stdin, never from the command line "
                        + "(where other users can see it): pipe it in, or type it at the prompt");
            }
            args.end();
            return handover;
        }

        Registry target() {
            return Registry.fromNameOrUrl(registry);
        }
    }

    private int store(ServiceRouter router, Arguments args) throws UsageException, CredentialException, IOException {
        Handover h = Handover.parse(args, "store");
        try (Secret token = readValidToken(h.target())) {
            Response response = router.handle(new RequestLine(new Request.Store("store", h.target(), token, h.expiration(),
                    h.operations(), h.store(), null)));
            Response.Stored stored = expect(response, Response.Stored.class);
            stderr.println("latchkey: stored the token for `" + h.registry() + "` in the " + stored.store() + " store");
        }
        return ExitCodes.OK;
    }

    private int rotate(ServiceRouter router, Arguments args) throws UsageException, CredentialException, IOException {
        Handover h = Handover.parse(args, "rotate");
        try (Secret token = readValidToken(h.target())) {
            Response response = router.handle(new RequestLine(new Request.Rotate(h.target(), token, h.expiration(),
                    h.operations(), h.store())));
            Response.Rotated rotated = expect(response, Response.Rotated.class);
            stderr.println("latchkey: rotated the token for `" + h.registry() + "` in the " + String.join(", ", rotated.stores())
                    + " store" + (rotated.stores().size() > 1 ? "s" : "") + "; revoke the old one at the registry");
        }
        return ExitCodes.OK;
    }

    /** {@code --expires-in DURATION} as Unix seconds from now, or null. */
    private static Long expiration(Arguments args) throws UsageException {
        var expiresIn = args.option("--expires-in");
        if (expiresIn.isEmpty()) {
            return null;
        }
        try {
            return Instant.now().plus(Durations.parse(expiresIn.get())).getEpochSecond();
        } catch (IllegalArgumentException e) {
            throw new UsageException("--expires-in: " + e.getMessage());
        }
    }

    /** {@code --operations OP,...}; empty (every operation) when absent. */
    private static Set<Operation> operations(Arguments args) throws UsageException {
        Set<Operation> operations = EnumSet.noneOf(Operation.class);
        var ops = args.option("--operations");
        if (ops.isPresent()) {
            for (String op : ops.get().split(",")) {
                Operation parsed = operation(op.trim());
                if (parsed == Operation.UNKNOWN) {
                    throw new UsageException("--operations: unknown operation `" + op.trim() + "` (use read, publish, yank, unyank, owners)");
                }
                operations.add(parsed);
            }
        }
        return operations;
    }

    private Secret readValidToken(Registry registry) throws IOException, UsageException {
        Secret token = readToken(registry);
        String problem = token.problem();
        if (problem != null) {
            token.wipe();
            throw new UsageException(problem);
        }
        return token;
    }

    private int erase(ServiceRouter router, Arguments args) throws UsageException, CredentialException {
        String registry = args.positional("REGISTRY");
        String store = args.option("--store").orElse(null);
        boolean allStores = args.flag("--all-stores");
        args.end();
        if (allStores && store != null) {
            throw new UsageException("--store and --all-stores do not go together: name one store, or ask for all");
        }
        Response response = router.handle(new RequestLine(new Request.Erase("erase", Registry.fromNameOrUrl(registry), store, allStores)));
        Response.Erased erased = expect(response, Response.Erased.class);
        stderr.println("latchkey: erased the token for `" + registry + "` from the " + String.join(", ", erased.stores())
                + " store" + (erased.stores().size() > 1 ? "s" : ""));
        return ExitCodes.OK;
    }

    private int list(ServiceRouter router, Arguments args) throws UsageException, CredentialException, IOException {
        boolean json = args.flag("--json");
        args.end();
        Response.Listed listed = expect(router.handle(new RequestLine(new Request.ListTokens(null))), Response.Listed.class);
        if (json) {
            stdout.write(ResponseCodec.write(null, listed, Dialect.LATCHKEY));
            stdout.flush();
            return ExitCodes.OK;
        }
        if (listed.entries().isEmpty()) {
            stderr.println("latchkey: no tokens stored");
            return ExitCodes.OK;
        }
        Instant now = Instant.now();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"REGISTRY", "STORE", "OPERATIONS", "AGE", "EXPIRES", "LAST USED", "INDEX URL"});
        boolean anyDue = false;
        for (Response.TokenInfo e : listed.entries()) {
            Long since = e.updated() != null ? e.updated() : e.created();
            anyDue |= e.rotateDue();
            rows.add(new String[] {
                e.name() != null ? e.name() : "-",
                e.store(),
                e.operations().isEmpty() ? "all" : String.join(",", e.operations().stream().map(Operation::wire).toList()),
                since == null ? "-" : ago(now, since) + (e.rotateDue() ? " ROTATE" : ""),
                e.expiration() == null ? "never" : Instant.ofEpochSecond(e.expiration()).toString()
                        + (e.expiration() <= now.getEpochSecond() ? " (expired)" : ""),
                e.lastUsed() == null ? "-" : ago(now, e.lastUsed()) + " ago",
                e.indexUrl()});
        }
        print(Table.format(rows));
        if (anyDue) {
            stderr.println("latchkey: tokens marked ROTATE are older than rotate-after: replace each with `latchkey rotate REGISTRY`");
        }
        return ExitCodes.OK;
    }

    private static String ago(Instant now, long then) {
        return Durations.format(Duration.ofSeconds(Math.max(0, now.getEpochSecond() - then)));
    }

    private static String time(String unixSeconds) {
        try {
            return Instant.ofEpochSecond(Long.parseLong(unixSeconds)).toString();
        } catch (NumberFormatException e) {
            return "?";
        }
    }

    private int audit(Arguments args) throws UsageException, IOException {
        boolean json = args.flag("--json");
        String count = args.option("-n").orElse("20");
        args.end();
        int n;
        try {
            n = Integer.parseInt(count);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1) {
            throw new UsageException("-n takes a positive whole number of entries, not `" + count + "`");
        }
        AuditLog log = new AuditLog(new Locations(env).stateDirectory().resolve("audit.log"));
        List<String> lines = log.last(n);
        if (lines.isEmpty()) {
            stderr.println("latchkey: the audit log " + log.path() + " is empty");
            return ExitCodes.OK;
        }
        if (json) {
            print(String.join("\n", lines) + "\n");
            return ExitCodes.OK;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"TIME", "KIND", "OPERATION", "REGISTRY", "STORE", "OUTCOME", "PID", "PROGRAM"});
        for (String line : lines) {
            Map<String, String> f = AuditLog.fields(line);
            String program = f.getOrDefault("exe", "-");
            if (f.containsKey("parent-exe")) {
                program += " (parent " + f.get("parent-exe") + ")";
            }
            rows.add(new String[] {time(f.get("time")), f.getOrDefault("kind", "?"), f.getOrDefault("operation", "-"),
                f.getOrDefault("name", f.getOrDefault("registry", "-")), f.getOrDefault("store", "-"),
                f.getOrDefault("outcome", "?"), f.getOrDefault("pid", "-"), program});
        }
        print(Table.format(rows));
        return ExitCodes.OK;
    }

    private int importCargo(Services services, Arguments args) throws UsageException, ConfigException, CredentialException, IOException {
        String what = args.positional("what to import (cargo)");
        args.end();
        if (!what.equals("cargo")) {
            throw new UsageException("latchkey can import from `cargo` only");
        }
        List<CredentialService.Imported> moved = services.forConfig(null).importFromCargo();
        if (moved.isEmpty()) {
            stderr.println("latchkey: no tokens to import from cargo's credentials file");
        }
        for (CredentialService.Imported m : moved) {
            stderr.println("latchkey: moved the token for `" + m.registry().displayName() + "` from cargo's credentials file to the "
                    + m.store() + " store");
        }
        return ExitCodes.OK;
    }

    /** A failure response becomes its exception; anything else must be the expected answer. */
    private static <T extends Response> T expect(Response response, Class<T> type) throws CredentialException {
        if (response instanceof Response.Failure failure) {
            throw CredentialException.from(failure);
        }
        return type.cast(response);
    }

    private Secret readToken(Registry registry) throws IOException, UsageException {
        if (TerminalPrompt.stdinIsTerminal()) {
            Secret typed = TerminalPrompt.readSecret("token for " + registry.displayName() + ": ");
            if (typed == null) {
                throw new UsageException("no token: pipe it on stdin");
            }
            return typed;
        }
        byte[] line = new byte[64 * 1024];
        int length = 0;
        try {
            int b;
            while ((b = stdin.read()) >= 0 && b != '\n') {
                if (length == line.length) {
                    throw new UsageException("the token on stdin is longer than 64 KiB");
                }
                line[length++] = (byte) b;
            }
            int start = 0;
            while (start < length && (line[start] == ' ' || line[start] == '\t' || line[start] == '\r')) {
                start++;
            }
            while (length > start && (line[length - 1] == ' ' || line[length - 1] == '\t' || line[length - 1] == '\r')) {
                length--;
            }
            return Secret.fromUtf8(line, start, length - start);
        } finally {
            Arrays.fill(line, (byte) 0);
        }
    }

    private static Operation operation(String name) {
        return Operation.fromWire(name);
    }

    private void print(String text) throws IOException {
        stdout.write(text.getBytes(StandardCharsets.UTF_8));
        stdout.flush();
    }
}
