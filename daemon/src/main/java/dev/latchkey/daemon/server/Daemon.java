package dev.latchkey.daemon.server;

import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.door.latchkey.ServiceHandler;
import dev.latchkey.daemon.service.Services;
import dev.latchkey.protocol.socket.SocketDirectory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Optional;

/**
 * The per-user daemon in this process (docs/daemon.md), from start to exit:
 * <ol>
 *   <li>check the socket's directory (created 0700 when missing): a real directory, ours, closed
 *       to everyone else, or no start at all;</li>
 *   <li>claim the socket: one daemon per socket, a stale one from a killed daemon replaced, or the
 *       one a service manager passed on standard input adopted;</li>
 *   <li>serve until a signal (SIGTERM, SIGINT: {@code daemon stop} sends one) or the idle timeout;</li>
 *   <li>stop: no new connections, the requests already received answered, the socket removed.</li>
 * </ol>
 */
public final class Daemon {
    /** How long stopping waits for requests in flight (a keychain prompt, a slow command). */
    static final Duration DRAIN = Duration.ofSeconds(10);

    private final Services services;
    private final Environment env;
    private final String version;
    private final PrintStream stderr;
    private final DaemonLog log;

    /** {@code services}: made with {@link Services#forDaemon}; {@code stderr}: where the daemon logs. */
    public Daemon(Services services, Environment env, String version, PrintStream stderr) {
        this.services = services;
        this.env = env;
        this.version = version;
        this.stderr = stderr;
        this.log = new DaemonLog(stderr);
    }

    /**
     * Serves on {@code socket} (unless a socket was passed on stdin) until stopped.
     *
     * @throws IOException when the daemon cannot start; the message says why and what to do
     */
    public void run(Path socket, Duration idleTimeout) throws IOException, InterruptedException {
        FatalErrors.install(log);
        Optional<ServerSocketChannel> inherited = SocketActivation.inherited(env);
        Path path = inherited.isPresent() ? SocketActivation.pathOf(inherited.get()) : socket.toAbsolutePath();
        UserPrincipal owner = inherited.isPresent() ? SocketDirectory.verify(path.getParent()) : SocketDirectory.create(path.getParent());
        try (SocketClaim claim = SocketClaim.take(path, inherited, log)) {
            IdleTimer idle = new IdleTimer(idleTimeout);
            RelayedInvocations relays = new RelayedInvocations(services, version, path, idle, log::info);
            SocketServer server = new SocketServer(claim.listener(), claim::stopAccepting, owner, version,
                    caller -> idle.track(ServiceHandler.forSocket(services, stderr, caller)), relays, log::info);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                if (!claim.isClosed()) { // else the daemon went idle and has stopped already
                    log.info("stopping: answering the requests already received");
                    server.stop(DRAIN);
                    release(claim);
                    log.info("stopped");
                }
            }, "latchkey-shutdown"));
            log.info("serving on " + path + (inherited.isPresent() ? " (passed by the service manager)" : "")
                    + ", idle timeout " + (idleTimeout.isZero() ? "none" : idleTimeout.toSeconds() + " s"));
            idle.start(() -> {
                log.info("no request for " + idleTimeout.toSeconds() + " s: stopping");
                server.stop(DRAIN);
            });
            server.serve();
        }
    }

    private void release(SocketClaim claim) {
        try {
            claim.close();
        } catch (IOException e) {
            log.info("could not remove the socket: " + e.getMessage());
        }
    }
}
