package dev.latchkey.daemon.store;

import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Secret;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Tokens printed by a configured command ({@code [store.command] get = [...]}), such as a password
 * manager's CLI. {@code {index_url}} and {@code {name}} in its arguments are replaced. The first
 * line of its output is the token; exit status 1 with no output means "none stored". Read-only.
 */
public final class CommandStore implements Store {
    private static final long TIMEOUT_SECONDS = 30;
    private static final int MAX_OUTPUT = 64 * 1024;

    private final List<String> command;

    public CommandStore(List<String> command) {
        this.command = List.copyOf(command);
    }

    @Override
    public String name() {
        return "command";
    }

    @Override
    public boolean writable() {
        return false;
    }

    /** It starts a process for every read. */
    @Override
    public boolean slow() {
        return true;
    }

    @Override
    public StoreState state() {
        if (command.isEmpty()) {
            return StoreState.unusable("no command configured: set [store.command] get = [\"pass\", \"show\", \"cargo/{name}\"] in latchkey's config");
        }
        return StoreState.ready("runs `" + command.get(0) + "`; read-only");
    }

    @Override
    public Optional<StoredToken> get(RegistryKey registry, Operation operation) throws CredentialException {
        if (command.isEmpty()) {
            return Optional.empty();
        }
        List<String> argv = new ArrayList<>();
        for (String arg : command) {
            argv.add(arg.replace("{index_url}", registry.indexUrl())
                    .replace("{name}", registry.name() == null ? "" : registry.name()));
        }
        Process process;
        try {
            process = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new CredentialException.Unavailable("cannot run the token command `" + command.get(0) + "`: "
                    + e.getMessage() + "; check [store.command] get in latchkey's config");
        }
        byte[] output = new byte[MAX_OUTPUT];
        int length = 0;
        try (InputStream out = process.getInputStream()) {
            int n;
            while (length < MAX_OUTPUT && (n = out.read(output, length, MAX_OUTPUT - length)) > 0) {
                length += n;
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new CredentialException.Unavailable("the token command `" + command.get(0)
                        + "` did not finish within " + TIMEOUT_SECONDS + " s");
            }
            int status = process.exitValue();
            int end = 0;
            while (end < length && output[end] != '\n') {
                end++;
            }
            if (end > 0 && output[end - 1] == '\r') {
                end--;
            }
            if (status == 0 && end > 0) {
                return Optional.of(StoredToken.plain(Secret.fromUtf8(output, 0, end)));
            }
            if (status == 0 || (status == 1 && length == 0)) {
                return Optional.empty();
            }
            throw new CredentialException.Unavailable("the token command `" + command.get(0) + "` failed with status " + status);
        } catch (IOException e) {
            throw new CredentialException.Unavailable("cannot read the token command's output: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new CredentialException.Unavailable("interrupted while waiting for the token command");
        } finally {
            Arrays.fill(output, (byte) 0);
        }
    }

    @Override
    public void put(RegistryKey registry, StoredToken token) {
        throw new UnsupportedOperationException("the command store is read-only");
    }

    @Override
    public boolean erase(RegistryKey registry) {
        throw new UnsupportedOperationException("the command store is read-only");
    }

    @Override
    public List<StoreEntry> list() {
        return List.of(); // a command can only be asked about one registry at a time
    }
}
