package dev.latchkey.daemon.door.cli;

import dev.latchkey.daemon.door.CommandSpec;
import dev.latchkey.daemon.door.Commands;
import dev.latchkey.daemon.door.Door;
import dev.latchkey.daemon.door.ExitCodes;
import dev.latchkey.daemon.door.Invocation;
import dev.latchkey.daemon.door.UsageException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code latchkey --help}, {@code latchkey help COMMAND} and {@code latchkey COMMAND --help}: the
 * overview, or one command's help, on stdout.
 */
public final class HelpDoor implements Door {
    private final String about;

    /** {@code about}: the command to tell of, or null for the overview. */
    public HelpDoor(String about) {
        this.about = about;
    }

    @Override
    public int serve(Invocation invocation) throws UsageException, IOException {
        String text;
        if (about == null) {
            text = HelpText.overview();
        } else {
            CommandSpec command = Commands.named(about);
            if (command == null) {
                throw new UsageException("no command `" + about + "`");
            }
            text = command.name().equals("--help") ? HelpText.overview() : HelpText.of(command);
        }
        invocation.out().write(text.getBytes(StandardCharsets.UTF_8));
        invocation.out().flush();
        return ExitCodes.OK;
    }
}
