package dev.latchkey.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scripts/install.sh in a home of its own: the launcher on PATH and the systemd user units, which
 * systemd's own checker accepts. No systemd user manager runs here, so it must enable nothing, and
 * say how to. Last it prints the lines that make cargo use latchkey, naming the launcher by a name
 * that leads to it: `latchkey` when PATH finds this launcher, else its full path; added to cargo's
 * config as told, they are the TOML cargo reads.
 */
class InstallScriptIT {
    private static final Path ROOT = Path.of(System.getProperty("latchkey.root", ".")).toAbsolutePath().normalize();

    @RegisterExtension
    final DaemonSandbox sandbox = DaemonSandbox.perTest();

    @BeforeEach
    void prepare() throws Exception {
        sandbox.env().put("HOME", sandbox.home.toString());
        sandbox.env().remove("DBUS_SESSION_BUS_ADDRESS"); // no way to reach a user manager: the run is the same everywhere
    }

    @Test
    void installsTheLauncherAndTheSystemdUserUnitsAndEnablesNothing() throws Exception {
        RequiredComponent.executable("systemctl", "for install.sh to install the systemd user units");
        Path analyze = RequiredComponent.executable("systemd-analyze", "to check the installed units with systemd's own checker");
        List<String> install = List.of("bash", ROOT.resolve("scripts/install.sh").toString());

        DaemonSandbox.Result first = sandbox.run(null, install);
        DaemonSandbox.Result again = sandbox.run(null, install);

        assertEquals(0, first.exit(), first.stdout() + first.stderr());
        assertEquals(0, again.exit(), "installing twice is harmless: " + again.stderr());
        Path launcher = sandbox.home.resolve(".local/bin/latchkey");
        assertEquals(ROOT.resolve("scripts/latchkey"), Files.readSymbolicLink(launcher));
        // git runs `git-credential-latchkey` for credential.helper = latchkey; the launcher serves it by that name
        assertEquals(ROOT.resolve("scripts/latchkey"), Files.readSymbolicLink(sandbox.home.resolve(".local/bin/git-credential-latchkey")));
        assertEquals(ROOT.resolve("scripts/latchkey"), Files.readSymbolicLink(sandbox.home.resolve(".local/bin/docker-credential-latchkey")));
        assertTrue(Files.notExists(sandbox.home.resolve(".local/bin/keyring"), LinkOption.NOFOLLOW_LINKS),
                "python-keyring's command name is taken only when asked");
        Path units = sandbox.configDir.resolve("systemd/user");
        for (String unit : List.of("latchkey.socket", "latchkey.service")) {
            assertEquals(Files.readString(ROOT.resolve("native-config/systemd").resolve(unit)), Files.readString(units.resolve(unit)));
        }
        assertTrue(first.stdout().contains("systemctl --user enable --now latchkey.socket"), first.stdout());
        assertTrue(first.stdout().contains("is not on PATH"), first.stdout());
        assertEquals(List.of(launcher.toString()), providersAfterFollowing(first.stdout()),
                "not on PATH: cargo is given the launcher's full path, " + first.stdout());

        DaemonSandbox.Result verified = sandbox.run(null, List.of(analyze.toString(), "--user", "verify",
                units.resolve("latchkey.socket").toString(), units.resolve("latchkey.service").toString()));
        assertEquals(0, verified.exit(), "systemd-analyze: " + verified.stdout() + verified.stderr());

        // The shell snippet the note names puts the installed launcher on PATH, for sh as for bash.
        for (String shell : List.of("sh", "bash")) {
            DaemonSandbox.Result found = sandbox.run(null, List.of("env", "PATH=/usr/bin:/bin", shell, "-c",
                    ". '" + ROOT.resolve("native-config/shell/latchkey.sh") + "' && . '" + ROOT.resolve("native-config/shell/latchkey.sh")
                            + "' && command -v latchkey && echo \"$PATH\""));
            assertEquals(launcher + "\n" + sandbox.home.resolve(".local/bin") + ":/usr/bin:/bin\n", found.stdout(),
                    shell + ", sourced twice: " + found.stderr());
        }
        assertTrue(first.stdout().contains("native-config/shell/latchkey.sh"), first.stdout());

        DaemonSandbox.Result enable = sandbox.run(null, List.of("bash", ROOT.resolve("scripts/install.sh").toString(), "--enable"));
        assertEquals(1, enable.exit(), "--enable cannot be done, and says so");
        assertTrue(enable.stderr().contains("--enable needs a running systemd user manager"), enable.stderr());
    }

