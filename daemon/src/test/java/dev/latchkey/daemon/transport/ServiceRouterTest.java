package dev.latchkey.daemon.transport;

import dev.latchkey.daemon.config.Environment;
import dev.latchkey.daemon.service.Caller;
import dev.latchkey.daemon.service.Services;
import dev.latchkey.protocol.Dialect;
import dev.latchkey.protocol.ErrorKind;
import dev.latchkey.protocol.Incoming;
import dev.latchkey.protocol.RequestCodec;
import dev.latchkey.protocol.RequestLine;
import dev.latchkey.protocol.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rules a relayed session depends on: which requests only the caller can serve, and what a lost daemon leaves. */
class ServiceRouterTest {
    private static final String URL = "sparse+https://packages.example.com/index/";

    @TempDir
    Path home;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    private Services services() throws Exception {
        Files.createDirectories(home.resolve("config/latchkey"));
        Files.writeString(home.resolve("config/latchkey/config.toml"), "stores = [\"file\"]\n");
        return new Services(new Environment(Map.of("XDG_DATA_HOME", home.resolve("data").toString(),
                "XDG_CONFIG_HOME", home.resolve("config").toString(), "CARGO_HOME", home.resolve("cargo").toString()),
                home, home), null, "test");
    }

    private ServiceRouter relayed(Path directory, Path config) throws Exception {
        return ServiceRouter.forRelayedCaller(services(), directory, config, Caller.UNKNOWN,
                new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    private static RequestLine line(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        Incoming incoming = RequestCodec.parse(bytes, bytes.length);
        return assertInstanceOf(RequestLine.class, incoming, json);
    }

    @Test
    void onlyTheCallerCanServeATokenlessLoginANoDaemonRequestOrARegistryKnownByName() throws Exception {
        ServiceRouter router = relayed(home, null);
        String registry = "\"registry\":{\"index-url\":\"" + URL + "\",\"name\":\"company\"}";
        assertTrue(router.needsTheCaller(line("{\"v\":1," + registry + ",\"kind\":\"login\"}")));
        assertTrue(router.needsTheCaller(line("{\"v\":1," + registry + ",\"kind\":\"get\",\"args\":[\"--store\",\"file\",\"--no-daemon\"]}")));
        assertTrue(router.needsTheCaller(line("{\"v\":1,\"registry\":{\"name\":\"company\"},\"kind\":\"get\"}")));

        assertFalse(router.needsTheCaller(line("{\"v\":1," + registry + ",\"kind\":\"login\",\"token\":\"t\"}")));
        assertFalse(router.needsTheCaller(line("{\"v\":1," + registry + ",\"kind\":\"get\",\"operation\":\"read\",\"args\":[\"--store\",\"file\"]}")));
        assertFalse(router.needsTheCaller(line("{\"v\":1," + registry + ",\"kind\":\"logout\"}")));
    }

    @Test
    void aRelayedRequestReadsARelativeConfigFromTheCallersDirectory() throws Exception {
        Path caller = Files.createDirectories(home.resolve("project"));
        Files.writeString(caller.resolve("latchkey.toml"), "stores = [\"nonsense\"]\n");
        ServiceRouter router = relayed(caller, null);
        Response response = router.handle(line("{\"v\":1,\"registry\":{\"index-url\":\"" + URL
                + "\"},\"kind\":\"get\",\"args\":[\"--config\",\"latchkey.toml\"]}"));
        Response.Failure failure = assertInstanceOf(Response.Failure.class, response);
        assertTrue(failure.message().contains(caller.resolve("latchkey.toml").toString()), failure.message());
        assertTrue(router.sawBrokenConfig());
    }

    @Test
    void aRelayedRequestWithoutConfigUsesTheCallersOne() throws Exception {
        Path callerConfig = home.resolve("elsewhere.toml");
        Files.writeString(callerConfig, "[oops\n");
        ServiceRouter router = relayed(home, callerConfig);
        Response response = router.handle(line("{\"v\":1,\"registry\":{\"index-url\":\"" + URL + "\"},\"kind\":\"get\"}"));
        assertTrue(assertInstanceOf(Response.Failure.class, response).message().contains(callerConfig.toString()));
    }

    @Test
    void unrecognisedArgumentsAreReportedOnTheDiagnosticsOncePerSession() throws Exception {
        ServiceRouter router = relayed(home, null);
        String get = "{\"v\":1,\"registry\":{\"index-url\":\"" + URL + "\"},\"kind\":\"get\",\"args\":[\"--frobnicate\"]}";
        router.handle(line(get));
        router.handle(line(get));
        assertEquals("latchkey: ignoring unrecognised arguments --frobnicate (recognised: --store NAME, --config PATH, --no-daemon)\n",
                printed.toString(StandardCharsets.UTF_8));
    }

    @Test
    void afterALostDaemonAnEraseIsNotRepeatedAndAnythingElseIsServedHere() throws Exception {
        Services services = services();
        try (ServiceRouter router = new ServiceRouter(services, Dialect.CARGO, new PrintStream(printed, true, StandardCharsets.UTF_8),
                (Path) null)) {
            String registry = "\"registry\":{\"index-url\":\"" + URL + "\",\"name\":\"company\"}";
            RequestHandler erasing = router.afterLostDaemon("the daemon went away");
            Response first = erasing.handle(line("{\"v\":1," + registry + ",\"kind\":\"logout\"}"));
            Response.Failure unknown = assertInstanceOf(Response.Failure.class, first);
            assertEquals(ErrorKind.UNAVAILABLE, unknown.kind());
            assertTrue(unknown.message().contains("whether the token was erased is unknown"), unknown.message());
            Response second = erasing.handle(line("{\"v\":1," + registry + ",\"kind\":\"logout\"}"));
            assertEquals(ErrorKind.NOT_FOUND, assertInstanceOf(Response.Failure.class, second).kind(), "only the first line was the daemon's");

            RequestHandler getting = router.afterLostDaemon("the daemon went away");
            Response got = getting.handle(line("{\"v\":1," + registry + ",\"kind\":\"get\",\"operation\":\"read\"}"));
            assertEquals(ErrorKind.NOT_FOUND, assertInstanceOf(Response.Failure.class, got).kind());
            assertTrue(printed.toString(StandardCharsets.UTF_8)
                    .contains("latchkey: serving in this process instead of the daemon: the daemon went away"));
        }
    }
}
