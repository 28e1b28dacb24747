package dev.latchkey.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * git's logins in the real gnome-keyring of the suite's session (the default order puts the
 * keychain first when it is usable): each an item of latchkey's own schema,
 * {@code dev.latchkey.login}, whose {@code key} attribute is the login's canonical form, checked
 * with {@code secret-tool}, which knows nothing of latchkey; never an item of cargo's schema, so
 * cargo's own {@code cargo:libsecret} can never take a git password for a registry token.
 */
class GitKeyringIT {
    private static final String LOGIN_SCHEMA = "dev.latchkey.login";
    private static final String CARGO_SCHEMA = "org.rust-lang.cargo.registry";

    @TempDir
    Path temp;
    private GitWithLatchkey git;
    private String host;
    private String password;

    @BeforeEach
    void gitWithTheSessionKeyring() {
        String bus = SessionKeyring.environment().get("DBUS_SESSION_BUS_ADDRESS");
        RequiredComponent.executable("secret-tool", "to read the keyring's items as another program does");
        git = GitWithLatchkey.create(temp.resolve("sandbox"));
        git.env().put("DBUS_SESSION_BUS_ADDRESS", bus);
        // a host of its own, so that items other tests leave in the session's keyring never match
        host = "git-" + UUID.randomUUID().toString().substring(0, 8) + ".example:8443";
        password = "keyring-pw-" + UUID.randomUUID();
    }

    @AfterEach
    void removeItems() {
        secretTool("clear", "xdg:schema", LOGIN_SCHEMA, "key", "login:https://alice@" + host);
        git.close();
    }

    private ProcessRun.Result secretTool(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("secret-tool"));
        command.addAll(List.of(args));
        return ProcessRun.of(command).environment(git.env()).run();
    }

    @Test
    void aGitLoginIsAnItemOfLatchkeysOwnSchemaAndNeverOfCargos() {
        git.gitReading("protocol=https\nhost=" + host + "\nusername=alice\npassword=" + password + "\n", git.sandbox().root(),
                "credential", "approve").assertSuccess();

        ProcessRun.Result search = secretTool("search", "--all", "xdg:schema", LOGIN_SCHEMA, "key", "login:https://alice@" + host)
                .assertSuccess();
        String item = search.stdout() + search.stderr(); // secret-tool prints the attributes on stderr
        assertTrue(item.contains("secret = " + password), item);
        assertTrue(item.contains("attribute.key = login:https://alice@" + host), item);
        ProcessRun.Result cargos = secretTool("search", "--all", "xdg:schema", CARGO_SCHEMA);
        assertFalse((cargos.stdout() + cargos.stderr()).contains(password), "no item of cargo's holds it: " + cargos);
        assertFalse(Files.exists(git.sandbox().root().resolve("xdg/data/latchkey/tokens.toml")), "nor latchkey's file");

        assertEquals("protocol=https\nhost=" + host + "\nusername=alice\npassword=" + password + "\n",
                git.fill("protocol=https\nhost=" + host + "\n"));
        String list = git.latchkey("", "list").assertSuccess().stdout();
        assertTrue(list.lines().anyMatch(row -> row.startsWith("https://alice@" + host + " ") && row.contains(" keychain ")), list);

        git.gitReading("protocol=https\nhost=" + host + "\nusername=alice\npassword=" + password + "\n", git.sandbox().root(),
                "credential", "reject").assertSuccess();
        assertEquals(1, secretTool("lookup", "xdg:schema", LOGIN_SCHEMA, "key", "login:https://alice@" + host).exitCode(),
                "git's erase removed the item");
    }
}
