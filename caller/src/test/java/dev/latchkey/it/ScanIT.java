package dev.latchkey.it;

import dev.latchkey.daemon.audit.AuditLog;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code latchkey scan} as users run it, the packaged jar in a {@link DaemonSandbox}, on
 * repositories made with the real git: a token written into {@code .cargo/config.toml}, a token
 * latchkey holds in a file deleted two commits ago (found only with {@code --history}), another
 * base64-encoded in a script, and a clean tree; the tokens read through the daemon when it runs;
 * and the pre-commit hook {@code --install-hook} installs, run by {@code git commit}, refusing a
 * commit that adds a token. No output ever shows a token, in any encoding.
 */
class ScanIT {
    private static final String REGISTRY = "lkreg";

    @RegisterExtension
    final DaemonSandbox sandbox = DaemonSandbox.perTest();

    /** Held for the registry: in a file that was committed, then deleted. */
    private final String deletedToken = "lk-scan-deleted-" + UUID.randomUUID();
    /** Held for crates.io: base64-encoded in a script. */
    private final String scriptToken = "lk-scan-script-" + UUID.randomUUID();
    /** Not held: written into cargo's config, found by where it is written. */
    private final String configToken = "lk-scan-config-" + UUID.randomUUID();
    private final List<String> outputs = new ArrayList<>();
    private Path project;
    private List<String> commits;

    @BeforeEach
    void makeTheRepository() throws Exception {
        RequiredComponent.executable("git", "to make the repositories scanned");
        Path hooks = sandbox.root.resolve("hooks");
        Path gitConfig = sandbox.root.resolve("gitconfig");
        // The user's git config, as git finds it: it puts hooks elsewhere, where install-hook must put latchkey's.
        Files.writeString(gitConfig, "[user]\n\tname = Test\n\temail = test@example.com\n[core]\n\thooksPath = " + hooks + "\n"
                + "[init]\n\tdefaultBranch = main\n");
        sandbox.env().put("GIT_CONFIG_GLOBAL", gitConfig.toString());
        sandbox.env().put("GIT_CONFIG_NOSYSTEM", "1");
        sandbox.config("[registries." + REGISTRY + "]\nindex = \"sparse+https://lkreg.example/index/\"\n");
        store(REGISTRY, deletedToken);
        store("crates-io", scriptToken);

        project = Files.createDirectories(sandbox.root.resolve("project"));
        git(project, "init", "-q");
        write(project, "README.md", "# project\n");
        write(project, "secrets.env", "# for the upload job\nUPLOAD_TOKEN=" + deletedToken + "\n");
        commit("add the project");
        git(project, "rm", "-q", "secrets.env");
        commit("take the secret out");
        write(project, ".cargo/config.toml", "[registries." + REGISTRY + "]\nindex = \"sparse+https://lkreg.example/index/\"\n"
                + "token = \"" + configToken + "\"\n");
        write(project, "deploy.sh", "#!/bin/sh\nTOKEN=$(echo " + base64(scriptToken) + " | base64 -d)\ncurl -H \"Authorization: $TOKEN\" ...\n");
        commit("deploy");
        write(project, "README.md", "# project\n\nNow with a deploy script.\n");
        commit("document");
        commits = List.of(git(project, "rev-list", "--reverse", "HEAD").split("\n"));
        assertEquals(4, commits.size());
    }

    @Test
    void findsTheTokensInTheFilesAndWithHistoryTheDeletedOneNeverShowingAny() throws Exception {
        String inConfig = ".cargo/config.toml:3: a token in cargo's config for registry `" + REGISTRY + "`; revoke it at that"
                + " registry; let latchkey keep the new one (latchkey store " + REGISTRY + ")";
        String inScript = "deploy.sh:2: the token latchkey holds for `crates-io` (base64); rotate it: latchkey rotate crates-io";
        DaemonSandbox.Result files = scan(project, "scan");
        assertEquals(1, files.exit(), files.stderr());
        assertEquals(List.of(inConfig, inScript), files.stdout().lines().toList());

        DaemonSandbox.Result history = scan(project, "scan", "--history");
        assertEquals(1, history.exit(), history.stderr());
        String inCommit = " (in commit " + commits.get(2).substring(0, 12) + ")";
        assertEquals(List.of(inConfig, inScript,
                "secrets.env:2 (in commit " + commits.get(0).substring(0, 12) + "): the token latchkey holds for `" + REGISTRY
                        + "`; rotate it: latchkey rotate " + REGISTRY,
                inConfig.replace(".cargo/config.toml:3", ".cargo/config.toml:3" + inCommit),
                inScript.replace("deploy.sh:2", "deploy.sh:2" + inCommit)),
                history.stdout().lines().toList());

        DaemonSandbox.Result onlyTheScript = scan(project, "scan", "deploy.sh");
        assertEquals(List.of(inScript), onlyTheScript.stdout().lines().toList());
        assertNoTokenShown();
    }

