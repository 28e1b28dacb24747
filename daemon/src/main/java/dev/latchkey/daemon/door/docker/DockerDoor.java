package dev.latchkey.daemon.door.docker;

import dev.latchkey.daemon.config.ConfigException;
import dev.latchkey.daemon.door.Arguments;
import dev.latchkey.daemon.door.ClientLogins;
import dev.latchkey.daemon.door.Door;
import dev.latchkey.daemon.door.Doors;
import dev.latchkey.daemon.door.ExitCodes;
import dev.latchkey.daemon.door.HandBack;
import dev.latchkey.daemon.door.Invocation;
import dev.latchkey.daemon.door.UsageException;
import dev.latchkey.daemon.service.Logins;
import dev.latchkey.protocol.CredentialException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code latchkey docker-credential ACTION}, which the launcher runs as
 * {@code docker-credential-latchkey ACTION}: docker's credential-helper protocol for the docker CLI,
 * skopeo, podman and buildah ({@link DockerMessages}). A registry's login is kept under one key
 * whatever form docker names it by ({@link RegistryServer}); {@code store} replaces the registry's
 * login, as docker's own helpers keep one per registry.
 *
 * <p>As docker's own helpers do, a failure is told on stdout, which docker quotes in its error; a
 * server with nothing stored is answered with the exact sentence skopeo and docker look for, and
 * exit status 1. Other failures exit with latchkey's statuses (2 bad input, 3 a store locked or
 * unavailable, 4 anything else).
 */
public final class DockerDoor implements Door {
    private static final String CLIENT = "docker";

    @Override
    public int serve(Invocation invocation) throws HandBack, IOException {
        try {
            Arguments args = invocation.arguments();
            String action = args.optionalPositional().orElse(null);
            args.end();
            if (action == null) {
                throw new UsageException("docker-credential-latchkey takes one action: store, get, erase, list or version");
            }
            return switch (action) {
                case "get" -> get(invocation);
                case "store" -> store(invocation);
                case "erase" -> erase(invocation);
                case "list" -> list(invocation);
                case "version" -> answer(invocation, DockerMessages.version(invocation.version()));
                default -> throw new UsageException("docker-credential-latchkey knows no action `" + action
                        + "`: store, get, erase, list or version");
            };
        } catch (DockerProtocolException e) {
            return told(UsageException.badInput(e.getMessage()), invocation);
        } catch (UsageException | ConfigException | CredentialException e) {
            return told(e, invocation);
        } finally {
            invocation.out().flush();
        }
    }

    private static int get(Invocation invocation) throws HandBack, IOException, DockerProtocolException, ConfigException,
            CredentialException {
        RegistryServer server = DockerMessages.readServer(invocation.in());
        Optional<Logins.Found> found = ClientLogins.of(invocation, CLIENT).find("get " + server.key(), List.of(server.query()));
        if (found.isEmpty()) {
            return notFound(invocation);
        }
        Logins.Found login = found.get();
        try {
            return answer(invocation, DockerMessages.credentials(server.given(), login.login().username(), login.secret()));
        } finally {
            login.secret().wipe();
        }
    }

    private static int store(Invocation invocation) throws HandBack, IOException, DockerProtocolException, ConfigException,
            CredentialException {
        try (DockerMessages.Credentials credentials = DockerMessages.readStore(invocation.in())) {
            RegistryServer server = credentials.server();
            Logins.Login login = server.login(credentials.username());
            ClientLogins logins = ClientLogins.of(invocation, CLIENT);
            logins.store("store " + server.key(), login, credentials.secret(), null);
            // One login per registry, as docker keeps them: a login as another user replaces the first.
            for (Logins.Login other : logins.list()) {
                if (RegistryServer.isRegistryLogin(other) && other.host().equals(login.host())
                        && !Objects.equals(other.username(), login.username())) {
                    logins.erase("store " + server.key() + " (replacing another user's login)", Logins.Query.exactly(other));
                }
            }
        }
        return ExitCodes.OK;
    }

    private static int erase(Invocation invocation) throws HandBack, IOException, DockerProtocolException, ConfigException,
            CredentialException {
        RegistryServer server = DockerMessages.readServer(invocation.in());
        int erased = ClientLogins.of(invocation, CLIENT).erase("erase " + server.key(), server.query());
        return erased == 0 ? notFound(invocation) : ExitCodes.OK;
    }

    private static int list(Invocation invocation) throws IOException, ConfigException, CredentialException {
        Map<String, String> usernameByServer = new LinkedHashMap<>();
        for (Logins.Login login : ClientLogins.of(invocation, CLIENT).list()) {
            if (RegistryServer.isRegistryLogin(login)) {
                usernameByServer.putIfAbsent(RegistryServer.serverUrlOf(login), login.username());
            }
        }
        return answer(invocation, DockerMessages.list(usernameByServer));
    }

    private static int notFound(Invocation invocation) throws IOException {
        invocation.out().write(DockerMessages.notFound());
        return ExitCodes.NOT_FOUND;
    }

    /** Writes {@code bytes}, which may hold a secret, and wipes them. */
    private static int answer(Invocation invocation, byte[] bytes) throws IOException {
        try {
            invocation.out().write(bytes);
            return ExitCodes.OK;
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** A failure, told on stdout as docker's helpers tell theirs, with latchkey's exit status for it. */
    private static int told(Exception failure, Invocation invocation) {
        PrintStream out = new PrintStream(invocation.out(), false, StandardCharsets.UTF_8);
        int status = Doors.told(failure, invocation.command().word(), out, invocation.verbose().on());
        out.flush();
        return status;
    }
}
