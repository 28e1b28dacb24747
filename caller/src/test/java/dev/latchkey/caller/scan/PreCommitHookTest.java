package dev.latchkey.caller.scan;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hook installed into real repositories and run by real {@code git commit}s, with a stand-in
 * {@code latchkey} on PATH that runs the scanner ({@link ScanInChildJvm}).
 */
class PreCommitHookTest {
    @TempDir
    Path dir;

    private TestRepository repository;
    private final String held = TestTokens.opaque();
    private Map<String, String> withLatchkey;

    @BeforeEach
    void setUp() throws Exception {
        repository = TestRepository.create(dir);
        repository.write("README.md", "hello\n");
        repository.commitAll("start");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path latchkey = bin.resolve("latchkey");
        Files.writeString(latchkey, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' -cp '" + System.getProperty("java.class.path") + "' " + ScanInChildJvm.class.getName() + " \"$@\"\n");
        Files.setPosixFilePermissions(latchkey, PosixFilePermissions.fromString("rwx------"));
        Path heldFile = dir.resolve("held");
        Files.writeString(heldFile, "company " + held + "\n");
        withLatchkey = Map.of("PATH", bin + ":" + System.getenv("PATH"), "LATCHKEY_TEST_HELD", heldFile.toString());
    }

    @Test
    void installsAnExecutableHookWhereGitLooksAndOnlyOnce() throws Exception {
        PreCommitHook.Installation first = PreCommitHook.install(repository.root);
        assertEquals(repository.root.resolve(".git/hooks/pre-commit").toRealPath(), first.hook().toRealPath());
        assertFalse(first.wasThere());
        assertEquals(PreCommitHook.script(), Files.readString(first.hook()));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(first.hook())));
        assertTrue(PreCommitHook.install(repository.root).wasThere());
    }

    @Test
    void honoursCoreHooksPath() throws Exception {
        repository.git("config", "core.hooksPath", ".githooks");
        Path hook = PreCommitHook.install(repository.root.resolve(Files.createDirectories(repository.root.resolve("src")))).hook();
        assertEquals(repository.root.resolve(".githooks/pre-commit").toRealPath(), hook.toRealPath());
        repository.write("leak.txt", held + "\n");
        repository.git("add", "leak.txt");
        TestRepository.Outcome commit = repository.attempt(withLatchkey, null, "commit", "-m", "leak");
        assertEquals(1, commit.status(), commit.output());
    }

    @Test
    void leavesAnotherHookAloneAndSaysHowToRunBoth() throws Exception {
        Path hook = repository.root.resolve(".git/hooks/pre-commit");
        Files.createDirectories(hook.getParent());
        Files.writeString(hook, "#!/bin/sh\nmake lint\n");
        ScanUsageException refused = assertThrows(ScanUsageException.class, () -> PreCommitHook.install(repository.root));
        assertTrue(refused.getMessage().contains("is another pre-commit hook"), refused.getMessage());
        assertTrue(refused.getMessage().endsWith("\n    latchkey scan --staged || exit 1"), refused.getMessage());
        assertEquals("#!/bin/sh\nmake lint\n", Files.readString(hook));
    }

    @Test
    void doesNotWriteThroughASymlinkWhereTheHookGoes() throws Exception {
        Path hook = repository.root.resolve(".git/hooks/pre-commit");
        Files.createDirectories(hook.getParent());
        Path elsewhere = dir.resolve("elsewhere");
        Files.createSymbolicLink(hook, elsewhere);
        assertThrows(ScanUsageException.class, () -> PreCommitHook.install(repository.root));
        assertFalse(Files.exists(elsewhere));
    }

    @Test
    void stopsACommitThatAddsATokenAndLetsACleanOneThrough() throws Exception {
        PreCommitHook.install(repository.root);
        repository.write("clean.txt", "nothing secret\n");
        repository.git("add", "clean.txt");
        TestRepository.Outcome clean = repository.attempt(withLatchkey, null, "commit", "-m", "clean");
        assertEquals(0, clean.status(), clean.output());

        String head = repository.git("rev-parse", "HEAD");
        repository.write("deploy.sh", "#!/bin/sh\nTOKEN=" + held + "\n");
        repository.git("add", "deploy.sh");
        TestRepository.Outcome leak = repository.attempt(withLatchkey, null, "commit", "-m", "leak");
        assertEquals(1, leak.status(), leak.output());
        assertTrue(leak.output().contains("deploy.sh:2 (staged): the token latchkey holds for `company`"), leak.output());
        assertTrue(leak.output().contains("latchkey: commit stopped: it would add the token(s) above."), leak.output());
        assertFalse(leak.output().contains(held));
        assertEquals(head, repository.git("rev-parse", "HEAD"), "nothing was committed");
    }

    @Test
    void checksWhatCommitAllWouldAddThoughItIsNotStagedYet() throws Exception {
        PreCommitHook.install(repository.root);
        repository.write("README.md", "hello\n" + held + "\n");
        TestRepository.Outcome commit = repository.attempt(withLatchkey, null, "commit", "-a", "-m", "all");
        assertEquals(1, commit.status(), commit.output());
        assertTrue(commit.output().contains("README.md:2 (staged)"), commit.output());
    }

    @Test
    void stopsTheCommitWhenLatchkeyCannotBeRunSayingHowToSkipTheCheck() throws Exception {
        PreCommitHook.install(repository.root);
        repository.write("clean.txt", "nothing secret\n");
        repository.git("add", "clean.txt");
        Path gitOnly = Files.createDirectories(dir.resolve("git-only"));
        Files.createSymbolicLink(gitOnly.resolve("git"), TestRepository.gitProgram());
        // git finds its own helpers by its exec path and runs hooks with /bin/sh: PATH needs nothing else.
        TestRepository.Outcome commit = repository.attempt(Map.of("PATH", gitOnly.toString()), null,
                "commit", "-m", "unchecked");
        assertEquals(1, commit.status(), commit.output());
        assertTrue(commit.output().contains("latchkey is not on PATH here"), commit.output());
        assertTrue(commit.output().contains("git commit --no-verify"), commit.output());
    }

    @Test
    void isAPosixShellScript() throws IOException, InterruptedException {
        Path script = dir.resolve("hook.sh");
        Files.writeString(script, PreCommitHook.script());
        assertTrue(PreCommitHook.script().startsWith("#!/bin/sh\n"));
        Process check = new ProcessBuilder("sh", "-n", script.toString()).redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes());
        assertEquals(0, check.waitFor(), output);
    }
}
