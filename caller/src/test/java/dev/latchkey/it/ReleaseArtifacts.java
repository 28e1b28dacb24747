package dev.latchkey.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The release artifacts, made by {@code scripts/package} from the jar and relay this build made:
 * once per test run (the first test that asks waits for them), into {@code caller/target/release}.
 * Without what the script needs (the tests' JDK's jlink and jmods, dpkg-deb, the relay, which needs
 * a C compiler) a test fails under CI and is not run elsewhere.
 */
record ReleaseArtifacts(Path tarball, Path deb, String version) {
    private static final Pattern TARBALL = Pattern.compile("latchkey-(.+)-linux-[a-z0-9]+\\.tar\\.gz");
    private static ReleaseArtifacts made;
    private static String failure;

    /** The artifacts of this build, made on first use. */
    static synchronized ReleaseArtifacts get() throws IOException {
        if (made == null && failure == null) {
            make();
        }
        if (failure != null) {
            return RequiredComponent.missing(failure);
        }
        return made;
    }

    private static void make() throws IOException {
        Path root = Path.of(System.getProperty("latchkey.root")).toAbsolutePath().normalize();
        Path out = Path.of(System.getProperty("latchkey.jar")).toAbsolutePath().getParent().resolve("release");
        Path jdk = Path.of(System.getProperty("java.home"));
        if (!Files.isExecutable(out.resolveSibling("latchkey-relay"))) {
            failure = "latchkey-relay, which the build makes with a C compiler and the package needs";
            return;
        }
        if (!Files.isExecutable(jdk.resolve("bin/jlink")) || !Files.isDirectory(jdk.resolve("jmods"))) {
            failure = "jlink and the jmods of the JDK running the tests (" + jdk + "), which scripts/package makes the runtime with";
            return;
        }
        for (String tool : List.of("dpkg-deb", "dpkg-shlibdeps", "strip")) {
            if (!RequiredComponent.onPath(tool)) {
                failure = "`" + tool + "`, which scripts/package needs (Debian: apt-get install dpkg-dev binutils)";
                return;
            }
        }
        deleteRecursively(out);
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("JAVA_HOME", jdk.toString());
        ProcessRun.Result result = ProcessRun.of(List.of(root.resolve("scripts/package").toString(), "--no-build", "--out", out.toString()))
                .environment(env).in(root).timeout(Duration.ofMinutes(10)).run();
        if (result.exitCode() != 0) {
            // The script failing with all it needs at hand fails every test that needs the artifacts, CI or not.
            throw new IllegalStateException("scripts/package failed: " + result);
        }
        Path tarball = only(out, ".tar.gz", result);
        Path deb = only(out, ".deb", result);
        Matcher name = TARBALL.matcher(tarball.getFileName().toString());
        if (!name.matches()) {
            throw new IllegalStateException("the tarball's name is not latchkey-VERSION-linux-ARCH.tar.gz: " + tarball);
        }
        made = new ReleaseArtifacts(tarball, deb, name.group(1));
    }

    private static Path only(Path dir, String suffix, ProcessRun.Result result) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> found = files.filter(file -> file.getFileName().toString().endsWith(suffix)).toList();
            if (found.size() != 1) {
                throw new IllegalStateException("scripts/package made " + found + " for *" + suffix + ": " + result);
            }
            return found.get(0);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(path);
            }
        }
    }
}
