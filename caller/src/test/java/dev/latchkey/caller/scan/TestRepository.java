package dev.latchkey.caller.scan;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A git repository in a test's directory, made with the real {@code git} under a home of its own
 * (so nobody's ~/.gitconfig plays a part) and a fixed author.
 */
final class TestRepository {
    final Path root;
    private final Path home;

    private TestRepository(Path root, Path home) {
        this.root = root;
        this.home = home;
    }

    /** A fresh repository at {@code dir}/repo; the test fails under CI, and is not run elsewhere, without git. */
    static TestRepository create(Path dir) throws IOException, InterruptedException {
        requireGit();
        Path home = Files.createDirectories(dir.resolve("home"));
        TestRepository repository = new TestRepository(Files.createDirectories(dir.resolve("repo")), home);
        repository.git("init", "-q", "-b", "main", ".");
        return repository;
    }

    static void requireGit() {
        try {
            Process version = new ProcessBuilder("git", "--version").redirectErrorStream(true).start();
            version.getInputStream().readAllBytes();
            if (version.waitFor() == 0) {
                return;
            }
        } catch (IOException e) {
            // not installed: below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String message = "a real component is missing: `git` is not on PATH; the scanner's tests need it";
        boolean ci = "true".equalsIgnoreCase(System.getProperty("latchkey.ci")) || "true".equalsIgnoreCase(System.getenv("CI"));
        if (ci) {
            Assertions.fail("CI=true and " + message);
        }
        System.err.println("NOT RUN: " + message);
        Assumptions.abort("NOT RUN: " + message);
    }

    /** The git program on PATH. */
    static Path gitProgram() {
        for (String directory : System.getenv("PATH").split(":")) {
            Path git = Path.of(directory, "git");
            if (!directory.isEmpty() && Files.isExecutable(git)) {
                return git;
            }
        }
        throw new IllegalStateException("git is not on PATH");
    }

    TestRepository write(String path, String text) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return this;
    }

    TestRepository delete(String path) throws IOException {
        Files.delete(root.resolve(path));
        return this;
    }

    /** Stages everything and commits it; returns the commit's id. */
    String commitAll(String message) throws IOException, InterruptedException {
        git("add", "-A");
        git("commit", "-q", "--allow-empty", "-m", message);
        return git("rev-parse", "HEAD").strip();
    }

    String git(String... arguments) throws IOException, InterruptedException {
        return run(null, arguments);
    }

    /** Runs git with {@code stdin} as its input; fails the test when git does. */
    String run(byte[] stdin, String... arguments) throws IOException, InterruptedException {
        Outcome outcome = attempt(Map.of(), stdin, arguments);
        Assertions.assertEquals(0, outcome.status(), () -> "git " + String.join(" ", arguments) + ": " + outcome.output());
        return outcome.output();
    }

    /** Runs git with {@code extra} added to its environment, and says how it went (stdout and stderr together). */
    Outcome attempt(Map<String, String> extra, byte[] stdin, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git", "-C", root.toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment());
        builder.environment().putAll(extra);
        Process git = builder.start();
        if (stdin != null) {
            git.getOutputStream().write(stdin);
        }
        git.getOutputStream().close();
        String output = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Outcome(git.waitFor(), output);
    }

    record Outcome(int status, String output) {
    }

    /** What git needs to run here as a test's user: a home of its own, no system config, a fixed author. */
    Map<String, String> environment() {
        return Map.of("HOME", home.toString(), "XDG_CONFIG_HOME", home.resolve(".config").toString(),
                "GIT_CONFIG_NOSYSTEM", "1",
                "GIT_AUTHOR_NAME", "Test", "GIT_AUTHOR_EMAIL", "test@example.com",
                "GIT_COMMITTER_NAME", "Test", "GIT_COMMITTER_EMAIL", "test@example.com");
    }
}
