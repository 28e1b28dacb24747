package dev.latchkey.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * git's own battery for credential helpers ({@link T0303}, fetched for the installed git) against
 * latchkey as users configure it, {@code credential.helper = latchkey}: served in the helper's own
 * process, and through the daemon. Every test passes, each checked by name; the audit log says
 * who served every request.
 */
class GitT0303IT {
    /** The tests of git 2.39's battery: several users per host, erase limited to one user, matching on every part. */
    private static final List<String> CHECKS = List.of("has no existing data", "stores password", "can retrieve password",
            "requires matching protocol", "requires matching host", "requires matching username", "requires matching path",
            "can forget host", "can store multiple users", "can forget user", "remembers other user", "can store empty username");

    private static T0303 battery;

    @TempDir
    Path temp;
    private GitWithLatchkey git;

    @BeforeAll
    static void fetchBattery() {
        battery = T0303.require();
    }

    @AfterEach
    void stopDaemon() {
        if (git != null) {
            git.close();
        }
    }

    @Test
    void everyTestPassesWithLatchkeyServingInItsOwnProcess() throws IOException {
        git = GitWithLatchkey.create(temp.resolve("sandbox"));

        T0303.Run run = battery.run("latchkey", git.env(), workDirectory());

        assertEveryTestPassed(run);
        List<Map<String, Object>> audit = git.gitsRequests();
        assertServedAllOfIt(audit);
        assertTrue(audit.stream().noneMatch(GitWithLatchkey::servedByTheDaemon), audit::toString);
    }

    @Test
    void everyTestPassesThroughTheDaemon() throws IOException {
        git = GitWithLatchkey.create(temp.resolve("sandbox"));
        Path work = workDirectory();
        // the stand-in test-lib's HOME, which a daemon must share to serve its callers
        git.startDaemon(work.resolve("t/trash"));
        // a token variable keeps a cargo request from the daemon, never a git one: no login is in the environment
        git.env().put("CARGO_REGISTRY_TOKEN", "not-for-git");

        T0303.Run run = battery.run("latchkey", git.env(), work);

        assertEveryTestPassed(run);
        List<Map<String, Object>> audit = git.gitsRequests();
        assertServedAllOfIt(audit);
        assertTrue(audit.stream().allMatch(GitWithLatchkey::servedByTheDaemon), audit::toString);
    }

    private Path workDirectory() throws IOException {
        // the test-lib names its trash directory by `pwd`, the real path
        return Files.createDirectories(temp.resolve("t0303")).toRealPath();
    }

    private static void assertEveryTestPassed(T0303.Run run) {
        assertEquals(List.of(), run.failed(), run.tap());
        assertEquals(0, run.exitCode(), run.tap());
        for (String check : CHECKS) {
            assertTrue(run.test(check).passed(), run::tap);
        }
        assertFalse(run.tap().contains("latchkey: "), "latchkey said nothing on stderr: " + run.tap());
    }

    /** Each kind of git's requests came: t0303 gets, stores and erases. */
    private static void assertServedAllOfIt(List<Map<String, Object>> audit) {
        List<Object> kinds = audit.stream().map(line -> line.get("kind")).distinct().sorted().toList();
        assertEquals(List.of("git-erase", "git-get", "git-store"), kinds, audit::toString);
    }
}
