package dev.latchkey.it;

import dev.latchkey.client.LatchkeyClient;
import dev.latchkey.protocol.CredentialException;

/**
 * A program that uses the client library as most will, {@code LatchkeyClient.overSocket()} with
 * the default socket, run by {@code ClientIT} in an environment of its choosing: prints the pid of
 * the daemon it reached, or why it reached none.
 */
public final class DefaultSocketPeer {
    private DefaultSocketPeer() {
    }

    public static void main(String[] args) {
        try (LatchkeyClient client = LatchkeyClient.overSocket().startDaemon(false).build()) {
            System.out.println(client.status().pid());
        } catch (CredentialException e) {
            System.out.println("no daemon: " + e.getMessage());
        }
    }
}
