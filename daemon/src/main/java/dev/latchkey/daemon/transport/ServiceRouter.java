package dev.latchkey.daemon.transport;

import dev.latchkey.daemon.config.ConfigException;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Hands each request line to the running daemon, or to the service its {@code args} ask for in
 * this process (SPEC §5): to the daemon unless there is none, the request says {@code --no-daemon},
 * or this process was told to serve everything itself. Both give the same answers. In cargo's
 * dialect a {@code login} without a token (cargo sends none when its stdin is a terminal) is
 * completed by asking at the terminal first, as cargo's own providers do.
 */
public final class ServiceRouter implements RequestHandler, AutoCloseable {
    private final Services services;
    private final Dialect dialect;
    private final PrintStream diagnostics;
    private final DaemonLink daemon;
    private boolean warnedAboutArgs;
    private boolean sawBrokenConfig;

    /** A router that serves every request in this process: the daemon's own. */
    public ServiceRouter(Services services, Dialect dialect, PrintStream diagnostics) {
        this(services, dialect, diagnostics, null);
    }

    /**
     * A router that hands requests to the daemon on {@code daemonSocket} while one runs there, and
     * serves them in this process otherwise; {@code daemonSocket} null always serves them here.
     * A process whose environment holds tokens serves itself, since only it can see them.
     */
    public ServiceRouter(Services services, Dialect dialect, PrintStream diagnostics, Path daemonSocket) {
        this.services = services;
        this.dialect = dialect;
        this.diagnostics = diagnostics;
        this.daemon = new DaemonLink(services.environmentHoldsTokens() ? null : daemonSocket, diagnostics);
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

    @Override
    public Response handle(RequestLine line) {
        try {
            RequestOptions options = RequestOptions.parse(line.args(), services.environment().workingDirectory());
            if (!options.ignored().isEmpty() && !warnedAboutArgs) {
                warnedAboutArgs = true;
                diagnostics.println("latchkey: ignoring unrecognised arguments " + options.ignored()
                        + " (recognised: --store NAME, --config PATH, --no-daemon)");
            }
            Request request = line.request();
            if (dialect == Dialect.CARGO && request instanceof Request.Store store && store.token() == null) {
                request = store.withToken(askForToken(store));
            }
            if (!options.noDaemon() && daemon.available()) {
                Optional<Response> answer = forward(request, options);
                if (answer.isPresent()) {
                    return answer.get();
                }
            }
            return services.forConfig(options.config()).handle(request, options.store());
        } catch (ConfigException e) {
            sawBrokenConfig = true;
            return Response.Failure.of(ErrorKind.BAD_REQUEST, "latchkey's config file is broken: " + e.getMessage()
                    + "; fix that line, or run `latchkey doctor`");
        } catch (CredentialException e) {
            return e.toFailure();
        }
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
            Optional<String> indexUrl = services.forConfig(options.config()).resolver().indexOf(registry.name());
            if (indexUrl.isEmpty()) {
                return Optional.empty();
            }
            request = withRegistry(request, registry.withIndexUrl(indexUrl.get()));
        }
        List<String> args = new ArrayList<>();
        if (options.store() != null) {
            args.addAll(List.of("--store", options.store()));
        }
        Path config = options.config() != null ? options.config() : services.explicitConfig();
        if (config != null) {
            args.addAll(List.of("--config", config.toAbsolutePath().toString()));
        }
        return daemon.forward(request, args);
    }

    private static Request withRegistry(Request request, Registry registry) {
        if (request instanceof Request.Get get) {
            return new Request.Get(registry, get.operation(), get.crateName(), get.crateVersion(), get.checksum());
        } else if (request instanceof Request.Store store) {
            return new Request.Store(store.kind(), registry, store.token(), store.expiration(), store.operations(),
                    store.store(), store.loginUrl());
        } else if (request instanceof Request.Erase erase) {
            return new Request.Erase(erase.kind(), registry, erase.store());
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
