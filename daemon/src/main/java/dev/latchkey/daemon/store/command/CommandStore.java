package dev.latchkey.daemon.store.command;

import dev.latchkey.daemon.config.StoreId;
import dev.latchkey.daemon.store.Arrival;
import dev.latchkey.daemon.store.Capabilities;
import dev.latchkey.daemon.store.CredentialKey;
import dev.latchkey.daemon.store.NameBindings;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.Store;
import dev.latchkey.daemon.store.StoreEntry;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.daemon.store.StoreState;
import dev.latchkey.daemon.store.StoredToken;
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
import java.util.function.Function;

/**
 * Tokens printed by a configured command ({@code [store.command] get = [...]}), such as a password
 * manager's CLI. {@code {index_url}} and {@code {name}} in its arguments are replaced. The first
 * line of its output is the token; exit status 1 with no output means "none stored". Read-only.
 *
 * <p>{@code {name}} is replaced only by a name the user bound to that very index URL in a place a
 * project cannot write ({@link #trustedNameOf}), never by the name a request or a project's cargo
 * config gives: a cloned repository could otherwise name {@code company} for its own index URL, or
 * {@code ../../bank}, and have the user's password manager hand it another secret. A request for an
 * index URL no trusted name is bound to is refused, saying where to bind one.
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
    /** It starts a process for every read. */
    private static final Capabilities CAPABILITIES = Capabilities.readOnly(StoreId.COMMAND).slowToRead();

    private final List<String> command;
    private final String passphraseVariable;
    private final Function<String, Optional<String>> trustedNameOf;
    private final long timeoutSeconds;
    private final StoreState state;

    /**
     * {@code passphraseVariable}: the encrypted store's, which the command must not see;
     * {@code trustedNameOf}: the registry name the user bound to an index URL where a project cannot
     * (latchkey's config, {@code $CARGO_HOME/config.toml}), which {@code {name}} is replaced by.
     */
    public CommandStore(List<String> command, String passphraseVariable, Function<String, Optional<String>> trustedNameOf) {
        this(command, passphraseVariable, trustedNameOf, DEFAULT_TIMEOUT_SECONDS);
    }

    CommandStore(List<String> command, String passphraseVariable, Function<String, Optional<String>> trustedNameOf,
                 long timeoutSeconds) {
        this.command = List.copyOf(command);
        this.passphraseVariable = passphraseVariable;
        this.trustedNameOf = trustedNameOf;
        this.timeoutSeconds = timeoutSeconds;
        this.state = command.isEmpty()
                ? StoreState.unusable("no command configured: set [store.command] get = [\"pass\", \"show\", \"cargo/{name}\"] in latchkey's config")
                : StoreState.ready("runs `" + command.get(0) + "`; read-only");
    }

    @Override
    public StoreId id() {
        return StoreId.COMMAND;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public StoreState diagnose(boolean thorough) {
        return state;
    }

    @Override
    public List<StoredToken> get(CredentialKey key, Arrival arrival) throws StoreException {
        if (command.isEmpty() || !(key instanceof RegistryKey registry)) {
            return List.of();
        }
        List<String> argv = argv(registry);
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            CommandEnvironment.scrub(builder.environment(), passphraseVariable);
            process = builder.start();
        } catch (IOException e) {
            throw new StoreException.Unavailable("cannot run the token command `" + command.get(0) + "`: "
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
                return List.of(StoredToken.plain(Secret.fromUtf8(output, 0, end)));
            }
            if (status == 0 || (status == 1 && length == 0)) {
                return List.of();
            }
            throw new StoreException.Unavailable("the token command `" + command.get(0) + "` failed with status "
                    + status + "; run it by hand to see why");
        } catch (IOException e) {
            if (stopped.get()) {
                throw timedOut(); // stopping it closed the stream under the read
            }
            throw new StoreException.Unavailable("cannot read the token command's output: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new StoreException.Unavailable("interrupted while waiting for the token command");
        } finally {
            watchdog.cancel(false);
            Arrays.fill(output, (byte) 0);
        }
    }

    /**
     * The command's arguments for {@code registry}: {@code {index_url}} as the request gives it (no
     * control characters), {@code {name}} as the user bound it.
     */
    private List<String> argv(RegistryKey registry) throws StoreException {
        String indexUrl = registry.indexUrl();
        for (int i = 0; i < indexUrl.length(); i++) {
            if (Character.isISOControl(indexUrl.charAt(i)) || Character.isWhitespace(indexUrl.charAt(i))) {
                throw new StoreException.Refused("the index URL holds a control character or a space, which the token command is "
                        + "never given");
            }
        }
        String name = null;
        for (String arg : command) {
            if (arg.contains("{name}")) {
                name = trustedNameOf.apply(indexUrl).orElseThrow(() -> new StoreException.Refused("the token command's {name} "
                        + "stands only for a registry name bound to this very index URL in " + NameBindings.TRUSTED_PLACES
                        + ", and " + indexUrl + " is bound to none there (a project's .cargo/config.toml is not trusted with it): add "
                        + "[registries.NAME] index = \"" + indexUrl + "\" to latchkey's config, or use {index_url}"));
                break;
            }
        }
        List<String> argv = new ArrayList<>();
        for (String arg : command) {
            argv.add(arg.replace("{index_url}", indexUrl).replace("{name}", name == null ? "" : name));
        }
        return argv;
    }

    private StoreException timedOut() {
        return new StoreException.Unavailable("the token command `" + command.get(0) + "` did not finish within "
                + timeoutSeconds + " s and was stopped; check that it runs without asking for input (its stdin is /dev/null)");
    }

    @Override
    public void put(CredentialKey key, StoredToken token) {
        throw new UnsupportedOperationException("the command store is read-only");
    }

    @Override
    public boolean erase(CredentialKey key) {
        throw new UnsupportedOperationException("the command store is read-only");
    }

    @Override
    public List<StoreEntry> list(Arrival arrival) {
        return List.of(); // a command can only be asked about one registry at a time
    }
}
