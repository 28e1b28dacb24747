package dev.latchkey.caller.scan;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scanner on real files in real git repositories. */
class LeakScannerTest {
    @TempDir
    Path dir;

    private TestRepository repository;
    private final String heldCratesIo = TestTokens.cratesIo();
    private final String heldCompany = TestTokens.opaque();
    /** Every token a test writes anywhere: no report may show any part of one. */
    private final List<String> written = new ArrayList<>(List.of(heldCratesIo, heldCompany));

    @BeforeEach
    void createRepository() throws Exception {
        repository = TestRepository.create(dir);
    }

    @Test
    void findsATokenInTheProjectsCargoConfig() throws Exception {
        String token = token(TestTokens.opaque());
        repository.write(".cargo/config.toml", """
                [registries.company]
                index = "sparse+https://packages.example.com/index/"
                token = "%s"
                """.formatted(token));
        repository.commitAll("registry");

        ScanReport report = scan(ScanMode.FILES);
        assertEquals(ScanReport.FOUND, report.exitStatus());
        assertEquals(List.of(".cargo/config.toml:3: a token in cargo's config for registry `company`;"
                + " revoke it at that registry; let latchkey keep the new one (latchkey store company)"), rendered(report));
    }

    @Test
    void findsCargoConfigTokensHoweverTomlSpellsTheKey() throws Exception {
        repository.write("ci/.cargo/config", """
                registry.token = "%s"
                [registries]
                company = { index = "sparse+https://packages.example.com/index/", token = '%s' }
                other.token = "%s"
                [registries."with space"]
                "token" = "%s"
                [registries.empty]
                token = ""
                [source.crates-io]
                token = "%s"
                """.formatted(token(TestTokens.opaque()), token(TestTokens.opaque()), token(TestTokens.opaque()),
                token(TestTokens.opaque()), token(TestTokens.opaque())));
        repository.write("deploy/credentials.toml", "[registry]\ntoken = \"%s\"\n".formatted(token(TestTokens.opaque())));

        ScanReport report = scan(ScanMode.FILES);
        List<String> where = report.findings().stream().map(f -> f.path() + ":" + f.line() + " " + f.what()).toList();
        assertEquals(List.of(
                "ci/.cargo/config:1 a crates.io token in cargo's config ([registry])",
                "ci/.cargo/config:3 a token in cargo's config for registry `company`",
                "ci/.cargo/config:4 a token in cargo's config for registry `other`",
                "ci/.cargo/config:6 a token in cargo's config for registry `with space`",
                "deploy/credentials.toml:2 a crates.io token in cargo's config ([registry])"), where);
    }

    @Test
    void aTokenLineInAFileCargoDoesNotReadIsNotACargoConfigFinding() throws Exception {
        repository.write("docs/config.toml", "[registry]\ntoken = \"%s\"\n".formatted(token(TestTokens.opaque())));
        assertEquals(List.of(), scan(ScanMode.FILES).findings());
    }

    @Test
    void aHeldTokenDeletedTwoCommitsAgoIsFoundOnlyWithHistoryNamingTheCommitThatAddedIt() throws Exception {
        repository.write("deploy.sh", "#!/bin/sh\nexport TOKEN_FOR_LATER\ncurl -H 'Authorization: " + heldCompany + "' https://x\n");
        String added = repository.commitAll("deploy script");
        repository.write("deploy.sh", "#!/bin/sh\nlatchkey exec --registry company -- ./upload\n");
        repository.commitAll("take the token out");
        repository.write("README.md", "nothing to see\n");
        repository.commitAll("docs");

        ScanReport files = scan(ScanMode.FILES);
        assertEquals(ScanReport.CLEAN, files.exitStatus());
        assertEquals(List.of(), files.findings());

        ScanReport history = scan(ScanMode.HISTORY);
        assertEquals(ScanReport.FOUND, history.exitStatus());
        assertEquals(1, history.findings().size());
        Finding finding = history.findings().get(0);
        assertEquals(Finding.Place.COMMIT, finding.place());
        assertEquals(added, finding.commit());
        assertEquals("deploy.sh", finding.path());
        assertEquals(3, finding.line());
        assertEquals("deploy.sh:3 (in commit " + added.substring(0, 12) + "): the token latchkey holds for `company`;"
                + " rotate it: latchkey rotate company", finding.render());
    }

