package dev.latchkey.daemon.door.cli;

import dev.latchkey.daemon.door.CommandSpec;
import dev.latchkey.daemon.door.Commands;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The man page and the completions in the repository are the ones the command line's definition makes. */
class CliReferenceTest {
    /** The repository, from the daemon module's directory where Maven runs its tests. */
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theCommittedFilesAreWhatTheDefinitionMakes() throws Exception {
        for (Map.Entry<String, String> file : CliReference.files().entrySet()) {
            Path committed = ROOT.resolve(file.getKey());
            assertTrue(Files.isRegularFile(committed), file.getKey() + " is missing: run scripts/cli-reference and commit it");
            assertEquals(file.getValue(), Files.readString(committed),
                    file.getKey() + " differs from what door.Commands makes: run scripts/cli-reference and commit it");
        }
    }

    @Test
    void everyCommandAndOptionIsInTheHelpTheManPageAndEachCompletion() {
        String overview = HelpText.overview();
        String man = ManPage.render();
        Map<String, String> completions = Map.of("bash", Completions.bash(), "zsh", Completions.zsh(), "fish", Completions.fish());
        for (CommandSpec command : Commands.ALL) {
            assertTrue(overview.contains("  " + command.name()), command.name());
            assertTrue(man.contains(".SS \"" + ManPage.escape(command.name())), command.name());
            String help = HelpText.of(command);
            for (CommandSpec.Option option : command.options()) {
                assertTrue(help.contains("  " + option.name()), command.name() + " " + option.name());
                assertTrue(man.contains(".B " + ManPage.escape(option.name())), command.name() + " " + option.name());
                completions.forEach((shell, text) -> assertTrue(
                        text.contains(shell.equals("fish") ? fishName(option.name()) : option.name()), shell + ": " + option.name()));
            }
        }
    }

    private static String fishName(String option) {
        return option.startsWith("--") ? "-l " + option.substring(2) : "-o " + option.substring(1);
    }
}
