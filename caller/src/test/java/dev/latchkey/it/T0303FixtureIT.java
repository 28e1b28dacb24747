package dev.latchkey.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The t0303 fixture ({@link T0303}) proves itself on two helpers whose verdicts are known: git's
 * own {@code store} helper passes every test, and a stand-in written here that keeps one credential
 * per protocol, host and path, whoever it belongs to, fails exactly the tests about several users
 * (as the same mistake fails them under git's real test-lib).
 */
class T0303FixtureIT {
    private static T0303 battery;

    @TempDir
    Path temp;
    private ClientSandbox sandbox;

    @BeforeAll
    static void fetchBattery() {
        battery = T0303.require();
    }

    @BeforeEach
    void isolate() {
        sandbox = ClientSandbox.create(temp.resolve("sandbox"));
    }

    @Test
    void gitsOwnStoreHelperPassesEveryTest() {
        // store keeps ~/.git-credentials, in the stand-in test-lib's trash directory.
        T0303.Run run = battery.run("store", sandbox.environment(), temp.resolve("store"));

        assertEquals(List.of(), run.failed(), run.tap());
        assertEquals(0, run.exitCode(), run.tap());
        // git 2.39's battery has 12 tests; later ones add more.
        assertTrue(run.tests().size() >= 12, run.tap());
        assertTrue(run.test("can store multiple users").passed());
    }

    @Test
    void aHelperThatKeepsOneUserPerHostFailsTheUserTests() {
        Path helper = sandbox.writeScript("bin/one-user-per-host", """
                #!/bin/sh
                # Keeps one credential per protocol, host and path, whoever it is for: the mistake
                # t0303's tests of several users catch.
                protocol= host= path= username= password=
                while IFS= read -r line && [ -n "$line" ]; do
                    case $line in
                    protocol=*) protocol=${line#protocol=} ;;
                    host=*) host=${line#host=} ;;
                    path=*) path=${line#path=} ;;
                    username=*) username=${line#username=} ;;
                    password=*) password=${line#password=} ;;
                    esac
                done
                file="STORE/$(printf '%s' "$protocol/$host/$path" | od -An -tx1 | tr -d ' \\n')"
                case $1 in
                get) [ -f "$file" ] && cat "$file" ;;
                store) printf 'username=%s\\npassword=%s\\n' "$username" "$password" >"$file" ;;
                erase) rm -f "$file" ;;
                esac
                exit 0
                """.replace("STORE", temp.toString()));

        T0303.Run run = battery.run(helper.toString(), sandbox.environment(), temp.resolve("one-user"));

        assertEquals(1, run.exitCode(), run.tap());
        for (String check : List.of("requires matching username", "can store multiple users", "remembers other user")) {
            T0303.TestResult test = run.test(check);
            assertTrue(!test.passed() && !test.diagnostics().isBlank(), test::toString);
        }
        for (String check : List.of("has no existing data", "stores password", "can retrieve password",
                "requires matching protocol", "requires matching host", "requires matching path", "can forget host")) {
            assertTrue(run.test(check).passed(), run::tap);
        }
    }
}
