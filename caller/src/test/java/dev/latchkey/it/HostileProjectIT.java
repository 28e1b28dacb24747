package dev.latchkey.it;

import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.ResponseCodec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a cloned repository's {@code .cargo/config.toml} says must not redirect a user's secret or
 * rewrite their terminal (issue 13, items 9, 10 and 14; docs/security.md, items 9 and 10). The checkout binds {@code company}, a
 * name the user bound to their company's registry, to an index URL of its own.
 */
class HostileProjectIT {
    private static final String COMPANY = "sparse+https://packages.company.example/index/";
    private static final String EVIL = "sparse+https://evil.example/index/";
    /** Reads as ending in ".exe/" where a terminal honours the right-to-left override. */
    private static final String TRICKY = "sparse+https://tricky.example/\u202e/gpj.exe/";

    @RegisterExtension
    final DaemonSandbox sandbox = DaemonSandbox.perTest();
    private Path checkout;
    private Path ran;

    @BeforeEach
    void cloneAHostileCheckout() throws Exception {
        checkout = Files.createDirectories(sandbox.root.resolve("checkout"));
        Files.createDirectories(checkout.resolve(".cargo"));
        Files.writeString(checkout.resolve(".cargo/config.toml"), "[registries.company]\nindex = \"" + EVIL + "\"\n"
                + "[registries.shady]\nindex = \"sparse+https://shady.example/\\u001b[2J\\u001b[1;1Hclean/\"\n"
                + "[registries.tricky]\nindex = \"" + TRICKY.replace("\u202e", "\\u202e") + "\"\n");
        ran = sandbox.root.resolve("command-ran-for");
    }

    private DaemonSandbox.Result inCheckout(String stdin, String... args) throws Exception {
        return sandbox.run(stdin, sandbox.latchkey(args), checkout);
    }

    private static String cargoGet(String url, String name) {
        return "{\"v\":1,\"registry\":{\"index-url\":\"" + url + "\",\"name\":\"" + name + "\"},\"kind\":\"get\","
                + "\"operation\":\"read\",\"args\":[]}\n";
    }

    @ParameterizedTest(name = "through the daemon: {0}")
    @ValueSource(booleans = {false, true})
    void theCommandStoreGetsOnlyANameTheUserBoundToThatVeryIndexUrl(boolean daemon) throws Exception {
        sandbox.config("stores = [\"command\"]\n[store.command]\nget = [\"sh\", \"-c\", \"printf '%s\\\\n' \\\"$1\\\" >> " + ran
                + "; printf 'secret-of-%s' \\\"$1\\\"\", \"sh\", \"{name}\"]\n"
                + "[registries.company]\nindex = \"" + COMPANY + "\"\n");
        if (daemon) {
            sandbox.startDaemon();
        }
        // What cargo sends in the checkout when it talks to the checkout's `company`.
        DaemonSandbox.Result impostor = inCheckout(cargoGet(EVIL, "company"), "--cargo-plugin");
        assertTrue(impostor.stdout().contains("\"Err\""), impostor.toString());
        assertFalse(impostor.stdout().contains("secret-of"), impostor.toString());
        DaemonSandbox.Result traversal = inCheckout(cargoGet(EVIL, "../../bank"), "--cargo-plugin");
        assertFalse(traversal.stdout().contains("secret-of"), traversal.toString());
        assertFalse(Files.exists(ran), "the command never ran for the checkout's registry");
        DaemonSandbox.Result explained = inCheckout(null, "get", EVIL);
        assertEquals(2, explained.exit(), "refused as bad input, not as a missing token: " + explained);
        assertTrue(explained.stderr().contains("is bound to none there") && explained.stderr().contains("$CARGO_HOME/config.toml"),
                "names the trusted places: " + explained.stderr());

        // The user's own registry, asked for in the same checkout, gets the user's name for it.
        DaemonSandbox.Result own = inCheckout(cargoGet(COMPANY, "whatever-the-request-says"), "--cargo-plugin");
        assertTrue(own.stdout().contains("\"token\":\"secret-of-company\""), own.toString());
        assertEquals("company\n", Files.readString(ran));
    }

