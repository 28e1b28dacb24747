package dev.latchkey.daemon.store.keychain;

import java.util.Locale;

/** The operating systems that have a keychain latchkey can use; each keychain store works on one of them only. */
public enum OperatingSystem {
    LINUX("Linux"),
    MACOS("macOS"),
    WINDOWS("Windows"),
    OTHER("this operating system");

    private final String displayName;

    OperatingSystem(String displayName) {
        this.displayName = displayName;
    }

    public String displayName() {
        return displayName;
    }

    /** The system this JVM runs on. */
    public static OperatingSystem current() {
        return fromOsName(System.getProperty("os.name", ""));
    }

    /** The system a value of the {@code os.name} property names. */
    public static OperatingSystem fromOsName(String osName) {
        String name = osName.toLowerCase(Locale.ROOT);
        if (name.startsWith("linux")) {
            return LINUX;
        }
        if (name.startsWith("mac") || name.startsWith("darwin")) {
            return MACOS;
        }
        if (name.startsWith("windows")) {
            return WINDOWS;
        }
        return OTHER;
    }
}
