package dev.latchkey.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real, authenticated cargo registry on 127.0.0.1 (RFC 3139 {@code auth-required}): a sparse
 * index, downloads, and the web API's publish, yank/unyank and owners endpoints. Every request,
 * {@code config.json} included, must carry the accepted token as its {@code Authorization}
 * header, or it is answered 401 with a {@code WWW-Authenticate: Cargo} challenge. Each request is
 * recorded with what its header was, so a test can tell that cargo sent the token. Told to
 * {@linkplain #acceptScoped accept scoped tokens}, it takes one token for reads (the index and
 * downloads) and another for the web API (publish, yank, unyank, owners), as registries that issue
 * a read-only token and a publish token do.
 *
 * <p>Public, with what a caller outside the tests needs: the benchmarks ({@code bench/},
 * CargoBench) time real cargo commands against it, through this module's test jar.
 */
public final class TestRegistry implements AutoCloseable {
    /** What a request's {@code Authorization} header was. */
    public enum Auth { NONE, ACCEPTED, REJECTED }

    /** One request the registry received, with the {@code Authorization} header it carried (null: none). */
    public record Seen(String method, String path, Auth auth, String authorization) {
        boolean isRead() {
            return TestRegistry.isRead(method, path);
        }
    }

    /** Whether a request is for the index or a download, which a read token may do. */
    static boolean isRead(String method, String path) {
        return method.equals("GET") && (path.startsWith("/index/") || path.startsWith("/dl/"));
    }

    /** The first owner of every crate: the user the accepted token belongs to. */
    static final String PUBLISHER = "latchkey-e2e";

    private static final Pattern DOWNLOAD = Pattern.compile("/dl/([^/]+)/([^/]+)/download");
    private static final Pattern YANK = Pattern.compile("/api/v1/crates/([^/]+)/([^/]+)/yank");
    private static final Pattern UNYANK = Pattern.compile("/api/v1/crates/([^/]+)/([^/]+)/unyank");
    private static final Pattern OWNERS = Pattern.compile("/api/v1/crates/([^/]+)/owners");

    /** One published version: its index entry (mutable, for {@code yanked}) and its .crate file. */
    private record Version(Map<String, Object> entry, byte[] crateFile) {
    }

    private final HttpServer server;
    private final String base;
    private final List<Seen> seen = new ArrayList<>();
    private final Map<String, List<Version>> crates = new LinkedHashMap<>();
    private final Map<String, List<String>> owners = new LinkedHashMap<>();
    private String acceptedToken;
    private String publishToken; // set: acceptedToken is for reads only, this one for the web API

    private TestRegistry(String acceptedToken) throws IOException {
        this.acceptedToken = acceptedToken;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        server.createContext("/", this::handle);
        server.start();
    }

    public static TestRegistry start(String acceptedToken) throws IOException {
        return new TestRegistry(acceptedToken);
    }

    /** The index URL exactly as cargo sends it to its credential provider. */
    public String indexUrl() {
        return "sparse+" + base + "/index/";
    }

    /** From now on only {@code token} is accepted, as when a registry revokes a token and issues another. */
    synchronized void acceptOnly(String token) {
        acceptedToken = token;
        publishToken = null;
    }

    /** From now on {@code readToken} is accepted for the index and downloads only, {@code publishToken} for the web API only. */
    synchronized void acceptScoped(String readToken, String publishToken) {
        this.acceptedToken = readToken;
        this.publishToken = publishToken;
    }

    public synchronized List<Seen> requests() {
        return List.copyOf(seen);
    }

    /** The requests received since {@code mark}, a size of {@link #requests()} taken before. */
    public synchronized List<Seen> requestsSince(int mark) {
        return List.copyOf(seen.subList(mark, seen.size()));
    }

    public synchronized byte[] crateFile(String name, String vers) {
        return version(name, vers).crateFile().clone();
    }

    synchronized boolean isYanked(String name, String vers) {
        return (Boolean) version(name, vers).entry().get("yanked");
    }

    synchronized List<String> owners(String name) {
        return List.copyOf(owners.getOrDefault(name, List.of()));
    }