    @Test
    void eachBlobOfTheHistoryIsReportedOnce() throws Exception {
        repository.write("a.env", "KEY=" + heldCratesIo + "\n");
        String first = repository.commitAll("a");
        repository.git("checkout", "-q", "-b", "side");
        repository.write("b.txt", "unrelated\n");
        repository.commitAll("b");
        repository.git("checkout", "-q", "main");
        repository.write("copy/a.env", "KEY=" + heldCratesIo + "\n");
        repository.commitAll("the same file again");
        repository.git("merge", "-q", "--no-edit", "side");

        List<Finding> inHistory = scan(ScanMode.HISTORY).findings().stream()
                .filter(f -> f.place() == Finding.Place.COMMIT).toList();
        assertEquals(1, inHistory.size(), () -> inHistory.toString());
        assertEquals(first, inHistory.get(0).commit());
    }

    @Test
    void findsAHeldTokenBase64EncodedInAScript() throws Exception {
        String basic = Base64.getEncoder().encodeToString(("ci-bot:" + heldCratesIo).getBytes(StandardCharsets.UTF_8));
        String plain = Base64.getUrlEncoder().withoutPadding().encodeToString(heldCompany.getBytes(StandardCharsets.UTF_8));
        repository.write("scripts/publish.sh", "#!/bin/sh\n"
                + "curl -H \"Authorization: Basic " + basic + "\" https://registry.example.com/api\n"
                + "TOKEN=$(echo " + plain + " | base64 -d)\n");
        written.add(basic);
        written.add(plain);

        List<String> found = scan(ScanMode.FILES).findings().stream().map(f -> f.line() + " " + f.what()).toList();
        assertEquals(List.of("2 the token latchkey holds for `crates-io` (base64)",
                "3 the token latchkey holds for `company` (base64)"), found);
    }

    @Test
    void findsAHeldTokenPercentEncodedInAUrl() throws Exception {
        String token = token("s3cr3t/with+specials=" + TestTokens.alphanumeric(12));
        repository.write("fetch.sh", "curl 'https://example.com/?token=" + token.replace("/", "%2f").replace("+", "%2B")
                .replace("=", "%3D") + "'\n");
        LeakScanner scanner = new LeakScanner(Map.of("company", bytes(token)), Set.of());
        ScanReport report = scanner.scan(repository.root, List.of(), ScanMode.FILES, ScanProgress.none());
        assertEquals(List.of("the token latchkey holds for `company` (URL-encoded)"),
                report.findings().stream().map(Finding::what).toList());
        assertShowsNoToken(report);
    }

