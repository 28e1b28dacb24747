package dev.latchkey.protocol;

import java.util.List;

/** A parsed request line: the request, the {@code id} to echo (may be null) and cargo's {@code args}. */
public record RequestLine(RequestId id, List<String> args, Request request) implements Incoming {
    public RequestLine {
        args = args == null ? List.of() : List.copyOf(args);
    }

    public RequestLine(Request request) {
        this(null, List.of(), request);
    }
}
