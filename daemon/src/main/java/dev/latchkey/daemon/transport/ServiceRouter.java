package dev.latchkey.daemon.transport;

import dev.latchkey.daemon.VerboseLog;
import dev.latchkey.daemon.config.ConfigException;
import dev.latchkey.daemon.config.Locations;
import dev.latchkey.daemon.service.Caller;
import dev.latchkey.daemon.service.Services;
import dev.latchkey.daemon.terminal.TerminalPrompt;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Dialect;
import dev.latchkey.protocol.ErrorKind;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Request;
import dev.latchkey.protocol.RequestLine;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.Secret;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Hands each request line to the running daemon, or to the service its {@code args} ask for in
 * this process (SPEC §5): to the daemon unless there is none, the request says {@code --no-daemon},
 * or this process was told to serve everything itself. Both give the same answers. In cargo's
 * dialect a {@code login} without a token (cargo sends none when its stdin is a terminal) is
 * completed by asking at the terminal first, as cargo's own providers do.
 *
 * <p>What a request has to tell the user besides its answer (an unrecognised argument, a warning
 * about the token) is printed on {@code diagnostics}: the caller's stderr, or, for a session
 * relayed from a caller, lines sent back for the caller to print there.
 */
public final class ServiceRouter implements RequestHandler, AutoCloseable {
    private final Services services;
    private final Dialect dialect;
    private final PrintStream diagnostics;
    private final VerboseLog verbose;
    private final DaemonLink daemon;
    private final Path workingDirectory;
    private final Path defaultConfig;
    /** Who asks, looked up on the first request served here (it costs a look at /proc, and a socket call). */
    private final Supplier<Caller> callerLookup;
    /** Whether this is the daemon's router for a connection, which answers a caller only where its files are the daemon's. */
    private final boolean servesOthers;
    /** This process's {@link dev.latchkey.daemon.config.Locations#signature()}, sent with what goes to the daemon. */
    private String locations;
    private Caller caller;
    private boolean warnedAboutArgs;
    private boolean sawBrokenConfig;

    /**
     * A router that serves every request in this process: the daemon's, for one connection, whose
     * peer {@code caller} finds when it is first needed (after the hello, so no client waits for it).
     */
    public ServiceRouter(Services services, Dialect dialect, PrintStream diagnostics, Supplier<Caller> caller) {
        this(services, dialect, diagnostics, VerboseLog.OFF, null, "it is the daemon's", services.environment().workingDirectory(),
                services.explicitConfig(), caller, true);
    }

    /**
     * A router that hands requests to the daemon on {@code daemonSocket} while one runs there, and
     * serves them in this process otherwise; {@code daemonSocket} null always serves them here.
     * A process whose environment holds tokens serves itself, since only it can see them. Requests
     * served here are this process's parent's (cargo's, or the shell's).
     */
    public ServiceRouter(Services services, Dialect dialect, PrintStream diagnostics, Path daemonSocket) {
        this(services, dialect, diagnostics, VerboseLog.OFF, daemonSocket);
    }

    /** The same, saying on {@code verbose} who served each request and why. */
    public ServiceRouter(Services services, Dialect dialect, PrintStream diagnostics, VerboseLog verbose, Path daemonSocket) {
        this(services, dialect, diagnostics, verbose, services.environmentHoldsTokens() ? null : daemonSocket,
                services.environmentHoldsTokens() ? "this process's environment holds token variables, which only it can see"
                        : "told to serve here (--no-daemon or LATCHKEY_NO_DAEMON)",
                services.environment().workingDirectory(), services.explicitConfig(), PARENT_OF_THIS_PROCESS, false);
    }

    /**
     * Requests served in this process are its parent's (cargo's, or the shell's). A class rather
     * than the method reference {@code Caller::parentOfThisProcess}: linking one costs a fresh JVM
     * a few milliseconds, on the path of every cargo request.
     */
    private static final Supplier<Caller> PARENT_OF_THIS_PROCESS = new Supplier<>() {
        @Override
        public Caller get() {
            return Caller.parentOfThisProcess();
        }
    };

    private ServiceRouter(Services services, Dialect dialect, PrintStream diagnostics, VerboseLog verbose, Path daemonSocket,
                          String whyNoDaemon, Path workingDirectory, Path defaultConfig, Supplier<Caller> callerLookup,
                          boolean servesOthers) {
        this.services = services;
        this.dialect = dialect;
        this.diagnostics = diagnostics;
        this.verbose = verbose;
        this.daemon = new DaemonLink(daemonSocket, whyNoDaemon, diagnostics);
        this.workingDirectory = workingDirectory;
        this.defaultConfig = defaultConfig;
        this.callerLookup = callerLookup;
        this.servesOthers = servesOthers;
    }

