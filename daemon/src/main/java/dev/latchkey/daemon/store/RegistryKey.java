package dev.latchkey.daemon.store;

/**
 * A registry as stores see it once resolved: its index URL exactly as cargo sends it (the key),
 * and its name when one is known (cargo's credentials file and the environment key by name).
 */
public record RegistryKey(String indexUrl, String name) {
    public RegistryKey {
        if (indexUrl == null || indexUrl.isEmpty()) {
            throw new IllegalArgumentException("a resolved registry has an index URL");
        }
    }

    public String displayName() {
        return name != null ? name : indexUrl;
    }
}
