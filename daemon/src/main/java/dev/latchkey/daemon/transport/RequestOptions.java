package dev.latchkey.daemon.transport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The options a request carries in cargo's {@code args} (SPEC §5): what was written after the
 * program in {@code credential-provider}, plus {@code cargo login -- ...} arguments.
 *
 * @param store    {@code --store NAME}: use only this store
 * @param config   {@code --config PATH}
 * @param noDaemon {@code --no-daemon}: serve in this process
 * @param ignored  arguments not recognised, reported once on stderr
 */
public record RequestOptions(String store, Path config, boolean noDaemon, List<String> ignored) {

    public static final RequestOptions NONE = new RequestOptions(null, null, false, List.of());

    public static RequestOptions parse(List<String> args, Path workingDirectory) {
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
                config = workingDirectory.resolve(arg.substring("--config=".length()));
            } else if (arg.equals("--config") && i + 1 < args.size()) {
                config = workingDirectory.resolve(args.get(++i));
            } else {
                ignored.add(arg);
            }
        }
        return new RequestOptions(store, config, noDaemon, List.copyOf(ignored));
    }
}