    /**
     * The daemon's router for a cargo session relayed to it by the provider process cargo started
     * ({@link dev.latchkey.daemon.relay.CargoRelay}): served here as that process would serve it, so
     * a relative {@code --config} is the caller's, and {@code callerConfig} (its
     * {@code LATCHKEY_CONFIG}, absolute, or null) is the config when the request names none.
     * {@code caller} is the relaying process, as far as it said who it is.
     */
    public static ServiceRouter forRelayedCaller(Services services, Path callerDirectory, Path callerConfig, Caller caller,
                                                 PrintStream diagnostics) {
        return new ServiceRouter(services, Dialect.CARGO, diagnostics, VerboseLog.OFF, null, "it is the daemon's", callerDirectory,
                callerConfig, () -> caller, false);
    }

    /**
     * Whether only the process that received {@code line} can serve it, so that a relayed session
     * must hand it back: it asks to be served there ({@code --no-daemon}), it is a cargo login
     * whose token must be asked for at that process's terminal, or it names a registry without its
     * index URL, which that process looks up in the cargo config files around it.
     */
    public boolean needsTheCaller(RequestLine line) {
        Request request = line.request();
        boolean noDaemon;
        try {
            noDaemon = options(line).noDaemon();
        } catch (CredentialException.BadRequest e) {
            return false; // answered here as the caller would answer it: bad-request
        }
        return noDaemon
                || (dialect == Dialect.CARGO && request instanceof Request.Store store && store.token() == null)
                || (request.registry() != null && request.registry().indexUrl() == null);
    }

    /**
     * This router, for a session whose first request was sent to a daemon that went away before
     * answering it: that request is served here, unless it was an erase, which the daemon may have
     * done already. {@code why} says what happened to the daemon.
     */
    public RequestHandler afterLostDaemon(String why) {
        return new RequestHandler() {
            private boolean first = true;

            @Override
            public Response handle(RequestLine line) {
                if (first) {
                    first = false;
                    if (line.request() instanceof Request.Erase) {
                        return DaemonLink.lostWhileErasing(why);
                    }
                    diagnostics.println("latchkey: serving in this process instead of the daemon: " + why);
                }
                return ServiceRouter.this.handle(line);
            }
        };
    }

    /** Lets go of the daemon, if requests went there. */
    @Override
    public void close() {
        daemon.close();
    }

    /** Whether a request failed because the config file is broken; the process then exits 2. */
    public boolean sawBrokenConfig() {
        return sawBrokenConfig;
    }

    private RequestOptions options(RequestLine line) throws CredentialException.BadRequest {
        return RequestOptions.parse(line.args(), workingDirectory);
    }

    @Override
    public Response handle(RequestLine line) {
        try {
            RequestOptions options = options(line);
            if (!options.ignored().isEmpty() && !warnedAboutArgs) {
                warnedAboutArgs = true;
                diagnostics.println("latchkey: ignoring unrecognised arguments " + describe(options.ignored())
                        + " (recognised: --store NAME, --config PATH, --no-daemon)");
            }
            if (servesOthers && options.callerLocations() != null && !services.sharesLocations(options.callerLocations())) {
                return DaemonLink.ELSEWHERE;
            }
            Request request = line.request();
            if (dialect == Dialect.CARGO && request instanceof Request.Store store && store.token() == null) {
                request = store.withToken(askForToken(store));
            }
            if (!options.noDaemon() && daemon.available()) {
                Optional<Response> answer = forward(request, options);
                if (answer.isPresent()) {
                    if (verbose.on()) {
                        verbose.say(about(request) + ": answered by the daemon on " + daemon.socket() + ": " + outcome(answer.get()));
                    }
                    return told(answer.get());
                }
            }
            if (caller == null) {
                caller = callerLookup.get();
            }
            Response response = services.forConfig(config(options)).handle(request, options.store(), caller);
            if (verbose.on()) {
                String why = options.noDaemon() ? "--no-daemon in the request" : daemon.whyNot() != null ? daemon.whyNot()
                        : "the registry's name is not known here, which the daemon, elsewhere, cannot look up";
                verbose.say(about(request) + ": served in this process (" + why + ") with the config "
                        + describeConfig(config(options)) + ": " + outcome(response));
            }
            return told(response);
        } catch (ConfigException e) {
            sawBrokenConfig = true;
            return Response.Failure.of(ErrorKind.BAD_REQUEST, ConfigException.PREFIX + e.getMessage());
        } catch (CredentialException e) {
            return e.toFailure();
        }
    }

    /** A request as {@link VerboseLog} names it: its kind and registry, never a token or an argument. */
    private static String about(Request request) {
        Registry registry = request.registry();
        return registry == null ? request.kind()
                : request.kind() + " " + (registry.indexUrl() != null ? registry.indexUrl() : registry.name());
    }

