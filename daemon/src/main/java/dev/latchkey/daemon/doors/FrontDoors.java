package dev.latchkey.daemon.doors;

import dev.latchkey.daemon.door.CommandLine;
import dev.latchkey.daemon.door.Door;
import dev.latchkey.daemon.door.cargo.CargoDoor;
import dev.latchkey.daemon.door.cli.Cli;
import dev.latchkey.daemon.door.cli.HelpDoor;
import dev.latchkey.daemon.door.docker.DockerDoor;
import dev.latchkey.daemon.door.git.GitCredentialDoor;
import dev.latchkey.daemon.door.git.GitImportDoor;
import dev.latchkey.daemon.door.keyring.KeyringDoor;
import dev.latchkey.daemon.door.npm.NpmTokenDoor;
import dev.latchkey.daemon.door.latchkey.StdioDoor;

import java.util.List;

/**
 * Every front door, by the command word that selects it: the one place a client's protocol is
 * registered. It sits above the doors, so that the seam they share (package {@code door}) does not
 * depend on the doors it serves.
 */
public final class FrontDoors {
    private FrontDoors() {
    }

    /**
     * The door for {@code command}: help when it asks for help ({@code --help}, {@code help
     * COMMAND}, {@code COMMAND --help}); else its word's, and the command line's for every other
     * word (it says when there is no such command). Made on demand: a door's classes load only when
     * it serves.
     */
    public static Door of(CommandLine command) {
        String word = command.word();
        if ("--help".equals(word) || "help".equals(word)) {
            return new HelpDoor(firstWord(command.rest()));
        }
        if (word == null) {
            return new Cli();
        }
        if (asksForHelp(command.rest())) {
            return new HelpDoor(word);
        }
        if (word.equals("import") && "git".equals(firstWord(command.rest()))) {
            return new GitImportDoor();
        }
        return switch (word) {
            case "--cargo-plugin" -> new CargoDoor();
            case "stdio" -> new StdioDoor();
            case "git-credential" -> new GitCredentialDoor();
            case "docker-credential" -> new DockerDoor();
            case "keyring" -> new KeyringDoor();
            case "npm-token" -> new NpmTokenDoor();
            default -> new Cli();
        };
    }

    /** Whether {@code rest} holds {@code --help} or {@code -h} before a {@code --} (after it, they are exec's command's). */
    private static boolean asksForHelp(List<String> rest) {
        for (String arg : rest) {
            if (arg.equals("--")) {
                return false;
            }
            if (arg.equals("--help") || arg.equals("-h")) {
                return true;
            }
        }
        return false;
    }

    private static String firstWord(List<String> rest) {
        for (String arg : rest) {
            if (!arg.startsWith("-")) {
                return arg;
            }
        }
        return null;
    }
}
