package dev.latchkey.it;

import dev.latchkey.daemon.files.TomlText;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.ResponseCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two latchkey processes writing into the same token file at once, 500 stores each: every
 * acknowledged write must be in the file at the end, and the file must still be one that its
 * reader (latchkey, or cargo for cargo's own file) accepts. The encrypted store too, whose two
 * writers each derive the key of a file that does not exist yet when they start.
 */
class ConcurrentWritersIT {
    private static final int WRITES = 500;

    @TempDir
    Path temp;

    @Test
    void twoWritersIntoTheFileStoreLoseNothing() throws Exception {
        runTwoWriters(null);
        Map<String, Object> doc = TomlText.parse(Files.readString(tokenFile()), tokenFile());
        List<?> tokens = (List<?>) doc.get("token");
        assertEquals(2 * WRITES, tokens.size(), "every acknowledged store must be in the file");
        for (Object entry : tokens) {
            Map<?, ?> t = (Map<?, ?>) entry;
            assertEquals(tokenFor((String) t.get("name")), t.get("token"));
        }
        assertOwnerOnly(tokenFile());
    }

    @Test
    void twoWritersIntoCargosFileLoseNothingAndCargoStillReadsIt() throws Exception {
        RealCargo cargo = RealCargo.require();
        // cargo's file keeps tokens by name; latchkey writes a name only where the user bound it to its URL.
        Files.createDirectories(cargoHome());
        Files.writeString(cargoHome().resolve("config.toml"), bindings());
        runTwoWriters("cargo");
        Path credentials = cargoHome().resolve("credentials.toml");
        Map<?, ?> registries = (Map<?, ?>) TomlText.parse(Files.readString(credentials), credentials).get("registries");
        assertEquals(2 * WRITES, registries.size(), "every acknowledged store must be in cargo's file");
        registries.forEach((name, table) -> assertEquals(tokenFor((String) name), ((Map<?, ?>) table).get("token")));
        assertOwnerOnly(credentials);

        // cargo itself must still parse the file: its logout reads it, removes one token and writes it back.
        String name = writerName(2, 7);
        ProcessRun.of(List.of(cargo.executable().toString(), "logout", "--registry", name))
                .environment(environment()).in(temp).run().assertSuccess();
        Map<?, ?> after = (Map<?, ?>) TomlText.parse(Files.readString(credentials), credentials).get("registries");
        assertEquals(2 * WRITES, after.size(), "cargo keeps the emptied table");
        assertFalse(((Map<?, ?>) after.get(name)).containsKey("token"), "cargo's logout must have removed the token");
        assertEquals(tokenFor(writerName(1, 7)), ((Map<?, ?>) after.get(writerName(1, 7))).get("token"));
    }

    @Test
    void twoWritersIntoTheEncryptedStoreLoseNothing() throws Exception {
        runTwoWriters("encrypted");
        // The file is sealed: read it back through latchkey, every token in one process.
        Path config = temp.resolve("xdg/config/latchkey/config.toml");
        Files.createDirectories(config.getParent());
        Files.writeString(config, "stores = [\"encrypted\"]\n");
        StringBuilder gets = new StringBuilder();
        List<String> names = new ArrayList<>();
        for (int writer = 1; writer <= 2; writer++) {
            for (int i = 0; i < WRITES; i++) {
                String name = writerName(writer, i);
                names.add(name);
                gets.append("{\"v\":1,\"id\":").append(names.size()).append(",\"registry\":{\"index-url\":\"")
                        .append(indexUrl(name)).append("\"},\"kind\":\"get\"}\n");
            }
        }
        ProcessRun.Result read = ProcessRun.of(LatchkeyProcess.command(List.of(), "stdio")).environment(environment()).in(temp)
                .stdin(gets.toString()).run().assertSuccess();
        List<String> answers = read.stdout().lines().skip(1).toList();
        assertEquals(names.size(), answers.size(), read::toString);
        for (int i = 0; i < names.size(); i++) {
            byte[] bytes = answers.get(i).getBytes(StandardCharsets.UTF_8);
            Response response = ResponseCodec.parse(bytes, bytes.length).response();
            assertInstanceOf(Response.Got.class, response, answers.get(i));
            assertEquals(tokenFor(names.get(i)), ((Response.Got) response).token().reveal(), "every acknowledged store is in the file");
        }
        assertOwnerOnly(temp.resolve("xdg/data/latchkey/secrets.enc"));
    }

    /** Starts both writers together and checks that each acknowledged all of its stores. */
    private void runTwoWriters(String store) throws Exception {
        List<CompletableFuture<ProcessRun.Result>> writers = new ArrayList<>();
        for (int writer = 1; writer <= 2; writer++) {
            String requests = requests(writer, store);
            writers.add(CompletableFuture.supplyAsync(() -> ProcessRun.of(LatchkeyProcess.command(List.of(), "stdio"))
                    .environment(environment()).in(temp).stdin(requests).run()));
        }
        for (CompletableFuture<ProcessRun.Result> writer : writers) {
            ProcessRun.Result result = writer.get().assertSuccess();
            List<String> lines = result.stdout().lines().skip(1).toList(); // the hello
            assertEquals(WRITES, lines.size(), () -> "one answer per store: " + result.stderr());
            for (String line : lines) {
                byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
                Response response = ResponseCodec.parse(bytes, bytes.length).response();
                assertInstanceOf(Response.Stored.class, response, line);
            }
        }
    }

    private static String requests(int writer, String store) {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < WRITES; i++) {
            String name = writerName(writer, i);
            lines.append("{\"v\":1,\"id\":").append(i).append(",\"registry\":{\"index-url\":\"").append(indexUrl(name))
                    .append("\",\"name\":\"").append(name).append("\"},\"kind\":\"store\",\"token\":\"").append(tokenFor(name))
                    .append('"').append(store == null ? "" : ",\"store\":\"" + store + "\"").append("}\n");
        }
        return lines.toString();
    }

    /** Every writer's name bound to its index URL, in cargo's grammar. */
    private static String bindings() {
        StringBuilder toml = new StringBuilder();
        for (int writer = 1; writer <= 2; writer++) {
            for (int i = 0; i < WRITES; i++) {
                String name = writerName(writer, i);
                toml.append("[registries.").append(name).append("]\nindex = \"").append(indexUrl(name)).append("\"\n");
            }
        }
        return toml.toString();
    }

    private static String writerName(int writer, int i) {
        return "w" + writer + "-" + i;
    }

    private static String indexUrl(String name) {
        return "sparse+http://127.0.0.1:9/" + name + "/";
    }

    private static String tokenFor(String name) {
        return "token-of-" + name;
    }

    private Path tokenFile() {
        return PrivateHomes.tokenFile(temp);
    }

    private Path cargoHome() {
        return temp.resolve("cargo-home");
    }

    private Map<String, String> environment() {
        Map<String, String> env = PrivateHomes.environment(temp, cargoHome());
        env.put("LATCHKEY_PASSPHRASE", "two writers, one passphrase");
        return env;
    }

    private static void assertOwnerOnly(Path file) throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (var siblings = Files.list(file.getParent())) {
            assertTrue(siblings.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file may be left");
        }
    }
}
