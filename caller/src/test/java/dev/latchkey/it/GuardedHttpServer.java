package dev.latchkey.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A JDK HTTP server on 127.0.0.1 (a free port) that checks every request's {@code Authorization}
 * header before its handler sees it: a request without the right credentials is answered 401 with
 * the gate's {@code WWW-Authenticate} challenge. Every request is logged with the verdict, the user
 * it was accepted for and the status it got, so a test can tell what a client sent without seeing
 * the secret. The servers of the client fixtures ({@link GitHttpServer}, {@link PythonIndex},
 * {@link NpmRegistry}) are this server with a gate and a handler each.
 */
final class GuardedHttpServer implements AutoCloseable {
    /** What a request's {@code Authorization} header was. */
    enum Auth { NONE, ACCEPTED, REJECTED }

    /**
     * One request: {@code path} decoded, {@code query} raw (null: none), {@code user} the one it was
     * accepted for (null unless {@link Auth#ACCEPTED}), {@code chunked} whether its body came in
     * chunked transfer encoding.
     */
    record Request(String method, String path, String query, Auth auth, String user, boolean chunked, int status) {
    }

    /** The verdict on one {@code Authorization} header: {@code user} is set when accepted. */
    record Verdict(Auth auth, String user) {
    }

    /** Decides who a request is from, and what a refused one is told to send. */
    interface Gate {
        Verdict check(String authorization);

        String challenge();

        /** HTTP Basic: {@code passwords} maps each user to the password accepted for them. */
        static Gate basic(String realm, Map<String, String> passwords) {
            Map<String, String> accepted = Map.copyOf(passwords);
            return new Gate() {
                @Override
                public Verdict check(String authorization) {
                    if (authorization == null) {
                        return new Verdict(Auth.NONE, null);
                    }
                    if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
                        return new Verdict(Auth.REJECTED, null);
                    }
                    String pair;
                    try {
                        pair = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
                    } catch (IllegalArgumentException e) {
                        return new Verdict(Auth.REJECTED, null);
                    }
                    int colon = pair.indexOf(':');
                    String user = colon < 0 ? pair : pair.substring(0, colon);
                    String password = colon < 0 ? "" : pair.substring(colon + 1);
                    String expected = accepted.get(user);
                    return expected != null && sameText(expected, password)
                            ? new Verdict(Auth.ACCEPTED, user) : new Verdict(Auth.REJECTED, null);
                }

                @Override
                public String challenge() {
                    return "Basic realm=\"" + realm + "\"";
                }
            };
        }

        /** A bearer token: {@code Authorization: Bearer TOKEN}; the user logged is {@code user}. */
        static Gate bearer(String realm, String user, String token) {
            return new Gate() {
                @Override
                public Verdict check(String authorization) {
                    if (authorization == null) {
                        return new Verdict(Auth.NONE, null);
                    }
                    return sameText("Bearer " + token, authorization)
                            ? new Verdict(Auth.ACCEPTED, user) : new Verdict(Auth.REJECTED, null);
                }

                @Override
                public String challenge() {
                    return "Bearer realm=\"" + realm + "\"";
                }
            };
        }
    }

    /** Serves one accepted request: must send a response on {@code exchange}. */
    interface Handler {
        void serve(HttpExchange exchange, String user, byte[] body) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "guarded-http-server");
        thread.setDaemon(true);
        return thread;
    });
    private final Gate gate;
    private final Handler handler;
    private final List<Request> requests = new ArrayList<>();

    private GuardedHttpServer(Gate gate, Handler handler) throws IOException {
        this.gate = gate;
        this.handler = handler;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    static GuardedHttpServer start(Gate gate, Handler handler) throws IOException {
        return new GuardedHttpServer(gate, handler);
    }

    /** {@code 127.0.0.1:PORT}, as clients name the server in their configuration and to their helpers. */
    String hostAndPort() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
    String base() {
        return "http://" + hostAndPort();
    }

    /** The requests so far, oldest first. */
    List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Forgets the requests so far, so that a test can look at one client run's alone. */
    void clearRequests() {
        synchronized (requests) {
            requests.clear();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
        try {
            threads.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            // The JDK server takes chunked request bodies apart itself; the log still says which came chunked.
            boolean chunked = "chunked".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Transfer-Encoding"));
            byte[] body = exchange.getRequestBody().readAllBytes();
            Verdict verdict = gate.check(exchange.getRequestHeaders().getFirst("Authorization"));
            try {
                if (verdict.auth() == Auth.ACCEPTED) {
                    handler.serve(exchange, verdict.user(), body);
                } else {
                    exchange.getResponseHeaders().set("WWW-Authenticate", gate.challenge());
                    send(exchange, 401, "text/plain", "authentication required\n".getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException | RuntimeException e) {
                if (exchange.getResponseCode() < 0) {
                    send(exchange, 500, "text/plain", ("test server failed: " + e + "\n").getBytes(StandardCharsets.UTF_8));
                }
                throw e;
            } finally {
                synchronized (requests) {
                    requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                            exchange.getRequestURI().getRawQuery(), verdict.auth(), verdict.user(), chunked,
                            exchange.getResponseCode()));
                }
            }
        }
    }

    /** Sends a whole response with its length; an empty body is sent as none. */
    static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean hasBody = body.length > 0 && !exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, hasBody ? body.length : -1);
        if (hasBody) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static boolean sameText(String expected, String given) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }
}
