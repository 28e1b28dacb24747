package dev.latchkey.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A private world for real client programs (git, skopeo, docker, pip, pnpm) under a test's
 * temporary directory: their own HOME, XDG directories, runtime directory and TMPDIR, and the
 * test's environment without anything that could point a client at the developer's own
 * configuration, credentials, helpers or proxies. Prompts are off, so a client that would ask
 * fails instead of waiting.
 */
final class ClientSandbox {
    /** Variables a client reads its configuration, credentials or helpers from, by prefix. */
    private static final List<String> DROPPED_PREFIXES = List.of("GIT_", "XDG_", "PIP_", "PYTHON", "VIRTUAL_ENV",
            "NPM_", "npm_", "PNPM_", "DOCKER_", "CONTAINERS_", "LATCHKEY_");
    /**
     * The same, by name. CI is dropped so that clients (pnpm among them) behave under CI as on a
     * developer's machine; the proxies so that requests to 127.0.0.1 go straight there.
     */
    private static final Set<String> DROPPED_NAMES = Set.of("SSH_ASKPASS", "REGISTRY_AUTH_FILE", "NETRC", "NODE_OPTIONS",
            "DBUS_SESSION_BUS_ADDRESS", "CI", "http_proxy", "https_proxy", "all_proxy", "no_proxy",
            "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "TMPDIR");

    private final Path root;

    private ClientSandbox(Path root) {
        this.root = root;
    }

    /** A sandbox whose directories are made under {@code root}. */
    static ClientSandbox create(Path root) {
        ClientSandbox sandbox = new ClientSandbox(root);
        try {
            for (Path dir : List.of(sandbox.home(), sandbox.xdg("config"), sandbox.xdg("cache"), sandbox.xdg("data"),
                    sandbox.xdg("state"), sandbox.tmp())) {
                Files.createDirectories(dir);
            }
            // Clients refuse a runtime directory others can enter (podman's and skopeo's auth.json lives there).
            Files.createDirectories(sandbox.runtimeDirectory());
            Files.setPosixFilePermissions(sandbox.runtimeDirectory(), PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sandbox;
    }

    Path root() {
        return root;
    }

    Path home() {
        return root.resolve("home");
    }

    /** {@code XDG_RUNTIME_DIR}: skopeo's primary auth file is {@code containers/auth.json} in it. */
    Path runtimeDirectory() {
        return root.resolve("run");
    }

    /** A fresh, mutable copy of the environment every client gets. */
    Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        System.getenv().forEach((name, value) -> {
            if (!DROPPED_NAMES.contains(name) && DROPPED_PREFIXES.stream().noneMatch(name::startsWith)) {
                env.put(name, value);
            }
        });
        env.put("HOME", home().toString());
        env.put("XDG_CONFIG_HOME", xdg("config").toString());
        env.put("XDG_CACHE_HOME", xdg("cache").toString());
        env.put("XDG_DATA_HOME", xdg("data").toString());
        env.put("XDG_STATE_HOME", xdg("state").toString());
        env.put("XDG_RUNTIME_DIR", runtimeDirectory().toString());
        env.put("TMPDIR", tmp().toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("PIP_CONFIG_FILE", "/dev/null");
        return env;
    }

    /** Writes {@code text} to {@code file}, readable by the owner only: client configs hold credentials. */
    Path writeOwnerOnly(Path file, String text) {
        return write(file, text, "rw-------");
    }

    /** Writes a shell script (relative: under the sandbox root) that only the owner can read or run. */
    Path writeScript(String file, String text) {
        return write(root.resolve(file), text, "rwx------");
    }

    private static Path write(Path file, String text, String permissions) {
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions)));
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path xdg(String name) {
        return root.resolve("xdg").resolve(name);
    }

    private Path tmp() {
        return root.resolve("tmp");
    }
}
