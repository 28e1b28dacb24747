package dev.latchkey.daemon.store;

import dev.latchkey.protocol.Registry;

import java.util.Optional;
import java.util.function.Function;

/**
 * The registry names a store that keeps tokens by name, as cargo does ({@code env}:
 * {@code CARGO_REGISTRIES_<NAME>_TOKEN}; {@code cargo}: {@code [registries.NAME]} in its
 * credentials file), may act on. Any repository a user clones can bind {@code company} to an index
 * URL of its own in its {@code .cargo/config.toml}, and cargo then asks for that URL by that name:
 * were the name enough, the user's {@code company} token would be handed to that registry, or
 * overwritten or erased for it. So a name counts only where the user bound it to that very index
 * URL where a project cannot ({@link #TRUSTED_PLACES}, registry.TrustedNames). crates.io's token is
 * keyed by its fixed index URL and always counts.
 */
public final class NameBindings {
    public static final String TRUSTED_PLACES = "latchkey's config or $CARGO_HOME/config.toml";

    private final Function<String, Optional<String>> indexOf;
    private final Function<String, Optional<String>> trustedIndexOf;

    /**
     * {@code indexOf}: the index URL a name stands for where latchkey runs, as cargo finds it (a
     * project's config included); {@code trustedIndexOf}: the one it is bound to in
     * {@link #TRUSTED_PLACES}.
     */
    public NameBindings(Function<String, Optional<String>> indexOf, Function<String, Optional<String>> trustedIndexOf) {
        this.indexOf = indexOf;
        this.trustedIndexOf = trustedIndexOf;
    }

    /**
     * The index URL {@code name} stands for here, as cargo finds it: what {@code list} shows a token
     * under, so that one kept under a name a project rebinds is seen (and refused when asked for).
     */
    public Optional<String> indexOf(String name) {
        return indexOf.apply(name);
    }

    /** Whether {@code registry}'s name is bound to its very index URL where a project cannot bind it. */
    public boolean trusted(RegistryKey registry) {
        if (Registry.CRATES_IO_INDEX.equals(registry.indexUrl())) {
            return true;
        }
        if (registry.name() == null) {
            return false;
        }
        Optional<String> bound = trustedIndexOf.apply(registry.name());
        return bound.isPresent() && bound.get().equals(registry.indexUrl());
    }

    /**
     * Why {@code what}, kept under {@code registry}'s name, is not used for it: its name is not
     * trusted. Told rather than passed over, since it may be a project's attempt on the token.
     */
    public static StoreException.Refused untrusted(RegistryKey registry, String what) {
        return new StoreException.Refused(what + " is kept under the name `" + registry.name() + "`, which latchkey takes "
                + "for " + registry.indexUrl() + " only when " + TRUSTED_PLACES + " binds it to that URL (a project's "
                + ".cargo/config.toml can bind a name to any URL): if it is that registry, add [registries." + registry.name()
                + "] index = \"" + registry.indexUrl() + "\" to one of them; if not, this project names another registry `"
                + registry.name() + "`, and its token belongs in another store");
    }
}