    @ParameterizedTest(name = "through the daemon: {0}")
    @ValueSource(booleans = {false, true})
    void theStoresThatKeepTokensByNameGiveTheCheckoutsRegistryNoneOfTheUsers(boolean daemon) throws Exception {
        Files.createDirectories(sandbox.cargoHome);
        Files.writeString(sandbox.cargoHome.resolve("config.toml"), "[registries.company]\nindex = \"" + COMPANY + "\"\n");
        String credentials = "[registries.company]\ntoken = \"lk-company-token-0e6f\"\n";
        Files.writeString(sandbox.cargoHome.resolve("credentials.toml"), credentials);
        sandbox.config("stores = [\"env\", \"cargo\"]\n");
        if (daemon) {
            sandbox.startDaemon();
        }
        DaemonSandbox.Result impostor = inCheckout(cargoGet(EVIL, "company"), "--cargo-plugin");
        assertTrue(impostor.stdout().contains("\"Err\"") && impostor.stdout().contains("add [registries.company] index = \\\"" + EVIL),
                impostor.toString());
        assertFalse(impostor.stdout().contains("lk-company-token"), impostor.toString());
        DaemonSandbox.Result erase = inCheckout(null, "erase", "company", "--store", "cargo");
        assertEquals(2, erase.exit(), erase.toString());
        assertTrue(erase.stderr().contains("$CARGO_HOME/config.toml"), erase.stderr());
        assertEquals(credentials, Files.readString(sandbox.cargoHome.resolve("credentials.toml")), "nothing erased");
        DaemonSandbox.Result own = inCheckout(cargoGet(COMPANY, "company"), "--cargo-plugin");
        assertTrue(own.stdout().contains("\"token\":\"lk-company-token-0e6f\""), own.toString());

        sandbox.env().put("CARGO_REGISTRIES_COMPANY_TOKEN", "lk-env-token-77c1");
        impostor = inCheckout(cargoGet(EVIL, "company"), "--cargo-plugin");
        assertTrue(impostor.stdout().contains("CARGO_REGISTRIES_COMPANY_TOKEN"), impostor.toString());
        assertFalse(impostor.stdout().contains("lk-env-token-77c1"), impostor.toString());
        own = inCheckout(cargoGet(COMPANY, "company"), "--cargo-plugin");
        assertTrue(own.stdout().contains("\"token\":\"lk-env-token-77c1\""), own.toString());
    }

    @Test
    void importInACheckoutThatRedefinesANameLeavesThatTokenWhereItIs() throws Exception {
        Files.createDirectories(sandbox.cargoHome);
        Files.writeString(sandbox.cargoHome.resolve("config.toml"), "[registries.company]\nindex = \"" + COMPANY + "\"\n");
        String credentials = "[registries.company]\ntoken = \"lk-company-token-0e6f\"\n";
        Files.writeString(sandbox.cargoHome.resolve("credentials.toml"), credentials);

        DaemonSandbox.Result hostile = inCheckout(null, "import", "cargo");
        assertEquals(0, hostile.exit(), hostile.toString());
        assertTrue(hostile.stderr().contains("left in cargo's credentials file: `company`") && hostile.stderr().contains(EVIL),
                hostile.stderr());
        assertEquals(credentials, Files.readString(sandbox.cargoHome.resolve("credentials.toml")), "nothing deleted");
        assertFalse(Files.exists(sandbox.tokenFile()), "nothing filed under the checkout's index URL");

        DaemonSandbox.Result home = sandbox.run(null, "import", "cargo");
        assertTrue(home.stderr().contains("moved the token for `company`"), home.toString());
        assertEquals("lk-company-token-0e6f\n", sandbox.run(null, "get", COMPANY).stdout());
    }

    @Test
    void namesAndUrlsFromACheckoutReachTheTerminalWithTheirControlCharactersEscaped() throws Exception {
        sandbox.config("stores = [\"file\"]\n");
        assertEquals(0, inCheckout("lk-shady-token-9a1d\n", "store", "shady").exit());
        for (String[] command : new String[][] {{"list"}, {"audit"}, {"get", "sparse+https://x.example/\u202e/"}}) {
            DaemonSandbox.Result shown = inCheckout(null, command);
            String printed = shown.stdout() + shown.stderr();
            assertFalse(printed.contains("\u001b") || printed.contains("\u202e"), String.join(" ", command) + " printed raw: " + printed);
        }
        String listed = inCheckout(null, "list").stdout();
        assertTrue(listed.contains("sparse+https://shady.example/\\x1b[2J\\x1b[1;1Hclean/"), "escaped, still readable: " + listed);
        assertTrue(inCheckout(null, "get", "sparse+https://x.example/\u202e/").stderr().contains("\\u202e"));
    }

    @Test
    void jsonPrintedForATerminalHasThoseCharactersAsJsonEscapesAndMeansTheSame() throws Exception {
        sandbox.config("stores = [\"file\"]\n");
        assertEquals(0, inCheckout("lk-tricky-token-51c2\n", "store", "tricky").exit());
        for (String[] command : new String[][] {{"list", "--json"}, {"audit", "--json"}}) {
            String printed = inCheckout(null, command).stdout();
            assertFalse(printed.contains("\u202e"), String.join(" ", command) + " printed raw: " + printed);
            assertTrue(printed.contains("tricky.example/\\u202e/gpj.exe/"), String.join(" ", command) + " escaped: " + printed);
        }
        byte[] line = inCheckout(null, "list", "--json").stdout().strip().getBytes(StandardCharsets.UTF_8);
        Response.Listed listed = assertInstanceOf(Response.Listed.class, ResponseCodec.parse(line, line.length).response());
        assertEquals(List.of(TRICKY), listed.entries().stream().map(Response.TokenInfo::indexUrl).toList(),
                "a JSON parser reads the URL as the checkout wrote it");
    }
}
