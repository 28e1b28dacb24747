package dev.latchkey.protocol;

import java.util.List;

/**
 * A registry as a request names it. The key of a credential is {@code indexUrl} exactly as cargo
 * sends it ({@code sparse+} prefix and trailing slash kept); {@code name} is an alias, absent for
 * unnamed sources. At least one of the two is present.
 */
public record Registry(String indexUrl, String name, List<String> headers) {
    /** crates.io's index URL as cargo sends it, whatever protocol it fetches the index with. */
    public static final String CRATES_IO_INDEX = "https://github.com/rust-lang/crates.io-index";
    public static final String CRATES_IO_NAME = "crates-io";

    public Registry {
        if (indexUrl == null && name == null) {
            throw new IllegalArgumentException("a registry needs an index-url or a name");
        }
        headers = headers == null ? List.of() : List.copyOf(headers);
    }

    public Registry(String indexUrl, String name) {
        this(indexUrl, name, List.of());
    }

    public static Registry byUrl(String indexUrl) {
        return new Registry(indexUrl, null);
    }

    public static Registry byName(String name) {
        return new Registry(null, name);
    }

    /** A registry as a person writes it (docs/configuration.md): an index URL when it contains {@code ://}, else a name. */
    public static Registry fromNameOrUrl(String written) {
        return written.contains("://") ? byUrl(written) : byName(written);
    }

    public Registry withIndexUrl(String url) {
        return new Registry(url, name, headers);
    }

    public Registry withName(String newName) {
        return new Registry(indexUrl, newName, headers);
    }

    /** How a person would call it: the name when there is one, else the URL. */
    public String displayName() {
        return name != null ? name : indexUrl;
    }
}
