package dev.latchkey.daemon.store;

/**
 * What a credential is for, as stores keep it: a registry's token ({@link RegistryKey}, cargo's
 * and the latchkey protocol's), or a login to a site ({@link LoginKey}, git's, docker's, pip's).
 */
public sealed interface CredentialKey permits RegistryKey, LoginKey {
    /**
     * One string that names the key whole, for a store or a book that keys by strings: a
     * registry's index URL as cargo sends it, or a login's {@code login:} form. Two keys are equal
     * exactly when their canonical forms are.
     */
    String canonical();

    /** How people are shown it: a registry's name or index URL, a login's user at its site. */
    String displayName();

    /** The key of {@link #canonical()} form {@code text}. */
    static CredentialKey ofCanonical(String text, String registryName) {
        return text.startsWith(LoginKey.PREFIX) ? LoginKey.parse(text) : new RegistryKey(text, registryName);
    }
}
