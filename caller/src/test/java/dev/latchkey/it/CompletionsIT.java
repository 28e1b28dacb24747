package dev.latchkey.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shell completions of native-config/completions, loaded by the real shells. */
class CompletionsIT {
    private static final Path COMPLETIONS = Path.of(System.getProperty("latchkey.root")).toAbsolutePath().normalize()
            .resolve("native-config/completions");

    private static String bash(String... words) {
        String line = String.join(" ", words);
        String script = "source " + COMPLETIONS.resolve("latchkey.bash") + "; COMP_WORDS=(" + line + "); COMP_CWORD="
                + (words.length - 1) + "; _latchkey; for c in \"${COMPREPLY[@]}\"; do printf '%s\\n' \"$c\"; done";
        return ProcessRun.of(List.of(RequiredComponent.executable("bash").toString(), "-c", script)).run().assertSuccess().stdout();
    }

    @Test
    void bashCompletesCommandsOptionsStoresAndWords() {
        assertTrue(bash("latchkey", "ro").lines().toList().contains("rotate"), bash("latchkey", "ro"));
        assertEquals("--store\n", bash("latchkey", "get", "--st"));
        assertTrue(bash("latchkey", "get", "--store", "\"\"").lines().toList().containsAll(List.of("file", "keychain", "encrypted")));
        assertEquals("publish\n", bash("latchkey", "get", "--operation", "pu"));
        assertEquals("stop\nstatus\n", bash("latchkey", "--no-daemon", "daemon", "st"));
        assertEquals("", bash("latchkey", "get", "--bogus"), "nothing that is not an option of get");
    }

    @Test
    void fishCompletesTheSameAndNoFileNameWhereAStoreIsAsked() {
        Path fish = RequiredComponent.executable("fish", "the fish completions' test");
        String completed = ProcessRun.of(List.of(fish.toString(), "-c", "source " + COMPLETIONS.resolve("latchkey.fish")
                + "; complete -C 'latchkey get --store '; echo ==; complete -C 'latchkey da'; echo ==; complete -C 'latchkey import '"))
                .run().assertSuccess().stdout();
        String[] parts = completed.split("==\n");
        assertTrue(parts[0].lines().map(l -> l.split("\t")[0]).toList().containsAll(List.of("file", "keychain", "memory")), completed);
        assertTrue(parts[0].lines().noneMatch(l -> l.startsWith("pom.xml") || l.endsWith("/")), "no file names: " + completed);
        assertTrue(parts[1].lines().map(l -> l.split("\t")[0]).toList().containsAll(List.of("daemon")), completed);
        assertEquals(List.of("cargo", "git"), parts[2].lines().map(l -> l.split("\t")[0]).toList(), completed);
    }

    @Test
    void zshReadsItsCompletionFunction() {
        Path zsh = RequiredComponent.executable("zsh", "the zsh completion's test");
        ProcessRun.of(List.of(zsh.toString(), "-n", COMPLETIONS.resolve("_latchkey").toString())).run().assertSuccess();
        // compinit -D: no dump file (given one, compinit replaces it, whatever it was).
        String defined = ProcessRun.of(List.of(zsh.toString(), "-f", "-c", "autoload -Uz compinit; compinit -u -D; "
                + "fpath=(" + COMPLETIONS + " $fpath); autoload -Uz _latchkey; whence -w _latchkey")).run().assertSuccess().stdout();
        assertTrue(defined.contains("_latchkey: function"), defined);
    }
}
