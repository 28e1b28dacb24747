package dev.latchkey.it;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real npm registry on 127.0.0.1 serving one package, {@value #PACKAGE} {@value #VERSION}: its
 * packument (with the tarball's sha512 integrity) and its tarball, both behind
 * {@code Authorization: Bearer TOKEN}. pnpm and npm install from it; a request without the right
 * token gets 401. Every request is logged with its verdict ({@link #requests()}).
 */
final class NpmRegistry implements AutoCloseable {
    static final String PACKAGE = "latchkey-fixture-pkg";
    static final String VERSION = "1.0.0";
    /** What the package's module exports. */
    static final String GREETING = "hello from the authenticated registry";
    /** The name the request log gives a request with the accepted token. */
    static final String TOKEN_USER = "token";

    private final byte[] tarball;
    private final GuardedHttpServer http;

    private NpmRegistry(String token) throws IOException {
        tarball = TarArchive.gzip(TarArchive.of(Map.of(
                "package/package.json", ("{\"name\":\"" + PACKAGE + "\",\"version\":\"" + VERSION + "\",\"main\":\"index.js\"}")
                        .getBytes(StandardCharsets.UTF_8),
                "package/index.js", ("module.exports = '" + GREETING + "';\n").getBytes(StandardCharsets.UTF_8))));
        http = GuardedHttpServer.start(GuardedHttpServer.Gate.bearer("latchkey-test-npm", TOKEN_USER, token), this::serve);
    }

    /** Starts a registry that accepts {@code Authorization: Bearer token} only. */
    static NpmRegistry start(String token) throws IOException {
        return new NpmRegistry(token);
    }

    /** {@code http://127.0.0.1:PORT/}, the registry URL as .npmrc's {@code registry=} takes it. */
    String url() {
        return http.base() + "/";
    }

    /** {@code 127.0.0.1:PORT}, for .npmrc's per-registry keys ({@code //127.0.0.1:PORT/:_authToken=}). */
    String hostAndPort() {
        return http.hostAndPort();
    }

    /** The path of the package's tarball. */
    static String tarballPath() {
        return "/" + PACKAGE + "/-/" + PACKAGE + "-" + VERSION + ".tgz";
    }

    List<GuardedHttpServer.Request> requests() {
        return http.requests();
    }

    void clearRequests() {
        http.clearRequests();
    }

    @Override
    public void close() {
        http.close();
    }

    private void serve(HttpExchange exchange, String user, byte[] body) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (exchange.getRequestMethod().equals("GET") && path.equals("/" + PACKAGE)) {
            byte[] packument = JsonValues.write(packument()).getBytes(StandardCharsets.UTF_8);
            GuardedHttpServer.send(exchange, 200, "application/json", packument);
        } else if (exchange.getRequestMethod().equals("GET") && path.equals(tarballPath())) {
            GuardedHttpServer.send(exchange, 200, "application/octet-stream", tarball);
        } else {
            GuardedHttpServer.send(exchange, 404, "application/json", "{\"error\":\"not found\"}".getBytes(StandardCharsets.UTF_8));
        }
    }

    private Map<String, Object> packument() {
        Map<String, Object> dist = new LinkedHashMap<>();
        dist.put("tarball", http.base() + tarballPath());
        dist.put("shasum", Digests.sha1Hex(tarball));
        dist.put("integrity", Digests.sha512Integrity(tarball));
        Map<String, Object> version = new LinkedHashMap<>();
        version.put("name", PACKAGE);
        version.put("version", VERSION);
        version.put("main", "index.js");
        version.put("dist", dist);
        Map<String, Object> packument = new LinkedHashMap<>();
        packument.put("name", PACKAGE);
        packument.put("dist-tags", Map.of("latest", VERSION));
        packument.put("versions", Map.of(VERSION, version));
        return packument;
    }
}
