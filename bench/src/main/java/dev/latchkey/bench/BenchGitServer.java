package dev.latchkey.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A git server on 127.0.0.1 for the clone benchmark: HTTP Basic auth (one user) in front of git's
 * own smart-HTTP CGI, {@code git http-backend}, serving one bare repository, so that the real git
 * clones through it and asks its credential helper after the first 401, as against any git host.
 */
final class BenchGitServer implements AutoCloseable {
    static final String USER = "bench";
    static final String REPOSITORY = "bench.git";

    private final HttpServer http;
    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private final Path root;
    private final Path backend;
    private final String expected;

    private BenchGitServer(Path root, Path backend, String password) throws IOException {
        this.root = root;
        this.backend = backend;
        this.expected = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + password).getBytes(StandardCharsets.UTF_8));
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        http.createContext("/", this::handle);
        http.setExecutor(threads);
        http.start();
    }

    /**
     * Makes {@code root/bench.git} with a few commits (git runs in {@code env}) and serves it, for
     * {@link #USER} with {@code password}.
     */
    static BenchGitServer start(Path root, String password, Map<String, String> env) throws IOException, InterruptedException {
        Path git = BenchSandbox.onPath("git");
        if (git == null) {
            throw new IllegalStateException("git is not on PATH: it is what the clone benchmark runs");
        }
        Path work = root.resolve("work");
        run(env, root, git.toString(), "init", "--quiet", "--initial-branch=main", work.toString());
        for (int i = 0; i < 20; i++) {
            Files.writeString(work.resolve("file" + i + ".txt"), ("line " + i + "\n").repeat(200));
            run(env, work, git.toString(), "add", ".");
            run(env, work, git.toString(), "-c", "user.name=bench", "-c", "user.email=bench@invalid", "commit", "--quiet", "-m",
                    "commit " + i);
        }
        run(env, root, git.toString(), "clone", "--quiet", "--bare", work.toString(), root.resolve(REPOSITORY).toString());
        String execPath = new String(new ProcessBuilder(git.toString(), "--exec-path").start().getInputStream().readAllBytes(),
                StandardCharsets.UTF_8).trim();
        return new BenchGitServer(root, Path.of(execPath, "git-http-backend"), password);
    }

    String url() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/" + REPOSITORY;
    }

    String hostAndPort() {
        return "127.0.0.1:" + http.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"latchkey-bench\"");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            ProcessBuilder cgi = new ProcessBuilder(backend.toString()).redirectError(ProcessBuilder.Redirect.DISCARD);
            Map<String, String> env = cgi.environment();
            env.clear();
            env.put("GIT_PROJECT_ROOT", root.toString());
            env.put("GIT_HTTP_EXPORT_ALL", "1");
            env.put("REQUEST_METHOD", exchange.getRequestMethod());
            env.put("PATH_INFO", exchange.getRequestURI().getPath());
            env.put("QUERY_STRING", orEmpty(exchange.getRequestURI().getRawQuery()));
            env.put("CONTENT_TYPE", orEmpty(exchange.getRequestHeaders().getFirst("Content-Type")));
            env.put("CONTENT_LENGTH", Integer.toString(body.length));
            env.put("HTTP_CONTENT_ENCODING", orEmpty(exchange.getRequestHeaders().getFirst("Content-Encoding")));
            env.put("HTTP_GIT_PROTOCOL", orEmpty(exchange.getRequestHeaders().getFirst("Git-Protocol")));
            env.put("REMOTE_USER", USER);
            Process process = cgi.start();
            try (OutputStream in = process.getOutputStream()) {
                in.write(body);
            }
            byte[] output;
            try (InputStream out = process.getInputStream()) {
                output = out.readAllBytes();
            }
            answer(exchange, output);
        }
    }

    /** A CGI's output: headers (Status among them) up to a blank line, then the body. */
    private static void answer(HttpExchange exchange, byte[] output) throws IOException {
        int end = 0;
        int status = 200;
        while (end < output.length) {
            int eol = end;
            while (eol < output.length && output[eol] != '\n') {
                eol++;
            }
            String line = new String(output, end, eol - end, StandardCharsets.ISO_8859_1).strip();
            end = eol + 1;
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Status")) {
                status = Integer.parseInt(value.split(" ")[0]);
            } else {
                exchange.getResponseHeaders().add(name, value);
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(output, Math.min(end, output.length), output.length - Math.min(end, output.length));
        exchange.sendResponseHeaders(status, body.size() == 0 ? -1 : body.size());
        if (body.size() > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                body.writeTo(out);
            }
        }
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    private static void run(Map<String, String> env, Path directory, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(List.of(command)).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }

    @Override
    public void close() {
        http.stop(0);
        threads.shutdownNow();
    }
}
