package dev.latchkey.daemon.door.latchkey;

import dev.latchkey.daemon.door.HandBack;
import dev.latchkey.daemon.service.Batch;
import dev.latchkey.protocol.RequestLine;
import dev.latchkey.protocol.Response;

/** What a protocol loop hands each parsed request to. Failures are responses; only a hand-back is thrown. */
@FunctionalInterface
public interface RequestHandler {
    /** {@code batch}: what the request carries down from the transport that read it. */
    Response handle(RequestLine line, Batch batch) throws HandBack;
}
