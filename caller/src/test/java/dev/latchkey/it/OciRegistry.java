package dev.latchkey.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real OCI registry on 127.0.0.1: Debian's {@code docker-registry} (CNCF distribution) with
 * htpasswd Basic auth and filesystem storage under the directory it is given, started as its own
 * process and ready once {@code /v2/} answers 401. Its access log is read back as
 * {@link #requests()}. skopeo and the docker CLI push to and pull from it over plain HTTP
 * ({@code --tls-verify=false}, {@code --insecure}); {@link OciImageLayout} makes an image to push.
 */
final class OciRegistry implements AutoCloseable {
    /** One request from the access log. */
    record Request(String method, String path, int status) {
    }

    private static final Pattern ACCESS_LINE = Pattern.compile("\"(GET|HEAD|PUT|POST|PATCH|DELETE) (\\S+) HTTP/[0-9.]+\" (\\d{3}) ");
    private static final Duration READY_WITHIN = Duration.ofSeconds(30);
    private static final int START_ATTEMPTS = 3;

    private final Process process;
    private final int port;
    private final Path log;

    private OciRegistry(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts a registry whose users and passwords are {@code passwords}; its config, password file,
     * storage and log are made in {@code directory}.
     */
    static OciRegistry start(Path directory, Map<String, String> passwords) throws IOException {
        Path registry = RequiredComponent.executable("docker-registry", "to serve OCI images (Debian package docker-registry)");
        RequiredComponent.executable("htpasswd", "to write the registry's password file (Debian package apache2-utils)");
        Path htpasswd = directory.resolve("htpasswd");
        StringBuilder entries = new StringBuilder();
        passwords.forEach((user, password) -> entries.append(bcryptEntry(user, password)));
        Files.writeString(htpasswd, entries);
        Path log = directory.resolve("registry.log");
        String failures = "";
        // The port is picked free, then handed to the registry: another process may take it in
        // between, so a registry that exits at once is started again on another.
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int port = freePort();
            Path config = directory.resolve("config.yml");
            Files.writeString(config, config(port, directory.resolve("storage"), htpasswd));
            ProcessBuilder builder = new ProcessBuilder(registry.toString(), "serve", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())); // appended: a truncated log gets holes
            // distribution takes any REGISTRY_* variable as a setting over its config file.
            builder.environment().keySet().removeIf(name -> !name.equals("PATH"));
            Process process = builder.start();
            OciRegistry started = new OciRegistry(process, port, log);
            if (started.awaitReady()) {
                return started;
            }
            started.close();
            failures = started.logText();
        }
        return RequiredComponent.missing("docker-registry did not answer 401 on /v2/ within " + READY_WITHIN
                + " in " + START_ATTEMPTS + " attempts; its log:\n" + failures);
    }

    /** {@code 127.0.0.1:PORT}: the registry's name in image references and in clients' auth files. */
    String hostAndPort() {
        return "127.0.0.1:" + port;
    }

    /** The requests of the access log so far, oldest first (a line is written once its response is sent). */
    /**
     * The requests logged once the log has been still for half a second: the registry logs a
     * request just after answering it, so a client's last request may still be unlogged when it exits.
     */
    List<Request> settledRequests() throws InterruptedException {
        List<Request> seen = requests();
        long stillSince = System.nanoTime();
        while (System.nanoTime() - stillSince < TimeUnit.MILLISECONDS.toNanos(500)) {
            Thread.sleep(50);
            List<Request> now = requests();
            if (now.size() != seen.size()) {
                seen = now;
                stillSince = System.nanoTime();
            }
        }
        return seen;
    }

    List<Request> requests() {
        List<Request> requests = new ArrayList<>();
        Matcher m = ACCESS_LINE.matcher(logText());
        while (m.find()) {
            requests.add(new Request(m.group(1), m.group(2), Integer.parseInt(m.group(3))));
        }
        return requests;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private boolean awaitReady() {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest probe = HttpRequest.newBuilder(URI.create("http://" + hostAndPort() + "/v2/"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                if (client.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 401) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            sleep();
        }
        return false;
    }

    private String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One bcrypt line of an htpasswd file (distribution takes no other hash); the password goes on stdin. */
    private static String bcryptEntry(String user, String password) {
        ProcessRun.Result result = ProcessRun.of(List.of("htpasswd", "-B", "-i", "-n", user)).stdin(password + "\n")
                .timeout(Duration.ofSeconds(60)).run().assertSuccess();
        return result.stdout().strip() + "\n";
    }

    private static String config(int port, Path storage, Path htpasswd) {
        return """
                version: 0.1
                log:
                  level: info
                  accesslog:
                    disabled: false
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:%d
                  secret: %s
                auth:
                  htpasswd:
                    realm: latchkey-test
                    path: %s
                """.formatted(yamlString(storage.toString()), port, UUID.randomUUID(), yamlString(htpasswd.toString()));
    }

    private static String yamlString(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
