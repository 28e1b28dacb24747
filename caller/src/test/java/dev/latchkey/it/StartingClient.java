package dev.latchkey.it;

import dev.latchkey.client.LatchkeyClient;

import java.nio.file.Path;
import java.util.List;

/**
 * A program that uses the client library, run by {@code SecretResidueIT} with a token in its
 * environment: asks the daemon on the socket given as its first argument for its status, starting
 * it with the launcher given second when none runs, and prints the daemon's pid.
 */
public final class StartingClient {
    private StartingClient() {
    }

    public static void main(String[] args) throws Exception {
        try (LatchkeyClient client = LatchkeyClient.overSocket(Path.of(args[0])).launcher(List.of(args[1])).build()) {
            System.out.println(client.status().pid());
        }
    }
}
