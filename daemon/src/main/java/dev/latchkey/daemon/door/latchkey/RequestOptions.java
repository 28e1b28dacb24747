package dev.latchkey.daemon.door.latchkey;

import dev.latchkey.protocol.CredentialException;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The options a request carries in cargo's {@code args} (docs/protocol.md): what was written after the
 * program in {@code credential-provider}, plus {@code cargo login -- ...} arguments.
 *
 * @param store    {@code --store NAME}: use only this store
 * @param config   {@code --config PATH}
 * @param noDaemon {@code --no-daemon}: serve in this process
 * @param ignored  arguments not recognised, reported once on stderr
 */
public record RequestOptions(String store, Path config, boolean noDaemon, List<String> ignored) {

    /** @throws CredentialException.BadRequest when {@code --config} names no possible path (a NUL in it) */
    public static RequestOptions parse(List<String> args, Path workingDirectory) throws CredentialException.BadRequest {
        String store = null;
        Path config = null;
        boolean noDaemon = false;
        List<String> ignored = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--no-daemon")) {
                noDaemon = true;
            } else if (arg.startsWith("--store=")) {
                store = arg.substring("--store=".length());
            } else if (arg.equals("--store") && i + 1 < args.size()) {
                store = args.get(++i);
            } else if (arg.startsWith("--config=")) {
                config = path(workingDirectory, arg.substring("--config=".length()));
            } else if (arg.equals("--config") && i + 1 < args.size()) {
                config = path(workingDirectory, args.get(++i));
            } else {
                ignored.add(arg);
            }
        }
        return new RequestOptions(store, config, noDaemon, List.copyOf(ignored));
    }

    private static Path path(Path workingDirectory, String path) throws CredentialException.BadRequest {
        try {
            return workingDirectory.resolve(path);
        } catch (InvalidPathException e) {
            // Not quoted: whatever a client puts in its arguments stays out of answers and logs.
            throw new CredentialException.BadRequest("the path after --config is not a valid file name (" + e.getReason()
                    + "); write the config file's path after --config in `credential-provider`");
        }
    }
}