    @Test
    void findsEachKnownShape() throws Exception {
        repository.write("leaks.txt", String.join("\n",
                "crates " + token(TestTokens.cratesIo()),
                "npm " + token(TestTokens.npm()),
                "pypi " + token(TestTokens.pypi()),
                "classic " + token(TestTokens.github('p')),
                "oauth " + token(TestTokens.github('o')),
                "user " + token(TestTokens.github('u')),
                "server " + token(TestTokens.github('s')),
                "refresh " + token(TestTokens.github('r')),
                "fine " + token(TestTokens.githubFineGrained()),
                "export CARGO_REGISTRY_TOKEN=" + token(TestTokens.opaque()),
                "CARGO_REGISTRIES_MY_COMPANY_TOKEN=\"" + token(TestTokens.opaque()) + "\" cargo publish",
                "crates.io token in a sentence: " + TestTokens.cratesIo().substring(0, 20) + " is too short to be one",
                "") + "\n");

        List<String> found = rendered(scan(ScanMode.FILES));
        assertEquals(List.of(
                "leaks.txt:1: a crates.io API token; revoke it at https://crates.io/settings/tokens",
                "leaks.txt:2: an npm access token; revoke it at https://www.npmjs.com/settings/tokens",
                "leaks.txt:3: a PyPI API token; revoke it at https://pypi.org/manage/account/token/",
                "leaks.txt:4: a GitHub personal access token; revoke it at https://github.com/settings/tokens",
                "leaks.txt:5: a GitHub OAuth access token; revoke it at https://github.com/settings/tokens",
                "leaks.txt:6: a GitHub App user access token; revoke it at https://github.com/settings/tokens",
                "leaks.txt:7: a GitHub App installation token; revoke it at https://github.com/settings/tokens",
                "leaks.txt:8: a GitHub App refresh token; revoke it at https://github.com/settings/tokens",
                "leaks.txt:9: a GitHub fine-grained personal access token; revoke it at https://github.com/settings/tokens",
                "leaks.txt:10: a token written into CARGO_REGISTRY_TOKEN; revoke it at https://crates.io/settings/tokens;"
                        + " have the variable set when the command runs instead (latchkey exec)",
                "leaks.txt:11: a token written into CARGO_REGISTRIES_MY_COMPANY_TOKEN; revoke it at the registry it is for;"
                        + " have the variable set when the command runs instead (latchkey exec)"), found);
    }

    @Test
    void aVariableSetFromElsewhereIsNotReported() throws Exception {
        repository.write("ci.sh", """
                CARGO_REGISTRY_TOKEN=$TOKEN cargo publish
                export CARGO_REGISTRY_TOKEN="${CRATES_IO_TOKEN}"
                CARGO_REGISTRIES_COMPANY_TOKEN=$(latchkey get company) cargo publish
                CARGO_REGISTRY_TOKEN= cargo build
                CARGO_REGISTRY_TOKEN="" cargo build
                CARGO_REGISTRY_TOKEN=<your token> cargo publish
                CARGO_REGISTRY_TOKEN=... cargo publish
                set CARGO_REGISTRY_TOKEN=%CRATES_TOKEN%
                if [ -n "$CARGO_REGISTRY_TOKEN" ]; then echo set; fi
                """);
        repository.write("src/Publish.java", """
                shell.run("CARGO_REGISTRY_TOKEN=" + token.reveal() + " cargo publish");
                command = "CARGO_REGISTRIES_" + name + "_TOKEN='" + value + "' cargo publish";
                """);
        repository.write(".github/workflows/publish.yml", """
                env:
                  CARGO_REGISTRY_TOKEN: ${{ secrets.CRATES_IO_TOKEN }}
                """);
        ScanReport report = scan(ScanMode.FILES);
        assertEquals(List.of(), rendered(report));
        assertEquals(ScanReport.CLEAN, report.exitStatus());
    }

    @Test
    void aHeldTokenIsNamedByItsRegistryNotByItsShape() throws Exception {
        repository.write("publish.sh", "CARGO_REGISTRY_TOKEN=" + heldCratesIo + " cargo publish\n");
        assertEquals(List.of("publish.sh:1: the token latchkey holds for `crates-io`; rotate it: latchkey rotate crates-io"),
                rendered(scan(ScanMode.FILES)));
    }

    @Test
    void anEmptyRepositoryHasNothingToFind() throws Exception {
        ScanReport report = scan(ScanMode.HISTORY);
        assertEquals(List.of(), report.findings());
        assertEquals(ScanReport.CLEAN, report.exitStatus());
    }

    @Test
    void aCleanTreeExitsZero() throws Exception {
        repository.write("src/main.rs", "fn main() { println!(\"hello\"); }\n");
        repository.write("Cargo.toml", "[package]\nname = \"hello\"\nversion = \"0.1.0\"\n");
        repository.commitAll("hello");
        ScanReport report = scan(ScanMode.HISTORY);
        assertEquals(List.of(), report.findings());
        assertEquals(List.of(), report.notes());
        assertEquals(ScanReport.CLEAN, report.exitStatus());
    }

