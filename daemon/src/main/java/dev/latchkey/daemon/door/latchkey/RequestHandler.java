package dev.latchkey.daemon.door.latchkey;

import dev.latchkey.daemon.door.HandBack;
import dev.latchkey.protocol.RequestLine;
import dev.latchkey.protocol.Response;

/** What a protocol loop hands each parsed request to. Failures are responses; only a hand-back is thrown. */
@FunctionalInterface
public interface RequestHandler {
    Response handle(RequestLine line) throws HandBack;
}
