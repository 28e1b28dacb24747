package dev.latchkey.daemon.store;

/**
 * A registry as stores see it once resolved: its index URL exactly as cargo sends it (the key),
 * and its name when one is known (cargo's credentials file and the environment key by name).
 */
public record RegistryKey(String indexUrl, String name) implements CredentialKey {
    public RegistryKey {
        if (indexUrl == null || indexUrl.isEmpty()) {
            throw new IllegalArgumentException("a resolved registry has an index URL");
        }
        if (indexUrl.startsWith(LoginKey.PREFIX)) {
            throw new IllegalArgumentException("an index URL is not a login's key");
        }
    }

    @Override
    public String canonical() {
        return indexUrl;
    }

    @Override
    public String displayName() {
        return name != null ? name : indexUrl;
    }
}