    @Test
    void stagedFindsAnAddedTokenAndNotOneAlreadyCommitted() throws Exception {
        repository.write("old.sh", "line one\nTOKEN=" + heldCompany + "\n");
        repository.commitAll("an old mistake");
        String added = token(TestTokens.npm());
        repository.write("old.sh", "line one\nTOKEN=" + heldCompany + "\nNPM=" + added + "\n");
        repository.write("new.sh", "echo hi\nexport CARGO_REGISTRY_TOKEN=" + heldCratesIo + "\n");
        repository.write("unstaged.sh", "NPM=" + token(TestTokens.npm()) + "\n");
        repository.git("add", "old.sh", "new.sh");

        ScanReport report = scan(ScanMode.STAGED);
        assertEquals(List.of(
                "new.sh:2 (staged): the token latchkey holds for `crates-io`; rotate it: latchkey rotate crates-io",
                "old.sh:3 (staged): an npm access token; revoke it at https://www.npmjs.com/settings/tokens"), rendered(report));
        assertEquals(ScanReport.FOUND, report.exitStatus());
    }

    @Test
    void stagedWorksBeforeTheFirstCommit() throws Exception {
        repository.write("first.txt", "hello\n" + token(TestTokens.github('p')) + "\n");
        repository.git("add", "first.txt");
        assertEquals(List.of("first.txt:2 (staged): a GitHub personal access token; revoke it at https://github.com/settings/tokens"),
                rendered(scan(ScanMode.STAGED)));
    }

    @Test
    void findsATokenThatIsStagedThoughTheFileOnDiskNoLongerHasIt() throws Exception {
        repository.write("notes.txt", "a\n" + heldCratesIo + "\n");
        repository.git("add", "notes.txt");
        repository.write("notes.txt", "a\nclean now\n");
        assertEquals(List.of("notes.txt:2 (staged): the token latchkey holds for `crates-io`; rotate it: latchkey rotate crates-io"),
                rendered(scan(ScanMode.FILES)));
    }

    @Test
    void aFileStagedAsItIsOnDiskIsReportedOnceNotTwice() throws Exception {
        repository.write("same.txt", heldCratesIo + "\n");
        repository.git("add", "same.txt");
        assertEquals(List.of("same.txt:1: the token latchkey holds for `crates-io`; rotate it: latchkey rotate crates-io"),
                rendered(scan(ScanMode.FILES)));
    }

    @Test
    void untrackedFilesAreScannedAndIgnoredOnesAreNot() throws Exception {
        repository.write(".gitignore", "target/\n");
        repository.write("target/debug/output.txt", heldCratesIo + "\n");
        repository.write("untracked.txt", heldCompany + "\n");
        assertEquals(List.of("untracked.txt:1: the token latchkey holds for `company`; rotate it: latchkey rotate company"),
                rendered(scan(ScanMode.FILES)));
    }

    @Test
    void passesOverFilesThatAreNotTextAndNamesTooLargeOnesOnce() throws Exception {
        byte[] binary = ("\0\1\2" + heldCratesIo).getBytes(StandardCharsets.UTF_8);
        Files.write(repository.root.resolve("image.bin"), binary);
        byte[] large = new byte[(LeakScanner.LARGEST_FILE_MIB << 20) + 1];
        Arrays.fill(large, (byte) 'a');
        Files.write(repository.root.resolve("huge.log"), large);
        Files.write(repository.root.resolve("huge2.log"), large);
        ScanReport report = scan(ScanMode.FILES);
        assertEquals(List.of(), report.findings());
        assertEquals(List.of("2 files over 10 MiB were not scanned: huge.log, huge2.log"), report.notes());
    }