    /**
     * Each request carried the accepted token, except cargo's first, unauthenticated look at
     * config.json (it learns there that the registry needs a token); and each of
     * {@code expected} ("METHOD /path") was among them.
     */
    public static void assertTokenSent(List<Seen> requests, String... expected) {
        for (Seen s : requests) {
            assertTrue(s.auth() == Auth.ACCEPTED || isProbe(s), () -> "a request without the accepted token: " + s
                    + " among " + requests);
        }
        for (String e : expected) {
            assertTrue(requests.stream().anyMatch(s -> (s.method() + " " + s.path()).equals(e) && s.auth() == Auth.ACCEPTED),
                    () -> "the registry did not receive `" + e + "` with the token; it received " + requests);
        }
    }

    /** latchkey had no token to give, so cargo sent none (it may have probed config.json). */
    static void assertNoTokenSent(List<Seen> requests) {
        assertTrue(requests.stream().allMatch(s -> s.auth() == Auth.NONE), () -> "cargo sent a token: " + requests);
    }

    private static boolean isProbe(Seen s) {
        return s.auth() == Auth.NONE && s.method().equals("GET") && s.path().equals("/index/config.json");
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private synchronized void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            String header = exchange.getRequestHeaders().getFirst("Authorization");
            String expected = publishToken == null || isRead(method, path) ? acceptedToken : publishToken;
            Auth auth = header == null ? Auth.NONE : header.equals(expected) ? Auth.ACCEPTED : Auth.REJECTED;
            seen.add(new Seen(method, path, auth, header));
            if (auth != Auth.ACCEPTED) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Cargo login_url=\"" + base + "/me\"");
                error(exchange, 401, auth == Auth.NONE ? "this registry requires a token" : "token rejected");
                return;
            }
            try {
                route(exchange, method, path, body);
            } catch (NoSuchVersionException e) {
                error(exchange, 404, e.getMessage());
            } catch (RuntimeException e) {
                error(exchange, 500, "test registry failed: " + e);
            }
        }
    }

    private void route(HttpExchange exchange, String method, String path, byte[] body) throws IOException {
        Matcher download = DOWNLOAD.matcher(path);
        Matcher yank = YANK.matcher(path);
        Matcher unyank = UNYANK.matcher(path);
        Matcher owner = OWNERS.matcher(path);
        if (method.equals("GET") && path.equals("/index/config.json")) {
            json(exchange, 200, Map.of("dl", base + "/dl", "api", base, "auth-required", true));
        } else if (method.equals("GET") && path.startsWith("/index/")) {
            indexFile(exchange, path.substring("/index/".length()));
        } else if (method.equals("GET") && download.matches()) {
            send(exchange, 200, "application/gzip", version(download.group(1), download.group(2)).crateFile());
        } else if (method.equals("PUT") && path.equals("/api/v1/crates/new")) {
            publish(exchange, body);
        } else if (method.equals("DELETE") && yank.matches()) {
            setYanked(exchange, yank, true);
        } else if (method.equals("PUT") && unyank.matches()) {
            setYanked(exchange, unyank, false);
        } else if (owner.matches()) {
            owners(exchange, method, owner.group(1), body);
        } else {
            error(exchange, 404, "no such endpoint: " + method + " " + path);
        }
    }

    private void indexFile(HttpExchange exchange, String indexPath) throws IOException {
        String name = indexPath.substring(indexPath.lastIndexOf('/') + 1);
        List<Version> versions = crates.get(name);
        if (versions == null || !indexPath.equals(indexPathOf(name))) {
            error(exchange, 404, "no crate at " + indexPath);
            return;
        }
        StringBuilder lines = new StringBuilder();
        versions.forEach(v -> lines.append(JsonValues.write(v.entry())).append('\n'));
        send(exchange, 200, "text/plain", lines.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void setYanked(HttpExchange exchange, Matcher crateAndVersion, boolean yanked) throws IOException {
        version(crateAndVersion.group(1), crateAndVersion.group(2)).entry().put("yanked", yanked);
        json(exchange, 200, Map.of("ok", true));
    }

    /** cargo's publish body: u32 LE length, the metadata JSON, u32 LE length, the .crate file. */
    @SuppressWarnings("unchecked")
    private void publish(HttpExchange exchange, byte[] body) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
        byte[] json = new byte[in.getInt()];
        in.get(json);
        byte[] crateFile = new byte[in.getInt()];
        in.get(crateFile);
        Map<String, Object> metadata = (Map<String, Object>) JsonValues.parse(json);
        String name = ((String) metadata.get("name")).toLowerCase(Locale.ROOT);
        String vers = (String) metadata.get("vers");
        List<Version> versions = crates.computeIfAbsent(name, n -> new ArrayList<>());
        if (versions.stream().anyMatch(v -> v.entry().get("vers").equals(vers))) {
            error(exchange, 400, "crate version `" + vers + "` is already uploaded");
            return;
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", name);
        entry.put("vers", vers);
        entry.put("deps", indexDeps((List<Map<String, Object>>) metadata.get("deps")));
        entry.put("cksum", sha256(crateFile));
        entry.put("features", metadata.getOrDefault("features", Map.of()));
        entry.put("yanked", false);
        entry.put("links", metadata.get("links"));
        versions.add(new Version(entry, crateFile));
        owners.computeIfAbsent(name, n -> new ArrayList<>(List.of(PUBLISHER)));
        json(exchange, 200, Map.of("warnings", Map.of("invalid_categories", List.of(), "invalid_badges", List.of(),
                "other", List.of())));
    }

    /**
     * The dependencies of cargo's publish metadata as the index lists them: the web API names the
     * requirement {@code version_req}, and a renamed dependency's crate {@code name} and its name in
     * Cargo.toml {@code explicit_name_in_toml}; the index names them {@code req}, {@code package} and
     * {@code name}. A null {@code registry} means this registry in both.
     */
    private static List<Map<String, Object>> indexDeps(List<Map<String, Object>> published) {
        List<Map<String, Object>> deps = new ArrayList<>();
        for (Map<String, Object> dep : published) {
            Object renamed = dep.get("explicit_name_in_toml");
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("name", renamed != null ? renamed : dep.get("name"));
            line.put("req", dep.get("version_req"));
            line.put("features", dep.get("features"));
            line.put("optional", dep.get("optional"));
            line.put("default_features", dep.get("default_features"));
            line.put("target", dep.get("target"));
            line.put("kind", dep.get("kind"));
            line.put("registry", dep.get("registry"));
            if (renamed != null) {
                line.put("package", dep.get("name"));
            }
            deps.add(line);
        }
        return deps;
    }

    @SuppressWarnings("unchecked")
    private void owners(HttpExchange exchange, String method, String name, byte[] body) throws IOException {
        List<String> current = owners.get(name);
        if (current == null) {
            error(exchange, 404, "no crate `" + name + "`");
        } else if (method.equals("GET")) {
            List<Object> users = new ArrayList<>();
            for (int i = 0; i < current.size(); i++) {
                Map<String, Object> user = new LinkedHashMap<>();
                user.put("id", (long) i + 1);
                user.put("login", current.get(i));
                user.put("name", null);
                users.add(user);
            }
            json(exchange, 200, Map.of("users", users));
        } else if (method.equals("PUT") || method.equals("DELETE")) {
            List<String> users = (List<String>) ((Map<String, Object>) JsonValues.parse(body)).get("users");
            if (method.equals("PUT")) {
                users.stream().filter(u -> !current.contains(u)).forEach(current::add);
            } else {
                current.removeAll(users);
            }
            json(exchange, 200, Map.of("ok", true, "msg", "owners of `" + name + "` are now " + current));
        } else {
            error(exchange, 405, "owners takes GET, PUT or DELETE");
        }
    }

    /** Where cargo looks for a crate in a sparse index: 1/a, 2/ab, 3/a/abc, ab/cd/abcd... */
    public static String indexPathOf(String crateName) {
        String name = crateName.toLowerCase(Locale.ROOT);
        return switch (name.length()) {
            case 1 -> "1/" + name;
            case 2 -> "2/" + name;
            case 3 -> "3/" + name.charAt(0) + "/" + name;
            default -> name.substring(0, 2) + "/" + name.substring(2, 4) + "/" + name;
        };
    }

    private Version version(String name, String vers) {
        return crates.getOrDefault(name.toLowerCase(Locale.ROOT), List.of()).stream()
                .filter(v -> v.entry().get("vers").equals(vers)).findFirst()
                .orElseThrow(() -> new NoSuchVersionException("no version " + vers + " of `" + name + "`"));
    }

    private static final class NoSuchVersionException extends RuntimeException {
        NoSuchVersionException(String message) {
            super(message);
        }
    }

    private static void error(HttpExchange exchange, int status, String detail) throws IOException {
        json(exchange, status, Map.of("errors", List.of(Map.of("detail", detail))));
    }

    private static void json(HttpExchange exchange, int status, Object value) throws IOException {
        send(exchange, status, "application/json", JsonValues.write(value).getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
