package dev.latchkey.daemon;

import dev.latchkey.daemon.cli.Cli;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.relay.CargoRelay;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.util.Arrays;

/** The {@code latchkey} program. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // Standard output is the protocol channel in provider mode: only the CLI's own writer may
        // use it. Anything printed through System.out by accident goes to standard error instead.
        OutputStream stdout = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
        System.setOut(System.err);
        int status;
        try {
            status = run(args, stdout);
        } catch (RuntimeException | Error e) {
            status = Cli.internalError(e, VerboseLog.requested(Arrays.asList(args).contains("-v"), Environment.ofProcess()), System.err);
        }
        System.exit(status);
    }

    private static int run(String[] args, OutputStream stdout) {
        Environment env = Environment.ofProcess();
        // cargo runs `latchkey --cargo-plugin` for every request: a running daemon serves it through
        // the relay, which loads almost nothing. Anything else is the full program.
        CargoRelay.Outcome relayed = args.length == 1 && args[0].equals("--cargo-plugin")
                ? new CargoRelay(env, System.in, stdout, System.err).serve()
                : new CargoRelay.NotRelayed();
        int status;
        if (relayed instanceof CargoRelay.Served served) {
            status = served.status();
        } else {
            Cli cli = new Cli(env, System.in, stdout, System.err, Version.current());
            if (relayed instanceof CargoRelay.HandedBack handedBack) {
                status = cli.resume(handedBack);
            } else if (relayed instanceof CargoRelay.Declined) {
                // The daemon's files are not this environment's: asked over its socket it would say the same.
                status = cli.run(new String[] {"--cargo-plugin", "--no-daemon"});
            } else {
                status = cli.run(args);
            }
        }
        return status;
    }
}