    @Test
    void aCleanTreeAndHistoryExitZeroAndPrintNothing() throws Exception {
        Path clean = Files.createDirectories(sandbox.root.resolve("clean"));
        git(clean, "init", "-q");
        write(clean, "src/main.rs", "fn main() {\n    let token = std::env::var(\"CARGO_REGISTRY_TOKEN\");\n}\n");
        write(clean, "publish.sh", "#!/bin/sh\nlatchkey exec --registry " + REGISTRY + " --operation publish -- cargo publish\n");
        git(clean, "add", "-A");
        git(clean, "commit", "-q", "-m", "clean");
        for (String[] args : List.of(new String[] {"scan"}, new String[] {"scan", "--history"}, new String[] {"scan", "--staged"})) {
            DaemonSandbox.Result result = scan(clean, args);
            assertEquals(0, result.exit(), () -> List.of(args) + ": " + result.stdout() + result.stderr());
            assertEquals("", result.stdout());
        }
    }

    @Test
    void theTokensAreReadThroughTheDaemonWhenOneRuns() throws Exception {
        sandbox.startDaemon();
        DaemonSandbox.Result result = scan(project, "-v", "scan");
        assertEquals(1, result.exit(), result.stderr());
        assertTrue(result.stdout().contains("deploy.sh:2: the token latchkey holds for `crates-io` (base64)"), result.stdout());
        assertTrue(result.stderr().contains("latchkey: verbose: list: answered by the daemon on " + sandbox.socket), result.stderr());
        assertTrue(result.stderr().contains("latchkey: verbose: get https://github.com/rust-lang/crates.io-index: answered by the daemon"),
                result.stderr());
        List<Map<String, String>> gets = Files.readAllLines(sandbox.state.resolve("latchkey/audit.log")).stream().map(AuditLog::fields)
                .filter(line -> "get".equals(line.get("kind"))).toList();
        assertEquals(List.of("latchkey scan", "latchkey scan"), gets.stream().map(line -> line.get("for-command")).toList(),
                "each held token was read once, and audited as read for the scan");
        assertNoTokenShown();
    }

    @Test
    void theInstalledHookStopsACommitThatAddsATokenAndLetsACleanOneThrough() throws Exception {
        Path bin = Files.createDirectories(sandbox.root.resolve("bin"));
        Files.writeString(bin.resolve("latchkey"), "#!/bin/sh\nexec '" + sandbox.launcher() + "' \"$@\"\n");
        assertTrue(bin.resolve("latchkey").toFile().setExecutable(true));
        sandbox.env().put("PATH", bin + ":" + sandbox.env().get("PATH"));

        DaemonSandbox.Result installed = scan(project, "scan", "--install-hook");
        assertEquals(0, installed.exit(), installed.stderr());
        Path hook = sandbox.root.resolve("hooks/pre-commit");
        assertTrue(Files.isExecutable(hook), "the hook is where core.hooksPath says: " + installed.stderr());
        assertEquals(0, scan(project, "scan", "--install-hook").exit(), "installing it again changes nothing");

        write(project, "notes/leak.txt", "the token is " + deletedToken + "\n");
        git(project, "add", "notes/leak.txt");
        DaemonSandbox.Result refused = sandbox.run(null, List.of("git", "commit", "-q", "-m", "leak"), project);
        outputs.add(refused.stdout() + refused.stderr());
        assertNotEquals(0, refused.exit(), "the commit must be refused");
        // git passes a hook's stdout on to its own stderr.
        assertTrue(refused.stderr().contains("notes/leak.txt:1 (staged): the token latchkey holds for `" + REGISTRY + "`"),
                refused.stdout() + refused.stderr());
        assertTrue(refused.stderr().contains("latchkey: commit stopped"), refused.stderr());
        assertEquals(commits.get(3), git(project, "rev-parse", "HEAD").strip(), "no commit was made");

        git(project, "rm", "-q", "--cached", "notes/leak.txt");
        Files.delete(project.resolve("notes/leak.txt"));
        write(project, "notes/plan.txt", "publish with latchkey exec\n");
        git(project, "add", "notes/plan.txt");
        DaemonSandbox.Result accepted = sandbox.run(null, List.of("git", "commit", "-q", "-m", "plan"), project);
        assertEquals(0, accepted.exit(), accepted.stdout() + accepted.stderr());
        assertNotEquals(commits.get(3), git(project, "rev-parse", "HEAD").strip());
        assertNoTokenShown();
    }

