package dev.latchkey.daemon.store.command;

import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.StoredToken;

import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Secret;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tokens printed by a configured command ({@code [store.command] get = [...]}), such as a password
 * manager's CLI. {@code {index_url}} and {@code {name}} in its arguments are replaced. The first
 * line of its output is the token; exit status 1 with no output means "none stored". Read-only.
 *
 * <p>The command's stdin is {@code /dev/null}: latchkey's own stdin is the protocol pipe in provider
 * and stdio mode, and a command reading it would swallow requests. Its stderr is latchkey's, so a
 * password manager's messages reach the user. Its environment is latchkey's without latchkey's
 * secrets or anything a password manager does not need ({@link CommandEnvironment}). A command that
 * does not finish within the timeout is killed, whether or not it is still printing.
 */
public final class CommandStore implements Store {
    private static final long DEFAULT_TIMEOUT_SECONDS = 30;
    private static final int MAX_OUTPUT = 64 * 1024;

    private final List<String> command;
    private final String passphraseVariable;
    private final long timeoutSeconds;

    /** {@code passphraseVariable}: the encrypted store's, which the command must not see. */
    public CommandStore(List<String> command, String passphraseVariable) {
        this(command, passphraseVariable, DEFAULT_TIMEOUT_SECONDS);
    }

    CommandStore(List<String> command, String passphraseVariable, long timeoutSeconds) {
        this.command = List.copyOf(command);
        this.passphraseVariable = passphraseVariable;
        this.timeoutSeconds = timeoutSeconds;
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
            ProcessBuilder builder = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            CommandEnvironment.scrub(builder.environment(), passphraseVariable);
            process = builder.start();
        } catch (IOException e) {
            throw new CredentialException.Unavailable("cannot run the token command `" + command.get(0) + "`: "
                    + e.getMessage() + "; check [store.command] get in latchkey's config");
        }
        // Kills a command that hangs, even one that never closes its output (the read below would wait
        // forever), and its children too: a shell's child keeps the output pipe open after the shell dies.
        AtomicBoolean stopped = new AtomicBoolean();
        CompletableFuture<Void> watchdog = CompletableFuture.runAsync(() -> {
            stopped.set(true); // before the kill, so the reader never mistakes it for the command's own failure
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }, CompletableFuture.delayedExecutor(timeoutSeconds, TimeUnit.SECONDS));
        byte[] output = new byte[MAX_OUTPUT];
        int length = 0;
        try (InputStream out = process.getInputStream()) {
            int n;
            while (length < MAX_OUTPUT && (n = out.read(output, length, MAX_OUTPUT - length)) > 0) {
                length += n;
            }
            // Only the first line counts; the rest is drained so that the command can finish writing.
            byte[] rest = new byte[8192];
            while (out.read(rest) > 0) {
                Arrays.fill(rest, (byte) 0);
            }
            int status = process.waitFor();
            if (stopped.get()) {
                throw timedOut();
            }
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
            throw new CredentialException.Unavailable("the token command `" + command.get(0) + "` failed with status "
                    + status + "; run it by hand to see why");
        } catch (IOException e) {
            if (stopped.get()) {
                throw timedOut(); // stopping it closed the stream under the read
            }
            throw new CredentialException.Unavailable("cannot read the token command's output: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new CredentialException.Unavailable("interrupted while waiting for the token command");
        } finally {
            watchdog.cancel(false);
            Arrays.fill(output, (byte) 0);
        }
    }

    private CredentialException timedOut() {
        return new CredentialException.Unavailable("the token command `" + command.get(0) + "` did not finish within "
                + timeoutSeconds + " s and was stopped; check that it runs without asking for input (its stdin is /dev/null)");
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
