package dev.latchkey.daemon;

import dev.latchkey.daemon.cli.Cli;
import dev.latchkey.daemon.config.Environment;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;

/** The {@code latchkey} program. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // Standard output is the protocol channel in provider mode: only the CLI's own writer may
        // use it. Anything printed through System.out by accident goes to standard error instead.
        OutputStream stdout = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
        System.setOut(System.err);
        int status = new Cli(Environment.ofProcess(), System.in, stdout, System.err, Version.current()).run(args);
        System.exit(status);
    }
}
