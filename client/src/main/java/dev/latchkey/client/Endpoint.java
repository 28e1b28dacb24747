package dev.latchkey.client;

import java.io.IOException;
import java.time.Duration;

/** Where a client's connections go: the daemon's socket, or a spawned {@code latchkey stdio}. */
interface Endpoint {

    /** A new connection whose server has said hello, within {@code timeout}. */
    Connection open(Duration timeout) throws IOException;

    /** The endpoint, for messages. */
    String describe();
}
