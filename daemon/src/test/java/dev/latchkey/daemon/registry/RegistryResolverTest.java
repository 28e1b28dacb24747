package dev.latchkey.daemon.registry;

import dev.latchkey.daemon.config.Config;
import dev.latchkey.daemon.config.ConfigLoader;
import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.store.RegistryKey;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Registry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegistryResolverTest {
    @TempDir
    Path root;

    private RegistryResolver resolver(Map<String, String> vars, Path cwd) throws Exception {
        Environment env = new Environment(vars, cwd, root.resolve("home"));
        Config config = new ConfigLoader(env).load(null);
        return new RegistryResolver(config, env);
    }

    @Test
    void cratesIoIsBuiltIn() throws Exception {
        RegistryResolver r = resolver(Map.of(), root);
        assertEquals(new RegistryKey(Registry.CRATES_IO_INDEX, "crates-io"), r.resolve(Registry.fromNameOrUrl("crates-io")));
        assertEquals(new RegistryKey(Registry.CRATES_IO_INDEX, "crates-io"), r.resolve(Registry.fromNameOrUrl(Registry.CRATES_IO_INDEX)));
    }

    @Test
    void anIndexUrlIsKeptExactlyAsGiven() throws Exception {
        RegistryKey key = resolver(Map.of(), root).resolve(Registry.byUrl("sparse+https://Example.COM/idx/"));
        assertEquals("sparse+https://Example.COM/idx/", key.indexUrl());
    }

    @Test
    void closerCargoConfigWinsOverCargoHome() throws Exception {
        Path cargoHome = root.resolve("cargo-home");
        Files.createDirectories(cargoHome);
        Files.writeString(cargoHome.resolve("config.toml"),
                "[registries.alt]\nindex = \"sparse+http://home/index/\"\n[registries.homeonly]\nindex = \"sparse+http://h/\"\n");
        Path project = root.resolve("project/sub");
        Files.createDirectories(root.resolve("project/.cargo"));
        Files.createDirectories(project);
        Files.writeString(root.resolve("project/.cargo/config.toml"), "[registries.alt]\nindex = \"sparse+http://project/index/\"\n");
        RegistryResolver r = resolver(Map.of("CARGO_HOME", cargoHome.toString()), project);
        assertEquals("sparse+http://project/index/", r.resolve(Registry.fromNameOrUrl("alt")).indexUrl());
        assertEquals("sparse+http://h/", r.resolve(Registry.fromNameOrUrl("homeonly")).indexUrl());
        assertEquals("alt", r.resolve(Registry.byUrl("sparse+http://project/index/")).name());
    }

    @Test
    void aCargoConfigLargerThanAnyRealOneIsPassedOverUnread() throws Exception {
        Path project = Files.createDirectories(root.resolve("huge/.cargo")).getParent();
        String binding = "[registries.huge]\nindex = \"sparse+http://huge/index/\"\n";
        String padding = "# " + "x".repeat(78) + "\n";
        Files.writeString(project.resolve(".cargo/config.toml"), binding
                + padding.repeat((CargoConfigFiles.MAX_BYTES - binding.length()) / padding.length()));
        assertTrue(resolver(Map.of(), project).indexOf("huge").isPresent(), "read at the limit");
        Files.writeString(project.resolve(".cargo/config.toml"), padding, StandardOpenOption.APPEND);
        assertTrue(resolver(Map.of(), project).indexOf("huge").isEmpty(), "passed over beyond it");
    }

    @Test
    void theEnvironmentNamesRegistriesAsCargoDoes() throws Exception {
        RegistryResolver r = resolver(Map.of("CARGO_REGISTRIES_MY_REG_INDEX", "sparse+http://env/index/"), root);
        assertEquals("sparse+http://env/index/", r.resolve(Registry.fromNameOrUrl("my-reg")).indexUrl());
        assertEquals("my_reg", r.resolve(Registry.byUrl("sparse+http://env/index/")).name());
    }

    /** docs/configuration.md, "Registry names": latchkey's config, then cargo's files, then CARGO_REGISTRIES_<NAME>_INDEX. */
    @Test
    void latchkeysConfigComesFirstThenCargosFilesThenTheEnvironment() throws Exception {
        Path home = root.resolve("home");
        Files.createDirectories(home.resolve(".config/latchkey"));
        Files.writeString(home.resolve(".config/latchkey/config.toml"), "[registries.both]\nindex = \"sparse+http://latchkey/\"\n");
        Files.createDirectories(home.resolve(".cargo"));
        Files.writeString(home.resolve(".cargo/config.toml"), "[registries.both]\nindex = \"sparse+http://cargo/\"\n"
                + "[registries.cargo-and-env]\nindex = \"sparse+http://cargo/2/\"\n");
        Path project = root.resolve("old-project");
        Files.createDirectories(project.resolve(".cargo"));
        // the extensionless name cargo still reads
        Files.writeString(project.resolve(".cargo/config"), "[registries.legacy]\nindex = \"sparse+http://legacy/\"\n");
        RegistryResolver r = resolver(Map.of("CARGO_REGISTRIES_BOTH_INDEX", "sparse+http://env/",
                "CARGO_REGISTRIES_CARGO_AND_ENV_INDEX", "sparse+http://env/2/",
                "CARGO_REGISTRIES_ENV_ONLY_INDEX", "sparse+http://env/3/"), project);
        assertEquals("sparse+http://latchkey/", r.resolve(Registry.fromNameOrUrl("both")).indexUrl());
        assertEquals("sparse+http://cargo/2/", r.resolve(Registry.fromNameOrUrl("cargo-and-env")).indexUrl());
        assertEquals("sparse+http://env/3/", r.resolve(Registry.fromNameOrUrl("env-only")).indexUrl());
        assertEquals("sparse+http://legacy/", r.resolve(Registry.fromNameOrUrl("legacy")).indexUrl());
    }

    @Test
    void anUnknownNameSaysWhereItLooked() throws Exception {
        String message = assertThrows(CredentialException.BadRequest.class, () -> resolver(Map.of(), root).resolve(Registry.fromNameOrUrl("nope")))
                .getMessage();
        assertTrue(message.contains("CARGO_REGISTRIES_NOPE_INDEX"), message);
    }

    /** A [registries.NAME] table of latchkey's that gives only the registry's stores leaves its index URL to cargo's config. */
    @Test
    void aRegistryTableWithoutIndexLeavesTheIndexUrlToCargosConfig() throws Exception {
        Path home = root.resolve("home");
        Files.createDirectories(home.resolve(".config/latchkey"));
        Files.writeString(home.resolve(".config/latchkey/config.toml"),
                "[registries.company]\nstores = [\"file\"]\n[registries.nowhere]\nstores = [\"file\"]\n");
        Files.createDirectories(home.resolve(".cargo"));
        Files.writeString(home.resolve(".cargo/config.toml"), "[registries.company]\nindex = \"sparse+http://cargo/\"\n");
        RegistryResolver r = resolver(Map.of(), root);
        assertEquals("sparse+http://cargo/", r.resolve(Registry.fromNameOrUrl("company")).indexUrl());
        String message = assertThrows(CredentialException.BadRequest.class, () -> r.resolve(Registry.fromNameOrUrl("nowhere")))
                .getMessage();
        assertTrue(message.contains("no index URL for it"), message);
    }
}
