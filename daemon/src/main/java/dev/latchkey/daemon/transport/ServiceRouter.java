package dev.latchkey.daemon.transport;

import dev.latchkey.daemon.config.ConfigException;
import dev.latchkey.daemon.service.CredentialService;
import dev.latchkey.daemon.service.Services;
import dev.latchkey.daemon.terminal.TerminalPrompt;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Dialect;
import dev.latchkey.protocol.ErrorKind;
import dev.latchkey.protocol.Request;
import dev.latchkey.protocol.RequestLine;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.Secret;

import java.io.IOException;
import java.io.PrintStream;

/**
 * Hands each request line to the service its {@code args} ask for. In cargo's dialect a
 * {@code login} without a token (cargo sends none when its stdin is a terminal) is completed by
 * asking at the terminal, as cargo's own providers do.
 */
public final class ServiceRouter implements RequestHandler {
    private final Services services;
    private final Dialect dialect;
    private final PrintStream diagnostics;
    private boolean warnedAboutArgs;
    private boolean sawBrokenConfig;

    public ServiceRouter(Services services, Dialect dialect, PrintStream diagnostics) {
        this.services = services;
        this.dialect = dialect;
        this.diagnostics = diagnostics;
    }

    /** Whether a request failed because the config file is broken; the process then exits 2. */
    public boolean sawBrokenConfig() {
        return sawBrokenConfig;
    }

    @Override
    public Response handle(RequestLine line) {
        RequestOptions options = RequestOptions.parse(line.args(), services.environment().workingDirectory());
        if (!options.ignored().isEmpty() && !warnedAboutArgs) {
            warnedAboutArgs = true;
            diagnostics.println("latchkey: ignoring unrecognised arguments " + options.ignored()
                    + " (recognised: --store NAME, --config PATH, --no-daemon)");
        }
        CredentialService service;
        try {
            service = services.forConfig(options.config());
        } catch (ConfigException e) {
            sawBrokenConfig = true;
            return Response.Failure.of(ErrorKind.BAD_REQUEST, "latchkey's config file is broken: " + e.getMessage()
                    + "; fix that line, or run `latchkey doctor`");
        }
        Request request = line.request();
        if (dialect == Dialect.CARGO && request instanceof Request.Store store && store.token() == null) {
            try {
                request = store.withToken(askForToken(store));
            } catch (CredentialException e) {
                return e.toFailure();
            }
        }
        return service.handle(request, options.store());
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
