package dev.latchkey.daemon.door.latchkey;

import dev.latchkey.daemon.config.ConfigException;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.config.Locations;
import dev.latchkey.daemon.door.HandBack;
import dev.latchkey.daemon.door.Invocation;
import dev.latchkey.daemon.door.Route;
import dev.latchkey.daemon.door.VerboseLog;
import dev.latchkey.daemon.service.Batch;
import dev.latchkey.daemon.service.Caller;
import dev.latchkey.daemon.service.RequestContext;
import dev.latchkey.daemon.service.Services;
import dev.latchkey.daemon.service.TokenVariableWithheld;
import dev.latchkey.daemon.terminal.TerminalText;
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
import java.util.Set;
import java.util.function.Supplier;

/**
 * Answers protocol requests from the service, with the options each carries in its {@code args}
 * (docs/protocol.md): {@code --store NAME}, {@code --config PATH} (relative to the caller's directory),
 * {@code --no-daemon}. In cargo's dialect a {@code login} without a token (cargo sends none when its
 * stdin is a terminal) is completed by asking at the terminal first, as cargo's own providers do,
 * and a get's warnings go to stderr, the only place cargo shows its provider's user. What a request
 * has to tell the user besides its answer is printed on the invocation's stderr.
 */
public final class ServiceHandler implements RequestHandler {
    private final Services services;
    private final Dialect dialect;
    private final PrintStream diagnostics;
    private final VerboseLog verbose;
    private final Environment caller;
    private final Path defaultConfig;
    private final Supplier<Caller> asker;
    /** Who asks, looked up for the first request that needs it, then kept: one connection has one peer. */
    private Caller askedBy;
    /** The invocation served; null for the daemon's socket, whose clients (the client library) are always served whole. */
    private final Invocation invocation;
    private boolean warnedAboutArgs;
    private boolean sawBrokenConfig;

    private ServiceHandler(Services services, Dialect dialect, PrintStream diagnostics, VerboseLog verbose, Environment caller,
                           Path defaultConfig, Supplier<Caller> asker, Invocation invocation) {
        this.services = services;
        this.dialect = dialect;
        this.diagnostics = diagnostics;
        this.verbose = verbose;
        this.caller = caller;
        this.defaultConfig = defaultConfig;
        this.asker = asker;
        this.invocation = invocation;
        // A session resumed here was begun by the daemon, which said it already (cargo gives each
        // request of a session the same arguments).
        this.warnedAboutArgs = invocation != null && invocation.resumed();
    }

    /** The handler of a front door's invocation, in the daemon or in the caller's own process. */
    public static ServiceHandler of(Invocation invocation, Dialect dialect) {
        return new ServiceHandler(invocation.services(), dialect, invocation.err(), invocation.verbose(), invocation.environment(),
                invocation.config(), new Supplier<>() {
                    @Override
                    public Caller get() {
                        return invocation.caller();
                    }
                }, invocation);
    }

    /**
     * The handler of one connection to the daemon's socket, whose peer {@code asker} finds when
     * first needed. Its diagnostics go to the daemon's log.
     */
    public static ServiceHandler forSocket(Services services, PrintStream log, Supplier<Caller> asker) {
        return new ServiceHandler(services, Dialect.LATCHKEY, log, VerboseLog.OFF, services.environment(), services.explicitConfig(),
                asker, null);
    }

    private Caller askedBy() {
        if (askedBy == null) {
            askedBy = asker.get(); // a few /proc reads: once per connection, not per request
        }
        return askedBy;
    }

    /** Whether a request failed because the config file is broken; the invocation then exits 2. */
    public boolean sawBrokenConfig() {
        return sawBrokenConfig;
    }

    @Override
    public Response handle(RequestLine line, Batch batch) throws HandBack {
        return handle(line, batch, null);
    }

    /** Answers {@code line} as {@link #handle(RequestLine, Batch)} does, recording in the audit log that it is for {@code forCommand}. */
    public Response handle(RequestLine line, Batch batch, String forCommand) throws HandBack {
        RequestOptions options = null;
        try {
            options = RequestOptions.parse(line.args(), caller.workingDirectory());
            if (options.noDaemon() && invocation != null && !invocation.inCaller()) {
                throw Route.toldByRequest();
            }
            Request request = line.request();
            if (dialect == Dialect.CARGO && request instanceof Request.Store store && store.token() == null) {
                request = store.withToken(askForToken(store));
            }
            Path config = options.config() != null ? options.config() : defaultConfig;
            Response response = services.forConfig(config, batch.arrival()).handle(request, new RequestContext(askedBy(), options.store(), caller,
                    forCommand, batch, invocation != null ? invocation.withheldTokenVariables() : Set.of()));
            warnAboutIgnored(options);
            if (verbose.on()) {
                verbose.say(about(request) + ": " + (invocation.inCaller()
                        ? invocation.servedBy() + " with the config " + describeConfig(config) : invocation.servedBy())
                        + ": " + outcome(response));
            }
            return told(response);
        } catch (TokenVariableWithheld e) {
            throw Route.tokenVariableWithheld(e.getMessage());
        } catch (ConfigException e) {
            warnAboutIgnored(options);
            sawBrokenConfig = true;
            return told(Response.Failure.of(ErrorKind.BAD_REQUEST, ConfigException.PREFIX + e.getMessage()));
        } catch (CredentialException e) {
            warnAboutIgnored(options);
            return told(e.toFailure());
        }
    }

    /**
     * Says once per invocation which of a request's arguments were ignored; only for a request
     * answered here, since one handed back is read again by the caller's process, which says it.
     */
    private void warnAboutIgnored(RequestOptions options) {
        if (options != null && !options.ignored().isEmpty() && !warnedAboutArgs) {
            warnedAboutArgs = true;
            diagnostics.println("latchkey: ignoring unrecognised arguments " + TerminalText.line(describe(options.ignored()))
                    + " (recognised: --store NAME, --config PATH, --no-daemon)");
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
        Path file = named != null ? named : new Locations(caller).configFile();
        return file + (Files.isRegularFile(file) ? "" : " (absent: the defaults)");
    }

    /**
     * In cargo's dialect the person behind the request sees only stderr (cargo passes the
     * provider's through), so a get's warnings are printed there, one line each; cargo's answer
     * never carries them. cargo prints a failure's message and causes as they come, and they may
     * quote what a project's config chose (a store's name, a config path), so they are made safe
     * for a terminal here. In latchkey's dialect both stay in the answer, for the client to show.
     */
    private Response told(Response response) {
        if (dialect != Dialect.CARGO) {
            return response;
        }
        if (response instanceof Response.Got got) {
            for (String warning : got.warnings()) {
                diagnostics.println("latchkey: warning: " + TerminalText.lines(warning));
            }
        } else if (response instanceof Response.Failure failure) {
            List<String> causes = new ArrayList<>(failure.causedBy().size());
            for (String cause : failure.causedBy()) {
                causes.add(TerminalText.lines(cause));
            }
            return new Response.Failure(failure.kind(), TerminalText.lines(failure.message()), causes);
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

    private Secret askForToken(Request.Store store) throws CredentialException, HandBack {
        String where = store.loginUrl() != null ? "found on " + TerminalText.line(store.loginUrl())
                : "for " + TerminalText.line(store.registry().displayName());
        if (invocation == null) {
            throw new CredentialException.BadRequest("missing field `token`");
        }
        Secret token;
        try {
            token = invocation.askAtTerminal("please paste the token " + where + " below\n", "a cargo login without a token");
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
