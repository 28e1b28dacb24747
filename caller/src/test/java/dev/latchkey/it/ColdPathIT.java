package dev.latchkey.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cold path (docs/architecture.md): a read served in a fresh process, as cargo, git, docker,
 * pip and pnpm start one for every request when no daemon runs. Watched through the JVM's own class-loading log:
 * nothing on it makes the JVM generate classes at run time (a lambda, a method reference, a
 * stream, a regular expression, a record's generated equals: each costs a short-lived process
 * milliseconds), and it loads nothing of the daemon's server or of the commands people type.
 */
class ColdPathIT {
    private static final String URL = "sparse+https://cold.example/index/";
    /** What git asks its helper before a clone from https://cold.example/. */
    private static final String GIT_SITE = "protocol=https\nhost=cold.example\n";
    /** The packages only the daemon, or only a person at the command line, needs. */
    private static final List<String> NOT_ON_THE_COLD_PATH = List.of("dev.latchkey.daemon.server.", "dev.latchkey.daemon.door.cli.",
            "dev.latchkey.caller.exec.", "dev.latchkey.caller.scan.", "dev.latchkey.caller.secrets.", "dev.latchkey.daemon.store.encrypted.",
            "dev.latchkey.daemon.store.command.", "dev.latchkey.daemon.jna.");

    @RegisterExtension
    final DaemonSandbox sandbox = DaemonSandbox.perTest();

    /** A request and its stdin, as its client sends it. */
    record Read(String name, String stdin, String[] args, String answer) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Read> reads() {
        String cargoGet = "{\"v\":1,\"registry\":{\"index-url\":\"" + URL + "\"},\"kind\":\"get\",\"operation\":\"read\",\"args\":[]}\n";
        String cargoPublish = "{\"v\":1,\"registry\":{\"index-url\":\"" + URL + "\",\"name\":\"cold\"},\"kind\":\"get\","
                + "\"operation\":\"publish\",\"name\":\"c\",\"vers\":\"1.0.0\",\"cksum\":\"ab\",\"args\":[]}\n";
        String cargoMissing = cargoGet.replace("cold.example", "missing.example");
        String stdioGet = "{\"v\":1,\"kind\":\"get\",\"registry\":{\"index-url\":\"" + URL + "\"}}\n";
        return Stream.of(
                new Read("cargo get", cargoGet, new String[] {"--cargo-plugin"}, "\"token\":\"lk-cold-token\""),
                new Read("cargo get for publish", cargoPublish, new String[] {"--cargo-plugin"}, "\"token\":\"lk-cold-token\""),
                new Read("cargo get, nothing stored", cargoMissing, new String[] {"--cargo-plugin"}, "\"not-found\""),
                new Read("stdio get", stdioGet, new String[] {"stdio"}, "\"token\":\"lk-cold-token\""),
                new Read("docker get", "cold.example:5000", new String[] {"docker-credential", "get"}, "\"Secret\":\"lk-cold-login\""),
                new Read("docker get, nothing stored", "missing.example:5000", new String[] {"docker-credential", "get"},
                        "credentials not found in native keychain"),
                new Read("keyring get by index URL", "", new String[] {"keyring", "get", "https://cold.example:5000/simple/", "alice"},
                        "lk-cold-login"),
                new Read("npm-token", "", new String[] {"npm-token", "https://cold.example/npm/"}, "Bearer lk-cold-npm-token"),
                new Read("git get", GIT_SITE, new String[] {"git-credential", "get"}, "username=cold\npassword=lk-cold-pw\n"),
                new Read("git get, nothing stored", GIT_SITE.replace("cold.example", "missing.example"),
                        new String[] {"git-credential", "get"}, ""));
    }

    @BeforeEach
    void storeAToken() throws Exception {
        // The file store's path: with a session bus (scripts/test runs inside scripts/with-keyring) the
        // keychain would come first, and JNA and the JDK's proxies generate classes of their own.
        sandbox.env().remove("DBUS_SESSION_BUS_ADDRESS");
        // The first write makes the metadata book and its salt (SecureRandom), once per user: not a read's cost.
        DaemonSandbox.Result stored = sandbox.run("lk-cold-token\n", "store", URL);
        assertEquals(0, stored.exit(), stored.stderr());
        assertEquals(0, sandbox.run(null, "get", URL).exit(), "the token was used once: its book entry exists");
        // The other clients' logins, stored and used once the same way.
        DaemonSandbox.Result login = sandbox.run("{\"ServerURL\":\"cold.example:5000\",\"Username\":\"alice\",\"Secret\":\"lk-cold-login\"}\n",
                "docker-credential", "store");
        assertEquals(0, login.exit(), login.stderr());
        assertEquals(0, sandbox.run("cold.example:5000", "docker-credential", "get").exit());
        assertEquals(0, sandbox.run("lk-cold-npm-token\n", "npm-token", "--store", "https://cold.example/npm/").exit());
        assertEquals(0, sandbox.run(null, "npm-token", "https://cold.example/npm/").exit());
        assertEquals(0, sandbox.run(GIT_SITE + "username=cold\npassword=lk-cold-pw\n", "git-credential", "store").exit());
        assertEquals(0, sandbox.run(GIT_SITE, "git-credential", "get").exit(), "and the login");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reads")
    void aReadServedInAFreshProcessMakesTheJvmGenerateNoClassAndLoadsOnlyTheColdPath(Read read) throws Exception {
        Path log = sandbox.root.resolve("classes.log");
        List<String> command = sandbox.latchkey(List.of("-Xlog:class+load=info:file=" + log), read.args());
        DaemonSandbox.Result served = sandbox.run(read.stdin(), command);
        assertTrue(served.stdout().contains(read.answer()), read + ": " + served);

        List<String> generated = new ArrayList<>();
        List<String> offPath = new ArrayList<>();
        boolean servedByTheService = false;
        for (String line : Files.readAllLines(log)) {
            String loaded = line.substring(line.indexOf("] ", line.indexOf("[class,load]")) + 2);
            servedByTheService |= loaded.startsWith("dev.latchkey.daemon.service.CredentialService ");
            if (loaded.contains("source: __JVM_LookupDefineClass__") || loaded.contains("source: __Lookup_defineClass__")
                    || loaded.contains("$$Lambda")) {
                generated.add(loaded);
            }
            for (String off : NOT_ON_THE_COLD_PATH) {
                if (loaded.startsWith(off)) {
                    offPath.add(loaded);
                }
            }
        }
        assertTrue(servedByTheService, read + ": the log shows the request served in this process");
        assertEquals(List.of(), generated, read + ": classes the JVM generated at run time");
        assertEquals(List.of(), offPath, read + ": classes off the cold path");
    }
}
