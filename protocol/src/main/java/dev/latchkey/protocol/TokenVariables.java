package dev.latchkey.protocol;

/**
 * The environment variables cargo reads registry tokens from: {@code CARGO_REGISTRY_TOKEN} for
 * crates.io, {@code CARGO_REGISTRIES_<NAME>_TOKEN} for a named registry. The {@code env} store
 * reads them; a daemon started by a process that has them must not inherit them, since a
 * process's environment is readable in {@code /proc/PID/environ} for as long as it lives.
 */
public final class TokenVariables {
    public static final String CRATES_IO = "CARGO_REGISTRY_TOKEN";
    public static final String PREFIX = "CARGO_REGISTRIES_";
    public static final String SUFFIX = "_TOKEN";

    private TokenVariables() {
    }

    /** Whether {@code variable} is one cargo reads a token from. */
    public static boolean isTokenVariable(String variable) {
        return variable.equals(CRATES_IO)
                || (variable.startsWith(PREFIX) && variable.endsWith(SUFFIX) && variable.length() > PREFIX.length() + SUFFIX.length());
    }
}