    @Test
    void scansPlainDirectoriesOutsideGitSkippingGitDirectoriesAndNotFollowingLinks() throws Exception {
        Path plain = Files.createDirectories(dir.resolve("plain"));
        Files.createDirectories(plain.resolve("nested/.git"));
        Files.writeString(plain.resolve("nested/.git/config"), "token " + heldCratesIo + "\n");
        Files.writeString(plain.resolve("nested/settings.ini"), "[auth]\nkey = " + heldCratesIo + "\n");
        Files.createSymbolicLink(plain.resolve("link.ini"), plain.resolve("nested/settings.ini"));
        ScanReport report = new LeakScanner(held(), Set.of()).scan(plain, List.of(), ScanMode.FILES, ScanProgress.none());
        assertEquals(List.of("nested/settings.ini:2: the token latchkey holds for `crates-io`; rotate it: latchkey rotate crates-io"),
                rendered(report));
    }

    @Test
    void filesWhereTokensBelongAreNotReported() throws Exception {
        Path cargoHome = Files.createDirectories(dir.resolve("home/.cargo"));
        Files.writeString(cargoHome.resolve("credentials.toml"), "[registry]\ntoken = \"" + heldCratesIo + "\"\n");
        ScanReport report = new LeakScanner(held(), Set.of(cargoHome)).scan(dir.resolve("home"), List.of(),
                ScanMode.FILES, ScanProgress.none());
        assertEquals(List.of(), report.findings());
        assertEquals(List.of("not scanned: " + cargoHome.toRealPath() + ", where tokens are kept on purpose"), report.notes());
    }

    @Test
    void scansOnlyThePathsItIsGiven() throws Exception {
        repository.write("a/leak.txt", heldCratesIo + "\n");
        repository.write("b/leak.txt", heldCompany + "\n");
        repository.commitAll("two");
        ScanReport report = new LeakScanner(held(), Set.of()).scan(repository.root, List.of(Path.of("b")),
                ScanMode.HISTORY, ScanProgress.none());
        assertEquals(List.of("b/leak.txt", "b/leak.txt"), report.findings().stream().map(Finding::path).toList());
        assertEquals(List.of(Finding.Place.FILE, Finding.Place.COMMIT), report.findings().stream().map(Finding::place).toList());
    }

    @Test
    void withNoPathsAScanFromASubdirectoryCoversTheWholeRepository() throws Exception {
        repository.write("top.txt", heldCratesIo + "\n");
        repository.write("sub/inner.txt", heldCompany + "\n");
        repository.git("add", "top.txt");
        LeakScanner scanner = new LeakScanner(held(), Set.of());
        Path sub = repository.root.resolve("sub");
        assertEquals(List.of("../top.txt:1: the token latchkey holds for `crates-io`; rotate it: latchkey rotate crates-io",
                        "inner.txt:1: the token latchkey holds for `company`; rotate it: latchkey rotate company"),
                rendered(scanner.scan(sub, List.of(), ScanMode.FILES, ScanProgress.none())));
        assertEquals(List.of("top.txt:1 (staged): the token latchkey holds for `crates-io`; rotate it: latchkey rotate crates-io"),
                rendered(scanner.scan(sub, List.of(), ScanMode.STAGED, ScanProgress.none())));
        assertEquals(List.of("inner.txt"), scanner.scan(sub, List.of(Path.of(".")), ScanMode.FILES, ScanProgress.none())
                .findings().stream().map(Finding::path).toList());
    }

    @Test
    void escapesControlCharactersInAFileName() throws Exception {
        repository.write("evil\u001b[2Jname.txt", heldCratesIo + "\n");
        assertEquals(List.of("evil\\x1b[2Jname.txt:1: the token latchkey holds for `crates-io`; rotate it: latchkey rotate crates-io"),
                rendered(scan(ScanMode.FILES)));
    }