    /** What came of a request, for {@link VerboseLog}: the store that answered, or the error's kind. */
    private static String outcome(Response response) {
        if (response instanceof Response.Failure failure) {
            return "failed, " + failure.kind().wire();
        } else if (response instanceof Response.Got got) {
            return "a token from the " + got.store() + " store";
        } else if (response instanceof Response.Stored stored) {
            return "kept in the " + stored.store() + " store";
        } else if (response instanceof Response.Erased erased) {
            return "erased from " + String.join(", ", erased.stores());
        } else if (response instanceof Response.Rotated rotated) {
            return "rotated in " + String.join(", ", rotated.stores());
        }
        return "ok";
    }

    private String describeConfig(Path named) {
        Path file = named != null ? named : new Locations(services.environment()).configFile();
        return file + (Files.isRegularFile(file) ? "" : " (absent: the defaults)");
    }

    /**
     * In cargo's dialect the person behind the request sees only stderr (cargo passes the
     * provider's through), so a get's warnings are printed there, one line each; cargo's answer
     * never carries them. In latchkey's dialect they stay in the answer, for the client to show.
     */
    private Response told(Response response) {
        if (dialect == Dialect.CARGO && response instanceof Response.Got got) {
            for (String warning : got.warnings()) {
                diagnostics.println("latchkey: warning: " + warning);
            }
        }
        return response;
    }

    /**
     * The ignored arguments as they may be shown: options by name only, other words counted. They
     * come from `cargo login -- ...`, where a token typed by mistake would otherwise be repeated.
     */
    private static String describe(List<String> ignored) {
        List<String> shown = new ArrayList<>();
        int words = 0;
        for (String arg : ignored) {
            if (arg.startsWith("-")) {
                int equals = arg.indexOf('=');
                shown.add(equals < 0 ? arg : arg.substring(0, equals) + "=...");
            } else {
                words++;
            }
        }
        if (words > 0) {
            shown.add(words + (words == 1 ? " other word" : " other words") + ", not shown since it could be a token");
        }
        return String.join(", ", shown);
    }

    /**
     * Hands {@code request} to the daemon with the options it came with. The daemon runs in
     * another directory, so a registry named without its index URL (which cargo never sends) is
     * looked up here first, in the cargo config files around this process; one that is not found
     * is left to this process, whose answer then says so.
     */
    private Optional<Response> forward(Request request, RequestOptions options) throws ConfigException {
        Registry registry = request.registry();
        if (registry != null && registry.indexUrl() == null) {
            Optional<String> indexUrl = services.forConfig(config(options)).resolver().indexOf(registry.name());
            if (indexUrl.isEmpty()) {
                return Optional.empty();
            }
            request = withRegistry(request, registry.withIndexUrl(indexUrl.get()));
        }
        List<String> args = new ArrayList<>();
        if (options.store() != null) {
            args.addAll(List.of("--store", options.store()));
        }
        Path config = config(options);
        if (config != null) {
            args.addAll(List.of("--config", config.toAbsolutePath().toString()));
        }
        if (locations == null) {
            locations = new Locations(services.environment()).signature();
        }
        args.addAll(List.of(RequestOptions.CALLER_LOCATIONS, locations));
        return daemon.forward(request, args);
    }

    /** The config file the request names, else the one this caller was given; null: the default one. */
    private Path config(RequestOptions options) {
        return options.config() != null ? options.config() : defaultConfig;
    }

    private static Request withRegistry(Request request, Registry registry) {
        if (request instanceof Request.Get get) {
            return new Request.Get(registry, get.operation(), get.crateName(), get.crateVersion(), get.checksum());
        } else if (request instanceof Request.Store store) {
            return new Request.Store(store.kind(), registry, store.token(), store.expiration(), store.operations(),
                    store.store(), store.loginUrl());
        } else if (request instanceof Request.Erase erase) {
            return new Request.Erase(erase.kind(), registry, erase.store(), erase.allStores());
        } else if (request instanceof Request.Rotate rotate) {
            return new Request.Rotate(registry, rotate.token(), rotate.expiration(), rotate.operations(), rotate.store());
        }
        return new Request.ListTokens(registry);
    }

    private static Secret askForToken(Request.Store store) throws CredentialException {
        String where = store.loginUrl() != null ? "found on " + store.loginUrl()
                : "for " + store.registry().displayName();
        Secret token;
        try {
            token = TerminalPrompt.readSecret("please paste the token " + where + " below\n");
        } catch (IOException e) {
            throw new CredentialException.BadRequest("could not read the token from the terminal: " + e.getMessage());
        }
        if (token == null) {
            throw new CredentialException.BadRequest("no token given and no terminal to ask on; pipe it: "
                    + "`echo TOKEN | cargo login --registry NAME`");
        }
        String problem = token.problem();
        if (problem != null) {
            token.wipe();
            throw new CredentialException.BadRequest(problem);
        }
        return token;
    }
}
