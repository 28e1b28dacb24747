package dev.latchkey.client;

import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Request;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.Secret;
import dev.latchkey.protocol.socket.SocketLocation;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Typed calls to latchkey: over the per-user daemon's Unix socket (started when absent), or over
 * a {@code latchkey stdio} process this client spawns ({@link #overStdio}). Answers are the
 * protocol's own types; every failure is a {@link CredentialException} whose subclass says which
 * kind it is ({@code NotFound}, {@code Locked}, {@code Unavailable}, {@code Denied}, ...), with a
 * message that says what to do.
 *
 * <pre>{@code
 * import dev.latchkey.client.LatchkeyClient;
 * import dev.latchkey.protocol.CredentialException;
 * import dev.latchkey.protocol.Operation;
 * import dev.latchkey.protocol.Registry;
 * import dev.latchkey.protocol.Secret;
 *
 * import java.net.URI;
 * import java.net.http.HttpRequest;
 *
 * class Publisher {
 *     private static final Registry COMPANY = new Registry("sparse+https://packages.example.com/index/", "company");
 *
 *     // One client for the whole program, shared by its threads: it connects on first use,
 *     // starting the daemon when none runs, and reconnects when the daemon restarts.
 *     private final LatchkeyClient latchkey = LatchkeyClient.overSocket().build();
 *
 *     String login(char[] typed) throws CredentialException {
 *         try (Secret token = Secret.copyOf(typed)) {
 *             return latchkey.store(COMPANY, token); // the store that keeps it: "libsecret", "file", ...
 *         }
 *     }
 *
 *     HttpRequest upload(byte[] crate) throws CredentialException {
 *         try (Secret token = latchkey.get(COMPANY, Operation.PUBLISH).token()) { // wiped when done
 *             return HttpRequest.newBuilder(URI.create("https://packages.example.com/api/v1/crates/new"))
 *                     .header("Authorization", token.reveal())
 *                     .PUT(HttpRequest.BodyPublishers.ofByteArray(crate))
 *                     .build();
 *         } catch (CredentialException.NotFound e) {
 *             throw new IllegalStateException("no token for the registry: " + e.getMessage(), e);
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>One client holds one connection at a time and is safe to share between threads: requests
 * from several threads are pipelined on it and matched to their answers by id. When the
 * connection ends (the daemon restarted, went idle or was killed) the next call opens a new one,
 * starting the daemon again when needed; a {@code get}, {@code store}, {@code list} or
 * {@code status} caught by the end of a connection is sent once more on the new one. Connecting
 * and each call have timeouts. Tokens in answers are the caller's to {@link Secret#wipe() wipe}.
 *
 * <p>The daemon is started with {@code latchkey daemon --socket PATH}, where {@code latchkey} is the
 * {@linkplain Builder#launcher launcher} (by default {@code latchkey} on {@code PATH}); it detaches
 * and logs to latchkey's state directory.
 */
public final class LatchkeyClient implements AutoCloseable {
    private final Endpoint endpoint;
    private final Duration connectTimeout;
    private final Duration callTimeout;
    private Connection connection; // guarded by this
    private boolean closed; // guarded by this

    private LatchkeyClient(Endpoint endpoint, Duration connectTimeout, Duration callTimeout) {
        this.endpoint = endpoint;
        this.connectTimeout = connectTimeout;
        this.callTimeout = callTimeout;
    }

    /** A client of the daemon at the socket of docs/daemon.md for this process's environment. */
    public static Builder overSocket() {
        return overSocket(SocketLocation.ofProcess());
    }

    /** A client of the daemon at {@code socket}. */
    public static Builder overSocket(Path socket) {
        return new Builder(Objects.requireNonNull(socket, "socket"), null);
    }

    /** A client of a {@code latchkey stdio} process started with {@code command}, e.g. {@code ["latchkey", "stdio"]}. */
    public static Builder overStdio(List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("the command to run is empty");
        }
        return new Builder(null, List.copyOf(command));
    }

    /** How a client is made: where it connects, its timeouts, and whether and how it starts the daemon. */
    public static final class Builder {
        private final Path socket;
        private final List<String> stdioCommand;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration callTimeout = Duration.ofSeconds(60);
        private Duration startTimeout = Duration.ofSeconds(30);
        private List<String> launcher = List.of("latchkey");
        private boolean startDaemon = true;

        private Builder(Path socket, List<String> stdioCommand) {
            this.socket = socket;
            this.stdioCommand = stdioCommand;
        }

        /** How long connecting and the server's hello may take; default 5 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout);
            return this;
        }

        /** How long one call may wait for its answer; default 60 s (a keychain may ask the user to unlock it). */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = positive(timeout);
            return this;
        }

        /** How long starting the daemon may take; default 30 s. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = positive(timeout);
            return this;
        }

        /** The command that runs latchkey, to which {@code daemon --socket PATH} is added; default {@code latchkey}. */
        public Builder launcher(List<String> command) {
            if (command.isEmpty()) {
                throw new IllegalArgumentException("the launcher command is empty");
            }
            this.launcher = List.copyOf(command);
            return this;
        }

        /** Whether to start the daemon when none is running; default true. */
        public Builder startDaemon(boolean start) {
            this.startDaemon = start;
            return this;
        }

        /** The client; it connects on its first call. */
        public LatchkeyClient build() {
            Endpoint endpoint = socket != null
                    ? new SocketEndpoint(socket, startDaemon ? new DaemonStarter(launcher, startTimeout) : null)
                    : new StdioEndpoint(stdioCommand);
            return new LatchkeyClient(endpoint, connectTimeout, callTimeout);
        }

        private static Duration positive(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("a timeout must be positive");
            }
            return timeout;
        }
    }

    /** The token for reading {@code registry}'s index. */
    public Response.Got get(Registry registry) throws CredentialException {
        return get(registry, Operation.READ);
    }

    /** The token for {@code operation} on {@code registry}. */
    public Response.Got get(Registry registry, Operation operation) throws CredentialException {
        return call(new Request.Get(registry, operation, null, null, null), Response.Got.class);
    }

    /** Stores {@code token} for every operation, without expiration, where latchkey puts new tokens; returns the store's name. */
    public String store(Registry registry, Secret token) throws CredentialException {
        return store(registry, token, null, Set.of(), null);
    }

    /**
     * Stores {@code token}; returns the name of the store that took it.
     *
     * @param expiration Unix seconds after which it is not handed out, or null
     * @param operations the operations it may be used for; empty means all
     * @param store      the store to put it in, or null for latchkey's choice
     */
    public String store(Registry registry, Secret token, Long expiration, Set<Operation> operations, String store)
            throws CredentialException {
        Request.Store request = new Request.Store("store", registry, token, expiration, operations, store, null);
        return call(request, Response.Stored.class).store();
    }

    /** Forgets {@code registry}'s token; returns the stores it was erased from. */
    public List<String> erase(Registry registry) throws CredentialException {
        return erase(registry, null);
    }

    /** Forgets {@code registry}'s token in {@code store} (null: wherever it is); returns the stores it was erased from. */
    public List<String> erase(Registry registry, String store) throws CredentialException {
        return call(new Request.Erase("erase", registry, store), Response.Erased.class).stores();
    }

    /** Every stored token, described; never the tokens themselves. */
    public List<Response.TokenInfo> list() throws CredentialException {
        return list(null);
    }

    /** {@code registry}'s stored tokens (all registries' when null), described. */
    public List<Response.TokenInfo> list(Registry registry) throws CredentialException {
        return call(new Request.ListTokens(registry), Response.Listed.class).entries();
    }

    /** The server's version, pid, uptime and stores. */
    public Response.StatusReport status() throws CredentialException {
        return call(new Request.Status(), Response.StatusReport.class);
    }

    /**
     * Sends any request, with cargo-style {@code args} ({@code --store NAME}, {@code --config PATH}),
     * and returns the answer as it came, a {@link Response.Failure} included: for programs that relay
     * requests, such as latchkey's own command line.
     *
     * @throws java.net.ConnectException when no daemon is running and none is to be started
     * @throws ConnectionLostException     when the connection ended before the answer came, even after one retry
     * @throws IOException                 when the server cannot be reached, turns the connection away,
     *                                     or does not answer in time
     */
    public Response exchange(Request request, List<String> args) throws IOException {
        try {
            return connection().call(request, args, callTimeout);
        } catch (ConnectionLostException lost) {
            if (lost.requestSent() && request instanceof Request.Erase) {
                throw lost; // whether it was erased is unknown, and a second erase would say "not found"
            }
            return connection().call(request, args, callTimeout);
        }
    }

    private <T extends Response> T call(Request request, Class<T> expected) throws CredentialException {
        Response response;
        try {
            response = exchange(request, List.of());
        } catch (Connection.Refused refused) {
            throw CredentialException.from(refused.failure());
        } catch (IOException e) {
            throw new CredentialException.Unavailable("cannot reach latchkey: " + e.getMessage());
        }
        if (response instanceof Response.Failure failure) {
            throw CredentialException.from(failure);
        }
        if (!expected.isInstance(response)) {
            throw new CredentialException.Failed(endpoint.describe() + " answered a " + request.kind()
                    + " request with something else", List.of());
        }
        return expected.cast(response);
    }

    private synchronized Connection connection() throws IOException {
        if (closed) {
            throw new IOException("this client is closed");
        }
        if (connection == null || !connection.isOpen()) {
            connection = endpoint.open(connectTimeout);
        }
        return connection;
    }

    /** Ends the connection (and a spawned {@code latchkey stdio}); the daemon keeps running. */
    @Override
    public synchronized void close() {
        closed = true;
        if (connection != null) {
            try {
                connection.close();
            } catch (IOException e) {
                // the connection is dropped either way
            }
            connection = null;
        }
    }
}
