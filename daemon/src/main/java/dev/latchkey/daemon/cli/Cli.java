package dev.latchkey.daemon.cli;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
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
              latchkey erase REGISTRY [--store NAME]       forget the token for REGISTRY
              latchkey list [--json]                       describe the stored tokens (never the tokens)
              latchkey import cargo                        move tokens out of cargo's credentials.toml
              latchkey doctor [--json]                     which stores are usable, and why not
              latchkey daemon [--foreground] [--socket PATH] [--idle-timeout DURATION] | daemon stop | daemon status
              latchkey --version | --help
            REGISTRY is a registry name or an index URL (anything containing ://).
            global options: --config PATH, --socket PATH, --no-daemon, -v
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
            args.flag("-v");
            Services services = new Services(env, config, version);
            // Requests go to a running daemon when there is one, and are served here otherwise.
            Path daemonSocket = noDaemon ? null : socket;
            if (args.flag("--cargo-plugin")) {
                if (handedBack != null) {
                    return resume(services, handedBack, daemonSocket, args);
                }
                try (ServiceRouter router = new ServiceRouter(services, Dialect.CARGO, stderr, daemonSocket)) {
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
            try (ServiceRouter router = new ServiceRouter(services, Dialect.LATCHKEY, stderr, daemonSocket)) {
                return switch (command) {
                    case "stdio" -> serve(router, Dialect.LATCHKEY, args);
                    case "get" -> get(router, args);
                    case "store" -> store(router, args);
                    case "erase" -> erase(router, args);
                    case "list" -> list(router, args);
                    case "import" -> importCargo(services, args);
                    case "doctor" -> doctor(services, args);
                    case "daemon" -> new DaemonCommand(env, config, socket, version, stdout, stderr).run(args);
                    default -> throw new UsageException("unknown command `" + command + "` (see `latchkey --help`)");
                };
            }
        } catch (UsageException e) {
            stderr.println("latchkey: " + e.getMessage());
            stderr.println("try `latchkey --help`");
            return ExitCodes.USAGE;
        } catch (ConfigException e) {
            stderr.println("latchkey: broken config file: " + e.getMessage());
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
        }
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
    private int resume(Services services, CargoRelay.HandedBack handedBack, Path daemonSocket, Arguments args)
            throws UsageException, IOException {
        args.end();
        String lost = handedBack.lostDaemon();
        try (ServiceRouter router = new ServiceRouter(services, Dialect.CARGO, stderr, lost == null ? daemonSocket : null)) {
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
        Response response = router.handle(new RequestLine(new Request.Get(registryArg(registry), operation, null, null, null)));
        Response.Got got = expect(response, Response.Got.class);
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

    private int store(ServiceRouter router, Arguments args) throws UsageException, CredentialException, IOException {
        String registry = args.positional("REGISTRY");
        String store = args.option("--store").orElse(null);
        Long expiration = null;
        var expiresIn = args.option("--expires-in");
        if (expiresIn.isPresent()) {
            try {
                expiration = Instant.now().plus(Durations.parse(expiresIn.get())).getEpochSecond();
            } catch (IllegalArgumentException e) {
                throw new UsageException("--expires-in: " + e.getMessage());
            }
        }
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
        if (args.hasPositional()) {
            // Most likely the token itself: refuse it without repeating it on the terminal.
            throw new UsageException("`latchkey store` reads the token from stdin, never from the command line "
                    + "(where other users can see it): pipe it in, or type it at the prompt");
        }
        args.end();
        Registry target = registryArg(registry);
        try (Secret token = readToken(target)) {
            String problem = token.problem();
            if (problem != null) {
                throw new UsageException(problem);
            }
            Response response = router.handle(new RequestLine(new Request.Store("store", target, token, expiration, operations, store, null)));
            Response.Stored stored = expect(response, Response.Stored.class);
            stderr.println("latchkey: stored the token for `" + registry + "` in the " + stored.store() + " store");
        }
        return ExitCodes.OK;
    }

    private int erase(ServiceRouter router, Arguments args) throws UsageException, CredentialException {
        String registry = args.positional("REGISTRY");
        String store = args.option("--store").orElse(null);
        args.end();
        Response response = router.handle(new RequestLine(new Request.Erase("erase", registryArg(registry), store)));
        Response.Erased erased = expect(response, Response.Erased.class);
        stderr.println("latchkey: erased the token for `" + registry + "` from the " + String.join(", ", erased.stores())
                + " store");
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
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"REGISTRY", "STORE", "OPERATIONS", "CREATED", "EXPIRES", "INDEX URL"});
        for (Response.TokenInfo e : listed.entries()) {
            rows.add(new String[] {
                e.name() != null ? e.name() : "-",
                e.store(),
                e.operations().isEmpty() ? "all" : String.join(",", e.operations().stream().map(Operation::wire).toList()),
                e.created() != null ? Instant.ofEpochSecond(e.created()).toString() : "-",
                e.expiration() != null ? Instant.ofEpochSecond(e.expiration()).toString() : "never",
                e.indexUrl()});
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

    private int doctor(Services services, Arguments args) throws UsageException, ConfigException, CredentialException, IOException {
        boolean json = args.flag("--json");
        args.end();
        Response.StatusReport status = expect(services.forConfig(null).handle(new Request.Status(), null),
                Response.StatusReport.class);
        if (json) {
            stdout.write(ResponseCodec.write(null, status, Dialect.LATCHKEY));
            stdout.flush();
            return ExitCodes.OK;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"STORE", "STATE", "WRITABLE", "DETAIL"});
        for (Response.StoreStatus s : status.stores()) {
            rows.add(new String[] {s.name(), s.usable() ? "usable" : "unusable", s.writable() ? "yes" : "no",
                s.detail() == null ? "" : s.detail()});
        }
        print("latchkey " + status.version() + "\n" + Table.format(rows));
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

    private static Registry registryArg(String argument) {
        return argument.contains("://") ? Registry.byUrl(argument) : Registry.byName(argument);
    }

    private static Operation operation(String name) {
        return Operation.fromWire(name);
    }

    private void print(String text) throws IOException {
        stdout.write(text.getBytes(StandardCharsets.UTF_8));
        stdout.flush();
    }
}
