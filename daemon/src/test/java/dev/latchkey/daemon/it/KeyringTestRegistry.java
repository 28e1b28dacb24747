package dev.latchkey.daemon.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The smallest registry {@code cargo login} and {@code cargo owner --list} talk to, on 127.0.0.1:
 * a sparse index's {@code config.json}, and the owners API, which answers only a request whose
 * {@code Authorization} header is the expected token. It records every Authorization it was sent.
 * (The e2e branch is building a fuller TestRegistry; this one is all the keyring tests need.)
 */
final class KeyringTestRegistry implements AutoCloseable {
    static final String OWNER = "keyring-owner";

    private final HttpServer server;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private volatile String expectedToken;

    private KeyringTestRegistry(HttpServer server) {
        this.server = server;
    }

    static KeyringTestRegistry start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        KeyringTestRegistry registry = new KeyringTestRegistry(server);
        server.createContext("/index/config.json", registry::config);
        server.createContext("/api/v1/crates/", registry::owners);
        server.start();
        return registry;
    }

    /** The index URL exactly as cargo sends it for this registry. */
    String indexUrl() {
        return "sparse+" + base() + "/index/";
    }

    /** The token the owners API accepts from now on. */
    void expect(String token) {
        expectedToken = token;
    }

    /** Every Authorization header the owners API received, in order. */
    List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void config(HttpExchange exchange) throws IOException {
        respond(exchange, 200, "{\"dl\":\"" + base() + "/dl\",\"api\":\"" + base() + "\"}");
    }

    private void owners(HttpExchange exchange) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        authorizations.add(String.valueOf(authorization));
        if (!exchange.getRequestURI().getPath().endsWith("/owners")) {
            respond(exchange, 404, "{\"errors\":[{\"detail\":\"not found\"}]}");
        } else if (authorization == null || !authorization.equals(expectedToken)) {
            respond(exchange, 403, "{\"errors\":[{\"detail\":\"this token is not accepted\"}]}");
        } else {
            respond(exchange, 200, "{\"users\":[{\"id\":1,\"login\":\"" + OWNER + "\",\"name\":\"Keyring Owner\"}]}");
        }
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
