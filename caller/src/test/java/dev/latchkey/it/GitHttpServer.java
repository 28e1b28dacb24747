package dev.latchkey.it;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real git server on 127.0.0.1: HTTP Basic auth in front of git's own smart-HTTP CGI,
 * {@code git http-backend}, so that the real git client clones, fetches and pushes through it.
 * Several users, each with a password; a request without the right one gets 401 and
 * {@code WWW-Authenticate: Basic realm="latchkey-test"}, which is what makes git ask its credential
 * helpers. Every request is logged with its verdict ({@link #requests()}).
 *
 * <p>The bare repositories ({@link #createRepository}) live under the directory the server is
 * given, each with one commit on {@code main}. Push works for any accepted user: the backend enables
 * receive-pack when the CGI's {@code REMOTE_USER} is set.
 */
final class GitHttpServer implements AutoCloseable {
    static final String REALM = "latchkey-test";

    /** A bare repository the server serves: its URL, and the commit {@code main} was created with. */
    record Repository(String name, String url, String commit) {
    }

    private final Path repositories;
    private final Path backendHome;
    private final Path backendLog;
    private final Path backend;
    private final GuardedHttpServer http;

    private GitHttpServer(Path directory, Map<String, String> passwords) throws IOException {
        RequiredComponent.executable("git", "to serve repositories with git http-backend");
        repositories = Files.createDirectories(directory.resolve("repositories"));
        backendHome = Files.createDirectories(directory.resolve("backend-home"));
        backendLog = directory.resolve("http-backend.log");
        String execPath = git(List.of("--exec-path"), "").trim();
        backend = Path.of(execPath, "git-http-backend");
        if (!Files.isExecutable(backend)) {
            RequiredComponent.missing("git's http-backend is not at " + backend);
        }
        http = GuardedHttpServer.start(GuardedHttpServer.Gate.basic(REALM, passwords), this::runBackend);
    }

    /** Starts the server; {@code passwords} maps each user to the password the server accepts for them. */
    static GitHttpServer start(Path directory, Map<String, String> passwords) throws IOException {
        return new GitHttpServer(directory, passwords);
    }

    /** {@code 127.0.0.1:PORT}: git's {@code host=} for this server. */
    String hostAndPort() {
        return http.hostAndPort();
    }

    /** The clone URL of the repository {@code name} ("repo.git"). */
    String url(String name) {
        return http.base() + "/" + name;
    }

    /** A new bare repository {@code name} ("repo.git") with one commit, holding a README, on {@code main}. */
    Repository createRepository(String name) {
        Path dir = repositories.resolve(name);
        git(List.of("init", "--quiet", "--bare", "--initial-branch=main", dir.toString()), "");
        String gitDir = "--git-dir=" + dir;
        String blob = git(List.of(gitDir, "hash-object", "-w", "--stdin"), "served by latchkey's GitHttpServer\n").trim();
        String tree = git(List.of(gitDir, "mktree"), "100644 blob " + blob + "\tREADME\n").trim();
        String commit = git(List.of(gitDir, "commit-tree", "-m", "first commit", tree), "").trim();
        git(List.of(gitDir, "update-ref", "refs/heads/main", commit), "");
        return new Repository(name, url(name), commit);
    }

    /** The commit {@code branch} of repository {@code name} points at now (after a push, say). */
    String head(String name, String branch) {
        return git(List.of("--git-dir=" + repositories.resolve(name), "rev-parse", "--verify", "refs/heads/" + branch), "").trim();
    }

    /** Every request so far, oldest first. */
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

    /** Runs git http-backend as a CGI for one accepted request. */
    private void runBackend(HttpExchange exchange, String user, byte[] body) throws IOException {
        Map<String, String> env = backendEnvironment();
        env.put("GIT_PROJECT_ROOT", repositories.toString());
        env.put("GIT_HTTP_EXPORT_ALL", "1");
        env.put("GATEWAY_INTERFACE", "CGI/1.1");
        env.put("SERVER_PROTOCOL", "HTTP/1.1");
        env.put("REQUEST_METHOD", exchange.getRequestMethod());
        env.put("PATH_INFO", exchange.getRequestURI().getPath());
        env.put("QUERY_STRING", nullToEmpty(exchange.getRequestURI().getRawQuery()));
        env.put("CONTENT_TYPE", nullToEmpty(exchange.getRequestHeaders().getFirst("Content-Type")));
        env.put("CONTENT_LENGTH", Integer.toString(body.length));
        env.put("REMOTE_USER", user);
        env.put("REMOTE_ADDR", exchange.getRemoteAddress().getAddress().getHostAddress());
        // git compresses large fetch requests (gzip) and names its protocol version in a header.
        env.put("HTTP_CONTENT_ENCODING", nullToEmpty(exchange.getRequestHeaders().getFirst("Content-Encoding")));
        env.put("HTTP_GIT_PROTOCOL", nullToEmpty(exchange.getRequestHeaders().getFirst("Git-Protocol")));

        ProcessBuilder builder = new ProcessBuilder(backend.toString())
                .redirectError(ProcessBuilder.Redirect.appendTo(backendLog.toFile()));
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        // The backend may answer before it has read all of a large request: feed it on another thread.
        CompletableFuture<Void> feeding = CompletableFuture.runAsync(() -> {
            try (OutputStream in = process.getOutputStream()) {
                in.write(body);
            } catch (IOException e) {
                // It stopped reading; its exit status and output say why.
            }
        });
        byte[] output;
        try (InputStream out = process.getInputStream()) {
            output = out.readAllBytes();
        }
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("git http-backend did not finish within 60 s");
            }
            feeding.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while git http-backend ran", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("could not feed git http-backend its request", e);
        }
        sendCgiResponse(exchange, output);
    }

    /** A CGI's output is headers (a {@code Status:} among them), a blank line, then the body. */
    private static void sendCgiResponse(HttpExchange exchange, byte[] output) throws IOException {
        int headerEnd = indexOf(output, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        int separator = 4;
        if (headerEnd < 0) {
            headerEnd = indexOf(output, "\n\n".getBytes(StandardCharsets.US_ASCII));
            separator = 2;
        }
        if (headerEnd < 0) {
            throw new IOException("git http-backend wrote no CGI header (see its log)");
        }
        int status = 200;
        String contentType = "application/octet-stream";
        for (String line : new String(output, 0, headerEnd, StandardCharsets.ISO_8859_1).split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Status")) {
                status = Integer.parseInt(value.split(" ")[0]);
            } else if (name.equalsIgnoreCase("Content-Type")) {
                contentType = value;
            } else {
                exchange.getResponseHeaders().add(name, value);
            }
        }
        byte[] body = new byte[output.length - headerEnd - separator];
        System.arraycopy(output, headerEnd + separator, body, 0, body.length);
        GuardedHttpServer.send(exchange, status, contentType, body);
    }

    /** Runs git itself (not a client under test) for the server's own bookkeeping; returns its stdout. */
    private String git(List<String> arguments, String stdin) {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(arguments);
        Map<String, String> env = backendEnvironment();
        // Fixed identity and time: the first commit of every repository is the same commit.
        env.put("GIT_AUTHOR_NAME", "latchkey test");
        env.put("GIT_AUTHOR_EMAIL", "test@latchkey.invalid");
        env.put("GIT_AUTHOR_DATE", "1700000000 +0000");
        env.put("GIT_COMMITTER_NAME", "latchkey test");
        env.put("GIT_COMMITTER_EMAIL", "test@latchkey.invalid");
        env.put("GIT_COMMITTER_DATE", "1700000000 +0000");
        return ProcessRun.of(command).environment(env).stdin(stdin).timeout(Duration.ofSeconds(60)).run()
                .assertSuccess().stdout();
    }

    /** The server side's git sees no configuration of the machine or the user. */
    private Map<String, String> backendEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("HOME", backendHome.toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        return env;
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