    @Test
    void onATerminalAScanOverASecondShowsHowFarItHasGotAndClearsItAfterwards() throws Exception {
        Path script = RequiredComponent.executable("script", "to give latchkey a terminal");
        Path git = RequiredComponent.executable("git");
        // A git that answers slowly, as on a large repository, so that the scan takes over a second.
        Path slow = Files.createDirectories(sandbox.root.resolve("slow-bin"));
        Files.writeString(slow.resolve("git"), "#!/bin/sh\nsleep 0.4\nexec '" + git + "' \"$@\"\n");
        assertTrue(slow.resolve("git").toFile().setExecutable(true));
        sandbox.env().put("PATH", slow + ":" + sandbox.env().get("PATH"));

        DaemonSandbox.Result piped = scan(project, "scan", "--history");
        assertEquals(1, piped.exit(), piped.stderr());
        assertFalse(piped.stderr().contains("scanning"), "no progress where stderr is not a terminal: " + piped.stderr());

        DaemonSandbox.Result onTerminal = sandbox.run(null, List.of(script.toString(), "-qec",
                "'" + sandbox.launcher() + "' scan --history", "/dev/null"), project);
        outputs.add(onTerminal.stdout() + onTerminal.stderr());
        String shown = onTerminal.stdout();
        int progress = shown.indexOf("\r\033[Klatchkey: scanning ");
        int cleared = shown.lastIndexOf("\r\033[K");
        int firstFinding = shown.indexOf(".cargo/config.toml:3: ");
        assertTrue(progress >= 0, () -> "progress was shown: " + shown);
        assertTrue(cleared > progress && cleared < firstFinding, () -> "and cleared before the findings: " + shown);
        assertNoTokenShown();
    }

    @Test
    void aScanThatCannotBeDoneAsAskedExitsTwo() throws Exception {
        Path plain = Files.createDirectories(sandbox.root.resolve("not-a-repository"));
        for (List<String> wrong : List.of(List.of("scan", "--history", "--staged"), List.of("scan", "--no-such-option"),
                List.of("scan", "no-such-file"), List.of("scan", "--install-hook", "--history"))) {
            DaemonSandbox.Result refused = scan(project, wrong.toArray(String[]::new));
            assertEquals(2, refused.exit(), () -> wrong + ": " + refused.stderr());
        }
        DaemonSandbox.Result staged = scan(plain, "scan", "--staged");
        assertEquals(2, staged.exit(), staged.stderr());
        assertTrue(staged.stderr().contains("is not in one"), staged.stderr());
    }

    private DaemonSandbox.Result scan(Path directory, String... args) throws IOException, InterruptedException {
        DaemonSandbox.Result result = sandbox.run(null, sandbox.latchkey(args), directory);
        outputs.add(result.stdout() + result.stderr());
        return result;
    }

    /** Neither output showed a token, in any encoding TokenLeaks knows. */
    private void assertNoTokenShown() {
        for (String output : outputs) {
            for (String token : List.of(deletedToken, scriptToken, configToken)) {
                for (byte[] encoded : TokenLeaks.encodings(token)) {
                    String form = new String(encoded, StandardCharsets.ISO_8859_1);
                    assertFalse(output.contains(form), () -> "an output shows a token: " + output.replace(form, "<THE TOKEN>"));
                }
            }
        }
    }

    private void store(String registry, String value) throws IOException, InterruptedException {
        DaemonSandbox.Result stored = sandbox.run(value + "\n", "store", registry, "--store", "file");
        assertEquals(0, stored.exit(), stored.stderr());
    }

    private void commit(String message) throws IOException, InterruptedException {
        git(project, "add", "-A");
        git(project, "commit", "-q", "-m", message);
    }

    private String git(Path directory, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        DaemonSandbox.Result result = sandbox.run(null, command, directory);
        assertEquals(0, result.exit(), () -> command + ": " + result.stderr());
        return result.stdout();
    }

    private static void write(Path directory, String relative, String content) throws IOException {
        Path file = directory.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
