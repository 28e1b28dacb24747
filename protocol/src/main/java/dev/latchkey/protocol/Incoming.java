package dev.latchkey.protocol;

/** What a server got from one line: a request it can serve, or a line it must reject. */
public sealed interface Incoming permits RequestLine, Incoming.Rejected {

    /** A line that is not a valid request; {@code id} is echoed when the line got far enough to show one. */
    record Rejected(RequestId id, Response.Failure failure) implements Incoming {
    }
}