    @Test
    void saysWhatIsWrongWithAScanThatCannotBeDone() throws Exception {
        Path plain = Files.createDirectories(dir.resolve("not-a-repository"));
        LeakScanner scanner = new LeakScanner(held(), Set.of());
        ScanUsageException history = assertThrows(ScanUsageException.class,
                () -> scanner.scan(plain, List.of(), ScanMode.HISTORY, ScanProgress.none()));
        assertTrue(history.getMessage().startsWith("--history looks into a git repository, and "), history.getMessage());
        ScanUsageException staged = assertThrows(ScanUsageException.class,
                () -> scanner.scan(plain, List.of(), ScanMode.STAGED, ScanProgress.none()));
        assertTrue(staged.getMessage().startsWith("--staged looks into a git repository"), staged.getMessage());
        ScanUsageException missing = assertThrows(ScanUsageException.class,
                () -> scanner.scan(repository.root, List.of(Path.of("no-such-file")), ScanMode.FILES, ScanProgress.none()));
        assertEquals("no-such-file: no such file or directory", missing.getMessage());
    }

    @Test
    void aHeldTokenTooShortToLookForIsNotedAndTheRestIsScanned() throws Exception {
        repository.write("a.txt", heldCompany + "\n");
        Map<String, byte[]> held = new LinkedHashMap<>(held());
        held.put("tiny", bytes("abc"));
        ScanReport report = new LeakScanner(held, Set.of()).scan(repository.root, List.of(), ScanMode.FILES, ScanProgress.none());
        assertEquals(1, report.findings().size());
        assertEquals(List.of("the token latchkey holds for `tiny` is not looked for: it is 3 bytes long, and a secret"
                + " shorter than 4 bytes would match ordinary text everywhere"), report.notes());
    }

    @Test
    void printsFindingsOnStdoutAndNotesOnStderr() throws Exception {
        repository.write("a.txt", heldCompany + "\n");
        repository.write("b.bin", "x".repeat((LeakScanner.LARGEST_FILE_MIB << 20) + 1));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ScanReport report = scan(ScanMode.FILES);
        report.print(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals("a.txt:1: the token latchkey holds for `company`; rotate it: latchkey rotate company\n",
                out.toString(StandardCharsets.UTF_8));
        assertEquals("latchkey: 1 file over 10 MiB was not scanned: b.bin\n", err.toString(StandardCharsets.UTF_8));
    }

    private ScanReport scan(ScanMode mode) throws IOException, ScanUsageException {
        ScanReport report = new LeakScanner(held(), Set.of()).scan(repository.root, List.of(), mode, ScanProgress.none());
        assertShowsNoToken(report);
        return report;
    }

    private Map<String, byte[]> held() {
        Map<String, byte[]> held = new LinkedHashMap<>();
        held.put("crates-io", bytes(heldCratesIo));
        held.put("company", bytes(heldCompany));
        return held;
    }

    /** Remembers a token a test writes, so that {@link #assertShowsNoToken} looks for it. */
    private String token(String token) {
        written.add(token);
        return token;
    }

    /**
     * No finding or note shows a token, nor any 6 characters in a row of its secret part (a shape's
     * prefix, such as the "github" of a fine-grained token, is public and may well be in a URL).
     */
    private void assertShowsNoToken(ScanReport report) {
        List<String> shown = new ArrayList<>(report.notes());
        for (Finding finding : report.findings()) {
            shown.add(finding.render());
            shown.add(finding.what() + " " + finding.fix() + " " + finding.path() + " " + finding.toString());
        }
        for (String text : shown) {
            for (String token : written) {
                assertFalse(text.contains(token), text);
                token = token.replaceFirst("^(cio|npm_|pypi-|gh[pousr]_|github_pat_|tok-)", "");
                for (int i = 0; i + 6 <= token.length(); i++) {
                    String part = token.substring(i, i + 6);
                    assertFalse(text.contains(part), () -> "a report line shows part of a token: " + text.replace(part, "[HERE]"));
                }
            }
        }
    }

    private static List<String> rendered(ScanReport report) {
        return report.findings().stream().map(Finding::render).toList();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
