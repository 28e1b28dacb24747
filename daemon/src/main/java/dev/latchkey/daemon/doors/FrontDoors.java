package dev.latchkey.daemon.doors;

import dev.latchkey.daemon.door.Door;
import dev.latchkey.daemon.door.cargo.CargoDoor;
import dev.latchkey.daemon.door.cli.Cli;
import dev.latchkey.daemon.door.latchkey.StdioDoor;

/**
 * Every front door, by the command word that selects it: the one place a client's protocol is
 * registered. It sits above the doors, so that the seam they share (package {@code door}) does not
 * depend on the doors it serves.
 */
public final class FrontDoors {
    private FrontDoors() {
    }

    /**
     * The door for {@code word}; the command line's for every other word (it says when there is
     * no such command). Made on demand: a door's classes load only when it serves.
     */
    public static Door forWord(String word) {
        if (word == null) {
            return new Cli();
        }
        return switch (word) {
            case "--cargo-plugin" -> new CargoDoor();
            case "stdio" -> new StdioDoor();
            default -> new Cli();
        };
    }
}