    @Test
    void asKeyringTakesTheNameOfPythonKeyringsCommandButNeverOverAnotherFile() throws Exception {
        List<String> install = List.of("bash", ROOT.resolve("scripts/install.sh").toString(), "--as-keyring");
        Path keyring = sandbox.home.resolve(".local/bin/keyring");
        Files.createDirectories(keyring.getParent());
        Files.writeString(keyring, "#!/bin/sh\n# python-keyring's own command\n");

        DaemonSandbox.Result refused = sandbox.run(null, install);
        assertEquals(1, refused.exit(), refused.stdout() + refused.stderr());
        assertTrue(refused.stderr().contains("is not latchkey's") && refused.stderr().contains("move it away"), refused.stderr());
        assertEquals("#!/bin/sh\n# python-keyring's own command\n", Files.readString(keyring), "left as it was");

        Files.delete(keyring);
        DaemonSandbox.Result installed = sandbox.run(null, install);
        DaemonSandbox.Result again = sandbox.run(null, install);
        assertEquals(0, installed.exit(), installed.stdout() + installed.stderr());
        assertEquals(0, again.exit(), "installing twice is harmless: " + again.stderr());
        assertEquals(ROOT.resolve("scripts/latchkey"), Files.readSymbolicLink(keyring));
        assertTrue(installed.stdout().contains("--keyring-provider subprocess"), installed.stdout());
    }

    @Test
    void withTheLauncherOnPathCargoIsToldToRunLatchkeyUnderTheTableItAlreadyHas() throws Exception {
        Path bin = sandbox.home.resolve(".local/bin");
        sandbox.env().put("PATH", bin + ":" + sandbox.env().get("PATH"));
        Path cargoConfig = sandbox.cargoHome.resolve("config.toml");
        Files.createDirectories(sandbox.cargoHome);
        Files.writeString(cargoConfig, "[registry]\ndefault = \"company\"\n");
        List<String> install = List.of("bash", ROOT.resolve("scripts/install.sh").toString());

        DaemonSandbox.Result first = sandbox.run(null, install);

        assertEquals(0, first.exit(), first.stdout() + first.stderr());
        assertTrue(first.stdout().contains("latchkey on PATH: " + bin.resolve("latchkey")), first.stdout());
        assertTrue(first.stdout().contains("under the [registry] table"), "no second [registry] header: " + first.stdout());
        List<String> lines = linesToAdd(first.stdout());
        assertEquals(List.of("global-credential-providers = [\"latchkey\"]"), lines);

        Files.writeString(cargoConfig, Files.readString(cargoConfig) + String.join("\n", lines) + "\n");
        TomlParseResult toml = Toml.parse(Files.readString(cargoConfig));
        assertEquals(List.of(), toml.errors(), "cargo's config as install.sh told it to be");
        assertEquals("latchkey", toml.getArray("registry.global-credential-providers").getString(0));
        assertEquals("company", toml.getString("registry.default"), "what was there is kept");

        DaemonSandbox.Result again = sandbox.run(null, install);
        assertEquals(0, again.exit(), again.stderr());
        assertTrue(again.stdout().contains("names latchkey for every registry already; nothing to add"), again.stdout());
        assertEquals(List.of(), linesToAdd(again.stdout()));
    }

    @Test
    void anotherLatchkeyFirstOnPathIsNamedAndCargoIsGivenThisOnesFullPath() throws Exception {
        Path other = Files.createDirectories(sandbox.root.resolve("other-bin"));
        Files.writeString(other.resolve("latchkey"), "#!/bin/sh\nexit 4\n");
        other.resolve("latchkey").toFile().setExecutable(true);
        Path bin = sandbox.home.resolve(".local/bin");
        sandbox.env().put("PATH", other + ":" + bin + ":" + sandbox.env().get("PATH"));

        DaemonSandbox.Result result = sandbox.run(null, List.of("bash", ROOT.resolve("scripts/install.sh").toString()));

        assertEquals(0, result.exit(), result.stdout() + result.stderr());
        assertTrue(result.stdout().contains("`latchkey` on PATH is " + other.resolve("latchkey") + ", not this one"), result.stdout());
        assertEquals(List.of(bin.resolve("latchkey").toString()), providersAfterFollowing(result.stdout()));
    }

    /** The indented lines install.sh prints after its last "next, for cargo" line: what to add to cargo's config. */
    private static List<String> linesToAdd(String stdout) {
        int next = stdout.lastIndexOf("next, for cargo");
        List<String> lines = new ArrayList<>();
        if (next < 0) {
            return lines;
        }
        for (String line : stdout.substring(next).split("\n")) {
            if (line.startsWith("  ")) {
                lines.add(line.substring(2));
            }
        }
        return lines;
    }

    /** cargo's global providers once the lines install.sh printed are written to an empty config. */
    private static List<Object> providersAfterFollowing(String stdout) {
        TomlParseResult toml = Toml.parse(String.join("\n", linesToAdd(stdout)));
        assertEquals(List.of(), toml.errors(), stdout);
        assertTrue(toml.isArray("registry.global-credential-providers"), stdout);
        return toml.getArray("registry.global-credential-providers").toList();
    }
}
