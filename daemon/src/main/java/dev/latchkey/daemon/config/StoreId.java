package dev.latchkey.daemon.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every store latchkey has, by the name users write in config and on the command line: the one
 * list, in the order {@code status} and {@code doctor} report them.
 */
public enum StoreId {
    ENV("env"),
    /** This platform's keychain, whichever it is: {@link #LIBSECRET}, {@link #MACOS_KEYCHAIN} or {@link #WINCRED}. */
    KEYCHAIN("keychain"),
    LIBSECRET("libsecret"),
    MACOS_KEYCHAIN("macos-keychain"),
    WINCRED("wincred"),
    FILE("file"),
    CARGO("cargo"),
    ENCRYPTED("encrypted"),
    COMMAND("command"),
    MEMORY("memory");

    private final String configName;

    StoreId(String configName) {
        this.configName = configName;
    }

    /** The name users write. */
    public String configName() {
        return configName;
    }

    /** The store a user names {@code name}; empty for no such store. */
    public static Optional<StoreId> named(String name) {
        for (StoreId id : values()) {
            if (id.configName.equals(name)) {
                return Optional.of(id);
            }
        }
        return Optional.empty();
    }

    /** Every name, sorted, for a message that lists them. */
    public static String allNames() {
        List<String> names = new ArrayList<>();
        for (StoreId id : values()) {
            names.add(id.configName);
        }
        names.sort(null);
        return String.join(", ", names);
    }

    @Override
    public String toString() {
        return configName;
    }
}
