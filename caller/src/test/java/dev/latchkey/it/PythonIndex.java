package dev.latchkey.it;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real Python package index on 127.0.0.1: PEP 503's simple API ({@code /simple/} and
 * {@code /simple/PROJECT/}, links with {@code #sha256=}) and the files ({@code /files/NAME}),
 * all behind HTTP Basic auth with several users. pip installs from it; a request without the
 * right password gets 401, which is what makes pip ask its keyring provider. Every request is
 * logged with its verdict ({@link #requests()}).
 */
final class PythonIndex implements AutoCloseable {
    static final String REALM = "latchkey-test-index";

    private final List<PythonWheel> wheels;
    private final GuardedHttpServer http;

    private PythonIndex(Map<String, String> passwords, List<PythonWheel> wheels) throws IOException {
        this.wheels = List.copyOf(wheels);
        http = GuardedHttpServer.start(GuardedHttpServer.Gate.basic(REALM, passwords), this::serve);
    }

    /** Serves {@code wheels}; {@code passwords} maps each user to the password the index accepts for them. */
    static PythonIndex start(Map<String, String> passwords, List<PythonWheel> wheels) throws IOException {
        return new PythonIndex(passwords, wheels);
    }

    /** {@code 127.0.0.1:PORT}, the netloc pip names the index by (without credentials). */
    String netloc() {
        return http.hostAndPort();
    }

    /** The index URL, {@code http://127.0.0.1:PORT/simple/}. */
    String indexUrl() {
        return http.base() + "/simple/";
    }

    /** The index URL with {@code userInfo} ("alice", or "alice:PASSWORD", percent-encoded) before the host. */
    String indexUrl(String userInfo) {
        return "http://" + userInfo + "@" + netloc() + "/simple/";
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
        if (!exchange.getRequestMethod().equals("GET")) {
            text(exchange, 405, "this index only serves GET\n");
        } else if (path.equals("/simple/")) {
            StringBuilder links = new StringBuilder();
            wheels.stream().map(PythonWheel::normalizedProject).distinct()
                    .forEach(p -> links.append("<a href=\"/simple/").append(p).append("/\">").append(p).append("</a>\n"));
            page(exchange, links);
        } else if (path.startsWith("/simple/") && path.endsWith("/")) {
            String project = path.substring("/simple/".length(), path.length() - 1);
            List<PythonWheel> files = wheels.stream().filter(w -> w.normalizedProject().equals(project)).toList();
            if (files.isEmpty()) {
                text(exchange, 404, "no project " + project + "\n");
                return;
            }
            StringBuilder links = new StringBuilder();
            files.forEach(w -> links.append("<a href=\"/files/").append(w.fileName()).append("#sha256=").append(w.sha256())
                    .append("\">").append(w.fileName()).append("</a>\n"));
            page(exchange, links);
        } else if (path.startsWith("/files/")) {
            String name = path.substring("/files/".length());
            Optional<PythonWheel> file = wheels.stream().filter(w -> w.fileName().equals(name)).findFirst();
            if (file.isPresent()) {
                GuardedHttpServer.send(exchange, 200, "application/octet-stream", file.get().bytes());
            } else {
                text(exchange, 404, "no file " + name + "\n");
            }
        } else {
            text(exchange, 404, "not found\n");
        }
    }

    private static void page(HttpExchange exchange, CharSequence links) throws IOException {
        String html = "<!DOCTYPE html>\n<html><body>\n" + links + "</body></html>\n";
        GuardedHttpServer.send(exchange, 200, "text/html", html.getBytes(StandardCharsets.UTF_8));
    }

    private static void text(HttpExchange exchange, int status, String message) throws IOException {
        GuardedHttpServer.send(exchange, status, "text/plain", message.getBytes(StandardCharsets.UTF_8));
    }
}
