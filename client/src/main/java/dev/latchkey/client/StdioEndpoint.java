package dev.latchkey.client;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code latchkey stdio} process spawned for this client, speaking the protocol on its stdin
 * and stdout; its stderr is this process's. A new one is spawned when the last one has ended.
 */
final class StdioEndpoint implements Endpoint {
    private final List<String> command;

    StdioEndpoint(List<String> command) {
        this.command = List.copyOf(command);
    }

    @Override
    public String describe() {
        return "`" + String.join(" ", command) + "`";
    }

    @Override
    public Connection open(Duration timeout) throws IOException {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        return Connection.open(describe() + " (pid " + process.pid() + ")", process.getInputStream(),
                process.getOutputStream(), process::destroyForcibly, () -> finish(process), timeout);
    }

    /** Closing its stdin ends the protocol loop, and the process exits by itself. */
    private static void finish(Process process) throws IOException {
        process.getOutputStream().close();
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
