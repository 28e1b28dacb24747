package dev.latchkey.daemon.config;

/** A configuration file that cannot be used; the message names the file, the line, the problem and the fix. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;
    /** How the message is introduced wherever it is shown. */
    public static final String PREFIX = "cannot use the config file: ";

    public ConfigException(String message) {
        super(message);
    }
}
