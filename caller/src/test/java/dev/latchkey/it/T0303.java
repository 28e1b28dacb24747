package dev.latchkey.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * git's own battery for credential helpers, {@code t/t0303-credential-external.sh}, run against
 * any helper with the installed git. The script and its {@code lib-credential.sh} are GPL and not
 * part of latchkey: they are fetched at test time from Debian's source package of the installed
 * git's exact version ({@code apt-get source}, through a private package list built from the archive
 * that served the installed git, so the machine's apt setup is left alone) and kept in the
 * {@link TestToolCache}. git's real {@code test-lib.sh} needs git's build tree; a stand-in written
 * here supplies the few functions the two scripts call and prints TAP, which {@link #run} reads
 * back into one result per test.
 */
final class T0303 {
    static final String SCRIPT = "t0303-credential-external.sh";
    static final String LIBRARY = "lib-credential.sh";

    /** One test of the battery: {@code name} is t0303's own ("helper (HELPER) stores password"). */
    record TestResult(int number, String name, boolean passed, String diagnostics) {
        /** Whether this is the test t0303 names {@code check} ("can store multiple users"), for any helper. */
        boolean is(String check) {
            return name.endsWith(") " + check);
        }
    }

    /** A whole run: its tests in order, the script's exit status and its TAP output. */
    record Run(List<TestResult> tests, int exitCode, String tap) {
        List<TestResult> failed() {
            return tests.stream().filter(t -> !t.passed()).toList();
        }

        TestResult test(String check) {
            return tests.stream().filter(t -> t.is(check)).findFirst()
                    .orElseThrow(() -> new AssertionError("t0303 ran no test `" + check + "`:\n" + tap));
        }
    }

    private static final Pattern TAP_LINE = Pattern.compile("^(ok|not ok) (\\d+) - (.*)$");
    /** An archive line of {@code apt-cache policy}: priority, URI, suite/component, architecture, "Packages". */
    private static final Pattern ARCHIVE = Pattern.compile("^\\s+\\d+ (\\S+) (\\S+)/(\\S+) \\S+ Packages$");
    private static final Pattern GIT_VERSION = Pattern.compile("^git version (\\S+)");

    private final Path scripts;
    private final String version;

    private T0303(Path scripts, String version) {
        this.scripts = scripts;
        this.version = version;
    }

    /**
     * The battery of the installed git, fetched once; the test stops here (failed under CI, not run
     * elsewhere) when it cannot be had.
     */
    static T0303 require() {
        RequiredComponent.executable("git", "to run git's helper tests");
        RequiredComponent.executable("dpkg-query", "to find the version of the installed git (Debian's git package)");
        RequiredComponent.executable("apt-get", "to fetch git's helper tests from Debian's source package of git");
        ProcessRun.Result installed = ProcessRun.of(List.of("dpkg-query", "-W", "-f=${Version}", "git")).run();
        if (installed.exitCode() != 0 || installed.stdout().isBlank()) {
            return RequiredComponent.missing("Debian's git package is not installed (dpkg-query: " + installed.stderr().trim() + ")");
        }
        String debianVersion = installed.stdout().trim();
        Matcher onPath = GIT_VERSION.matcher(ProcessRun.of(List.of("git", "--version")).run().stdout());
        String upstream = debianVersion.replaceFirst("^\\d+:", "").replaceFirst("-[^-]*$", "");
        if (!onPath.find() || !onPath.group(1).equals(upstream)) {
            return RequiredComponent.missing("the git on PATH is not Debian's git " + debianVersion
                    + ", whose tests would be fetched; put /usr/bin first on PATH");
        }
        try {
            Path scripts = TestToolCache.entry("git-t0303-" + debianVersion.replace(':', '_'), LIBRARY,
                    scratch -> fetch(scratch, debianVersion));
            return new T0303(scripts, debianVersion);
        } catch (IOException | UncheckedIOException e) {
            return RequiredComponent.missing("git's helper tests could not be fetched from Debian's source package of git "
                    + debianVersion + ": " + e.getMessage());
        }
    }

    /** The Debian version of the git whose tests these are ("1:2.39.5-0+deb12u3"). */
    String version() {
        return version;
    }

    /**
     * Runs the battery in {@code workDirectory} (made, then left for a look after a failure) against
     * {@code helper}, as git's {@code credential.helper} takes it: an absolute path, or NAME for
     * {@code git-credential-NAME} on PATH, without arguments (t0303 splits the value on whitespace
     * into several helpers). {@code environment} is the whole
     * environment (a {@link ClientSandbox}'s); the stand-in test-lib points HOME at its trash directory.
     */
    Run run(String helper, Map<String, String> environment, Path workDirectory) {
        try {
            Path t = Files.createDirectories(workDirectory.resolve("t"));
            Files.copy(scripts.resolve(SCRIPT), t.resolve(SCRIPT), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(scripts.resolve(LIBRARY), t.resolve(LIBRARY), StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(t.resolve("test-lib.sh"), STAND_IN_TEST_LIB);
            Map<String, String> env = new HashMap<>(environment);
            env.put("GIT_TEST_CREDENTIAL_HELPER", helper);
            ProcessRun.Result result = ProcessRun.of(List.of("sh", "./" + SCRIPT)).environment(env).in(t)
                    .timeout(Duration.ofMinutes(5)).run();
            return new Run(parse(result.stdout()), result.exitCode(), result.stdout() + result.stderr());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** TAP as the stand-in test-lib prints it: a failed test's output follows it, each line after "#" and a tab. */
    private static List<TestResult> parse(String tap) {
        List<TestResult> tests = new ArrayList<>();
        Matcher open = null;
        StringBuilder diagnostics = new StringBuilder();
        for (String line : tap.lines().toList()) {
            Matcher m = TAP_LINE.matcher(line);
            if (m.matches()) {
                close(tests, open, diagnostics);
                open = m;
                diagnostics.setLength(0);
            } else if (open != null && line.startsWith("#\t")) {
                diagnostics.append(line, 2, line.length()).append('\n');
            }
        }
        close(tests, open, diagnostics);
        return tests;
    }

    private static void close(List<TestResult> tests, Matcher open, StringBuilder diagnostics) {
        if (open != null) {
            tests.add(new TestResult(Integer.parseInt(open.group(2)), open.group(3), open.group(1).equals("ok"),
                    diagnostics.toString()));
        }
    }

    /** Downloads Debian's source of git {@code debianVersion} and keeps the two scripts in {@code entry}. */
    private static void fetch(Path entry, String debianVersion) throws IOException {
        Path work = Files.createDirectories(entry.resolve("download"));
        Path lists = work.resolve("lists");
        Path cache = work.resolve("cache");
        Files.createDirectories(lists.resolve("partial"));
        Files.createDirectories(cache.resolve("archives/partial"));
        Path sources = work.resolve("sources.list");
        Files.writeString(sources, String.join("\n", sourceLines()) + "\n");
        List<String> apt = new ArrayList<>(List.of("apt-get", "-qq",
                "-o", "Dir::Etc::sourcelist=" + sources, "-o", "Dir::Etc::sourceparts=-",
                "-o", "Dir::State::Lists=" + lists, "-o", "Dir::Cache=" + cache));
        if ("root".equals(System.getProperty("user.name"))) {
            // apt's unprivileged download user could not write into root's cache directory.
            apt.addAll(List.of("-o", "APT::Sandbox::User=root"));
        }
        run(concat(apt, List.of("update")), work, "apt-get update (deb-src lists)");
        run(concat(apt, List.of("source", "--download-only", "git=" + debianVersion)), work, "apt-get source git");
        Path orig;
        try (Stream<Path> files = Files.list(work)) {
            orig = files.filter(p -> p.getFileName().toString().matches("git_.*\\.orig\\.tar\\..*")).findFirst()
                    .orElseThrow(() -> new IOException("apt-get source left no git_*.orig.tar.* in " + work));
        }
        run(List.of("tar", "-xf", orig.toString(), "-C", entry.toString(), "--strip-components=2", "--wildcards",
                "*/t/" + SCRIPT, "*/t/" + LIBRARY), work, "tar");
        TestToolCache.deleteTree(work);
    }

    /**
     * {@code deb-src} lines for every archive {@code apt-cache policy git} names: the source
     * package of the installed version is in the archive that served it.
     */
    private static List<String> sourceLines() throws IOException {
        ProcessRun.Result policy = ProcessRun.of(List.of("apt-cache", "policy", "git")).run();
        Set<String> lines = new LinkedHashSet<>();
        for (String line : policy.stdout().lines().toList()) {
            Matcher m = ARCHIVE.matcher(line);
            if (m.matches()) {
                lines.add("deb-src " + m.group(1) + " " + m.group(2) + " " + m.group(3));
            }
        }
        if (lines.isEmpty()) {
            throw new IOException("apt knows no archive that serves git (run apt-get update first)");
        }
        return List.copyOf(lines);
    }

    private static void run(List<String> command, Path directory, String what) throws IOException {
        ProcessRun.Result result = ProcessRun.of(command).in(directory).timeout(Duration.ofMinutes(5)).run();
        if (result.exitCode() != 0) {
            throw new IOException(what + " failed (exit " + result.exitCode() + "): " + result.stderr().trim());
        }
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /**
     * A stand-in for git's {@code t/test-lib.sh}: what t0303 and lib-credential.sh call, no more.
     * Tests run in a trash directory that is a git repository (test_config writes its config) and
     * HOME; each test runs in a subshell, its output shown under a failure; test_config is undone
     * after its test; test_done prints the plan and exits 1 after any failure.
     */
    private static final String STAND_IN_TEST_LIB = """
            # Stand-in for git's t/test-lib.sh, written for latchkey's tests (T0303.java): enough to run
            # t0303-credential-external.sh with the installed git. Prints TAP.
            TEST_DIRECTORY=$(pwd)
            TRASH_DIRECTORY="$TEST_DIRECTORY/trash"
            rm -rf "$TRASH_DIRECTORY" && mkdir "$TRASH_DIRECTORY" && cd "$TRASH_DIRECTORY" || exit 1
            HOME=$TRASH_DIRECTORY
            export HOME
            git init --quiet . || exit 1
            lk_count=0
            lk_failed=0
            say () { printf '%s\\n' "$*"; }
            test_cmp () { diff -u "$@"; }
            # called by the lib-credential.sh of newer gits
            test_cmp_text () { diff -u "$@"; }
            test_must_be_empty () {
                if test -s "$1"; then echo "'$1' is not empty:"; cat "$1"; return 1; fi
            }
            write_script () { { echo "#!${2-/bin/sh}"; cat; } >"$1" && chmod +x "$1"; }
            test_config () { git config "$@" && printf '%s\\n' "$1" >>"$TRASH_DIRECTORY/.lk-unconfig"; }
            test_expect_success () {
                test $# -eq 3 && shift  # a prerequisite: none is checked here
                lk_count=$((lk_count + 1))
                if (eval "$2") >"$TRASH_DIRECTORY/.lk-out" 2>&1; then
                    echo "ok $lk_count - $1"
                else
                    lk_failed=$((lk_failed + 1))
                    echo "not ok $lk_count - $1"
                    sed 's/^/#\t/' "$TRASH_DIRECTORY/.lk-out"
                fi
                if test -f "$TRASH_DIRECTORY/.lk-unconfig"; then
                    while read -r key; do git config --unset-all "$key"; done <"$TRASH_DIRECTORY/.lk-unconfig"
                    rm -f "$TRASH_DIRECTORY/.lk-unconfig"
                fi
            }
            test_done () {
                if test -n "$skip_all"; then echo "1..0 # SKIP $skip_all"; exit 0; fi
                echo "1..$lk_count"
                test "$lk_failed" -eq 0
                exit
            }
            """;
}
