package dev.latchkey.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The first line a server sends: the protocol versions it speaks and, from latchkey, who it is. */
public record Hello(List<Integer> versions, String server) {
    public Hello {
        versions = List.copyOf(versions);
    }

    /** The line for {@code dialect}: cargo's bare {@code {"v":[1]}}, or latchkey's with its server name. */
    public static byte[] line(Dialect dialect, String serverVersion) {
        String json = dialect == Dialect.CARGO
                ? "{\"v\":[1]}\n"
                : "{\"v\":[1],\"server\":\"latchkey/" + serverVersion + "\"}\n";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** Reads a server's hello, as a client does. */
    public static Hello parse(byte[] bytes, int length) throws MalformedMessageException {
        try (JsonParser p = Json.parser(bytes, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedMessageException("the hello is one JSON object");
            }
            List<Integer> versions = null;
            String server = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("v")) {
                    if (p.currentToken() != JsonToken.START_ARRAY) {
                        throw JsonFields.wrongType(p, "v", "an array of integers");
                    }
                    versions = new ArrayList<>();
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        versions.add((int) JsonFields.integer(p, "v[]"));
                    }
                } else if (field.equals("server")) {
                    server = JsonFields.string(p, "server");
                } else {
                    p.skipChildren();
                }
            }
            if (versions == null) {
                throw new MalformedMessageException("the hello has no `v`");
            }
            if (p.nextToken() != null) {
                throw new MalformedMessageException("unexpected data after the hello");
            }
            return new Hello(versions, server);
        } catch (JsonProcessingException e) {
            throw new MalformedMessageException("the hello is not valid JSON");
        } catch (IOException e) {
            throw new MalformedMessageException("the hello could not be read");
        }
    }

    public boolean speaks(int version) {
        return versions.contains(version);
    }
}
