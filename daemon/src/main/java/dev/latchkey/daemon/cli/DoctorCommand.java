package dev.latchkey.daemon.cli;

import dev.latchkey.daemon.config.ConfigException;
import dev.latchkey.daemon.service.Caller;
import dev.latchkey.daemon.service.CredentialService;
import dev.latchkey.daemon.service.Services;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Dialect;
import dev.latchkey.protocol.Request;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.ResponseCodec;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code latchkey doctor [--json]}: which stores are usable, and why not. A config file that cannot
 * be used (broken, or one others could have written) does not stop it: it says why, as every
 * command does, then reports the stores as they are without that file, and exits 2.
 */
final class DoctorCommand {
    private final Services services;
    private final OutputStream stdout;
    private final PrintStream stderr;

    DoctorCommand(Services services, OutputStream stdout, PrintStream stderr) {
        this.services = services;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    int run(Arguments args) throws UsageException, CredentialException, IOException {
        boolean json = args.flag("--json");
        args.end();
        CredentialService service;
        String configProblem = null;
        try {
            service = services.forConfig(null);
        } catch (ConfigException e) {
            configProblem = e.getMessage();
            stderr.println("latchkey: " + ConfigException.PREFIX + configProblem);
            service = services.withoutConfigFile();
        }
        Response response = service.handle(new Request.Status(), null, Caller.parentOfThisProcess());
        if (response instanceof Response.Failure failure) {
            throw CredentialException.from(failure);
        }
        Response.StatusReport status = (Response.StatusReport) response;
        String report = json ? new String(ResponseCodec.write(null, status, Dialect.LATCHKEY), StandardCharsets.UTF_8)
                : "latchkey " + status.version() + "\n"
                        + (configProblem == null ? "" : "config: not used, see above; the stores as they are without it:\n")
                        + Table.storeStates(status.stores());
        stdout.write(report.getBytes(StandardCharsets.UTF_8));
        stdout.flush();
        return configProblem == null ? ExitCodes.OK : ExitCodes.USAGE;
    }
}
