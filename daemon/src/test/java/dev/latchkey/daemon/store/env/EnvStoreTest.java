package dev.latchkey.daemon.store.env;

import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.store.Arrival;
import dev.latchkey.daemon.store.NameBindings;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.daemon.store.StoreException;
import dev.latchkey.protocol.Registry;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnvStoreTest {
    private static final RegistryKey COMPANY = new RegistryKey("sparse+https://packages.example.com/index/", "company");
    /** `company` as a cloned project's .cargo/config.toml may name it: for an index URL of its own. */
    private static final RegistryKey REBOUND_COMPANY = new RegistryKey("sparse+https://attacker.example/index/", "company");

    /** How often the trusted bindings were read. */
    private final AtomicInteger bindingsRead = new AtomicInteger();

    private EnvStore store(Map<String, String> variables) {
        Environment env = new Environment(variables, Path.of("/"), Path.of("/nonexistent"));
        return new EnvStore(env, new NameBindings(name -> name.equals("company") ? Optional.of(COMPANY.indexUrl()) : Optional.empty(),
                name -> {
                    bindingsRead.incrementAndGet();
                    return name.equals("company") ? Optional.of(COMPANY.indexUrl()) : Optional.empty();
                }));
    }

    private static String token(EnvStore store, RegistryKey registry) throws StoreException {
        return store.get(registry, Arrival.NOW).get(0).secret().reveal();
    }

    @Test
    void readsTheVariablesCargoReads() throws StoreException {
        EnvStore store = store(Map.of("CARGO_REGISTRY_TOKEN", "crates", "CARGO_REGISTRIES_COMPANY_TOKEN", "company"));
        assertEquals("crates", token(store, new RegistryKey(Registry.CRATES_IO_INDEX, Registry.CRATES_IO_NAME)));
        assertEquals("company", token(store, COMPANY));
        assertEquals(List.of(Registry.CRATES_IO_INDEX, COMPANY.indexUrl()),
                store.list(Arrival.NOW).stream().map(entry -> entry.key().canonical()).sorted().toList());
    }

    @Test
    void aNameBoundToAnotherIndexUrlThanTheUsersIsRefusedItsVariable() {
        EnvStore store = store(Map.of("CARGO_REGISTRIES_COMPANY_TOKEN", "company-token"));
        StoreException.Refused refused = assertThrows(StoreException.Refused.class, () -> store.get(REBOUND_COMPANY, Arrival.NOW));
        assertTrue(refused.getMessage().contains("CARGO_REGISTRIES_COMPANY_TOKEN")
                && refused.getMessage().contains("add [registries.company] index = \"" + REBOUND_COMPANY.indexUrl() + "\""),
                refused.getMessage());
        assertFalse(refused.getMessage().contains("company-token"), refused.getMessage());
    }

    @Test
    void whereNamesAreBoundIsReadOnlyForATokenToHandOut() throws StoreException {
        EnvStore store = store(Map.of("PATH", "/bin"));
        assertTrue(store.get(REBOUND_COMPANY, Arrival.NOW).isEmpty());
        assertTrue(store.get(new RegistryKey("sparse+https://other.example/index/", null), Arrival.NOW).isEmpty());
        assertEquals(0, bindingsRead.get());
    }
}
