package dev.latchkey.daemon.transport;

import dev.latchkey.protocol.RequestLine;
import dev.latchkey.protocol.Response;

/** What a transport hands each parsed request to. Never throws: failures are responses. */
@FunctionalInterface
public interface RequestHandler {
    Response handle(RequestLine line);
}
