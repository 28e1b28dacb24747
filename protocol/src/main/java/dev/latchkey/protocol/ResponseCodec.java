package dev.latchkey.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import static dev.latchkey.protocol.JsonFields.bool;
import static dev.latchkey.protocol.JsonFields.expectObject;
import static dev.latchkey.protocol.JsonFields.integer;
import static dev.latchkey.protocol.JsonFields.string;
import static dev.latchkey.protocol.JsonFields.strings;
import static dev.latchkey.protocol.RequestCodec.optional;

/**
 * Writes response lines (server side) and reads them (client side).
 *
 * <p>A response is {@code {"Ok":{...}}} or {@code {"Err":{...}}}, plus a top-level {@code id} when
 * the request had one. In the {@link Dialect#CARGO} dialect only what cargo 1.95 accepts is
 * written: its four error kinds (the others travel as {@code other} with their message) and no
 * fields beyond cargo's.
 */
public final class ResponseCodec {
    private ResponseCodec() {
    }

    /** A parsed response line: the echoed id (may be null) and the response. */
    public record ResponseLine(RequestId id, Response response) {
    }

    /** Writes one response line, {@code \n} included. */
    public static byte[] write(RequestId id, Response response, Dialect dialect) {
        Json.LineBuffer out = new Json.LineBuffer();
        try (JsonGenerator g = out.generator()) {
            g.writeStartObject();
            if (id != null && dialect == Dialect.LATCHKEY) {
                RequestCodec.writeId(g, id);
            }
            if (response instanceof Response.Failure failure) {
                g.writeObjectFieldStart("Err");
                writeFailure(g, failure, dialect);
            } else {
                g.writeObjectFieldStart("Ok");
                writeOk(g, response, dialect);
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return out.finishLine();
    }

    private static void writeFailure(JsonGenerator g, Response.Failure failure, Dialect dialect) throws IOException {
        ErrorKind kind = failure.kind();
        if (dialect == Dialect.CARGO && !kind.cargoKnowsIt()) {
            kind = ErrorKind.OTHER;
        }
        g.writeStringField("kind", kind.wire());
        boolean withMessage = kind.needsMessage() || dialect == Dialect.LATCHKEY;
        if (withMessage && failure.message() != null) {
            g.writeStringField("message", failure.message());
        }
        if (kind == ErrorKind.OTHER || (dialect == Dialect.LATCHKEY && !failure.causedBy().isEmpty())) {
            g.writeArrayFieldStart("caused-by");
            for (String cause : failure.causedBy()) {
                g.writeString(cause);
            }
            g.writeEndArray();
        }
    }

    private static void writeOk(JsonGenerator g, Response response, Dialect dialect) throws IOException {
        boolean extras = dialect == Dialect.LATCHKEY;
        if (response instanceof Response.Got got) {
            g.writeStringField("kind", "get");
            g.writeFieldName("token");
            char[] chars = got.token().exposeChars();
            g.writeString(chars, 0, chars.length);
            g.writeStringField("cache", got.cache().wire());
            if (got.expiration() != null) {
                g.writeNumberField("expiration", got.expiration());
            }
            g.writeBooleanField("operation_independent", got.operationIndependent());
            if (extras) {
                optional(g, "store", got.store());
                if (!got.warnings().isEmpty()) {
                    writeStrings(g, "warnings", got.warnings());
                }
            }
        } else if (response instanceof Response.Stored stored) {
            g.writeStringField("kind", stored.kind());
            if (extras) {
                optional(g, "store", stored.store());
            }
        } else if (response instanceof Response.Erased erased) {
            g.writeStringField("kind", erased.kind());
            if (extras) {
                writeStrings(g, "erased", erased.stores());
            }
        } else if (response instanceof Response.Rotated rotated) {
            g.writeStringField("kind", "rotate");
            writeStrings(g, "rotated", rotated.stores());
        } else if (response instanceof Response.Listed listed) {
            g.writeStringField("kind", "list");
            g.writeArrayFieldStart("entries");
            for (Response.TokenInfo entry : listed.entries()) {
                writeTokenInfo(g, entry);
            }
            g.writeEndArray();
            if (!listed.unreadable().isEmpty()) {
                g.writeArrayFieldStart("unreadable");
                for (Response.Unreadable store : listed.unreadable()) {
                    g.writeStartObject();
                    g.writeStringField("store", store.store());
                    g.writeStringField("kind", store.kind().wire());
                    optional(g, "message", store.message());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
        } else if (response instanceof Response.StatusReport status) {
            g.writeStringField("kind", "status");
            g.writeStringField("version", status.version());
            g.writeNumberField("pid", status.pid());
            g.writeNumberField("uptime", status.uptimeSeconds());
            g.writeArrayFieldStart("stores");
            for (Response.StoreStatus store : status.stores()) {
                g.writeStartObject();
                g.writeStringField("name", store.name());
                g.writeBooleanField("usable", store.usable());
                g.writeBooleanField("writable", store.writable());
                optional(g, "detail", store.detail());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
    }

    private static void writeStrings(JsonGenerator g, String field, List<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String value : values) {
            g.writeString(value);
        }
        g.writeEndArray();
    }

    private static void writeTokenInfo(JsonGenerator g, Response.TokenInfo entry) throws IOException {
        g.writeStartObject();
        optional(g, "index-url", entry.indexUrl());
        optional(g, "name", entry.name());
        optional(g, "login", entry.login());
        g.writeStringField("store", entry.store());
        g.writeArrayFieldStart("operations");
        for (Operation op : entry.operations()) {
            g.writeString(op.wire());
        }
        g.writeEndArray();
        optionalNumber(g, "expiration", entry.expiration());
        optionalNumber(g, "created", entry.created());
        optionalNumber(g, "updated", entry.updated());
        optionalNumber(g, "last-used", entry.lastUsed());
        optionalNumber(g, "rotated", entry.rotated());
        if (entry.rotateDue()) {
            g.writeBooleanField("rotate-due", true);
        }
        g.writeEndObject();
    }

    private static void optionalNumber(JsonGenerator g, String field, Long value) throws IOException {
        if (value != null) {
            g.writeNumberField(field, value);
        }
    }

    /** Parses one response line (without its terminator), as a client does. */
    public static ResponseLine parse(byte[] bytes, int length) throws MalformedMessageException {
        try (JsonParser p = Json.parser(bytes, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedMessageException("a response is one JSON object on one line");
            }
            RequestId id = null;
            Response response = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("id")) {
                    id = JsonFields.id(p);
                    continue;
                }
                if (!field.equals("Ok") && !field.equals("Err")) {
                    throw new MalformedMessageException("unexpected field `" + field
                            + "` in a response; expected `Ok` or `Err`");
                }
                if (response != null) {
                    // cargo reads the line as a Rust Result: one of the two keys, never both
                    throw new MalformedMessageException("a response holds exactly one `Ok` or `Err`");
                }
                response = field.equals("Ok") ? parseOk(p) : parseErr(p);
            }
            if (response == null) {
                throw new MalformedMessageException("a response needs `Ok` or `Err`");
            }
            if (p.nextToken() != null) {
                throw new MalformedMessageException("unexpected data after the response object");
            }
            return new ResponseLine(id, response);
        } catch (StreamConstraintsException e) {
            throw new MalformedMessageException("the response is nested too deeply or holds an oversized value");
        } catch (JsonProcessingException e) {
            throw new MalformedMessageException("the response is not valid JSON" + Json.where(e));
        } catch (IOException e) {
            throw new MalformedMessageException("the response could not be read as JSON");
        }
    }

    private static Response parseOk(JsonParser p) throws IOException, MalformedMessageException {
        expectObject(p, "Ok");
        String kind = null;
        Secret token = null;
        String cache = null;
        Long expiration = null;
        Boolean independent = null;
        String store = null;
        List<String> erased = List.of();
        List<String> rotated = List.of();
        List<String> warnings = List.of();
        List<Response.TokenInfo> entries = List.of();
        List<Response.Unreadable> unreadable = List.of();
        String version = null;
        long pid = 0;
        long uptime = 0;
        List<Response.StoreStatus> stores = List.of();
        try {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "kind" -> kind = string(p, "kind");
                    case "token" -> token = JsonFields.secret(p, "token");
                    case "cache" -> cache = string(p, "cache");
                    case "expiration" -> expiration = integer(p, "expiration");
                    case "operation_independent" -> independent = bool(p, "operation_independent");
                    case "store" -> store = string(p, "store");
                    case "erased" -> erased = strings(p, "erased");
                    case "rotated" -> rotated = strings(p, "rotated");
                    case "warnings" -> warnings = strings(p, "warnings");
                    case "entries" -> entries = parseEntries(p);
                    case "unreadable" -> unreadable = parseUnreadable(p);
                    case "version" -> version = string(p, "version");
                    case "pid" -> pid = integer(p, "pid");
                    case "uptime" -> uptime = integer(p, "uptime");
                    case "stores" -> stores = parseStores(p);
                    default -> p.skipChildren();
                }
            }
            if (kind == null) {
                throw new MalformedMessageException("missing field `kind` in `Ok`");
            }
            if (token != null && !kind.equals("get")) {
                token.wipe();
            }
            switch (kind) {
                case "get" -> {
                    if (token == null || cache == null || independent == null) {
                        throw new MalformedMessageException("a get answer needs `token`, `cache` and `operation_independent`");
                    }
                    CacheControl control = CacheControl.fromWire(cache);
                    if (control == CacheControl.EXPIRES && expiration == null) {
                        throw new MalformedMessageException("cache `expires` needs `expiration`");
                    }
                    return new Response.Got(token, control, control == CacheControl.EXPIRES ? expiration : null, independent, store,
                            warnings);
                }
                case "store", "login" -> {
                    return new Response.Stored(kind, store);
                }
                case "erase", "logout" -> {
                    return new Response.Erased(kind, erased);
                }
                case "rotate" -> {
                    return new Response.Rotated(rotated);
                }
                case "list" -> {
                    return new Response.Listed(entries, unreadable);
                }
                case "status" -> {
                    if (version == null) {
                        throw new MalformedMessageException("a status answer needs `version`");
                    }
                    return new Response.StatusReport(version, pid, uptime, stores);
                }
                default -> throw new MalformedMessageException("unknown answer kind `" + kind + "`");
            }
        } catch (IOException | MalformedMessageException | RuntimeException e) {
            if (token != null) {
                token.wipe(); // a token in a line that turned out bad is nobody's
            }
            throw e;
        }
    }

    private static List<Response.TokenInfo> parseEntries(JsonParser p) throws IOException, MalformedMessageException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw JsonFields.wrongType(p, "entries", "an array");
        }
        List<Response.TokenInfo> entries = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            expectObject(p, "entries[]");
            String indexUrl = null;
            String name = null;
            String login = null;
            String store = null;
            List<Operation> operations = new ArrayList<>();
            Long expiration = null;
            Long created = null;
            Long updated = null;
            Long lastUsed = null;
            Long rotatedAt = null;
            boolean rotateDue = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "index-url" -> indexUrl = string(p, "index-url");
                    case "name" -> name = string(p, "name");
                    case "login" -> login = string(p, "login");
                    case "store" -> store = string(p, "store");
                    case "operations" -> strings(p, "operations").forEach(op -> operations.add(Operation.fromWire(op)));
                    case "expiration" -> expiration = integer(p, "expiration");
                    case "created" -> created = integer(p, "created");
                    case "updated" -> updated = integer(p, "updated");
                    case "last-used" -> lastUsed = integer(p, "last-used");
                    case "rotated" -> rotatedAt = integer(p, "rotated");
                    case "rotate-due" -> rotateDue = bool(p, "rotate-due");
                    default -> p.skipChildren();
                }
            }
            if (store == null) {
                throw new MalformedMessageException("a list entry needs `store`");
            }
            entries.add(new Response.TokenInfo(indexUrl, name, login, store, operations, expiration, created, updated,
                    lastUsed, rotatedAt, rotateDue));
        }
        return entries;
    }

    private static List<Response.Unreadable> parseUnreadable(JsonParser p) throws IOException, MalformedMessageException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw JsonFields.wrongType(p, "unreadable", "an array");
        }
        List<Response.Unreadable> stores = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            expectObject(p, "unreadable[]");
            String store = null;
            String kind = null;
            String message = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "store" -> store = string(p, "store");
                    case "kind" -> kind = string(p, "kind");
                    case "message" -> message = string(p, "message");
                    default -> p.skipChildren();
                }
            }
            if (store == null || kind == null) {
                throw new MalformedMessageException("an unreadable store needs `store` and `kind`");
            }
            stores.add(new Response.Unreadable(store, ErrorKind.fromWire(kind), message));
        }
        return stores;
    }

    private static List<Response.StoreStatus> parseStores(JsonParser p) throws IOException, MalformedMessageException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw JsonFields.wrongType(p, "stores", "an array");
        }
        List<Response.StoreStatus> stores = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            expectObject(p, "stores[]");
            String name = null;
            boolean usable = false;
            boolean writable = false;
            String detail = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "name" -> name = string(p, "name");
                    case "usable" -> usable = bool(p, "usable");
                    case "writable" -> writable = bool(p, "writable");
                    case "detail" -> detail = string(p, "detail");
                    default -> p.skipChildren();
                }
            }
            if (name == null) {
                throw new MalformedMessageException("a store in a status answer needs `name`");
            }
            stores.add(new Response.StoreStatus(name, usable, writable, detail));
        }
        return stores;
    }

    private static Response parseErr(JsonParser p) throws IOException, MalformedMessageException {
        expectObject(p, "Err");
        String kind = null;
        String message = null;
        List<String> causedBy = List.of();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "kind" -> kind = string(p, "kind");
                case "message" -> message = string(p, "message");
                case "caused-by" -> causedBy = strings(p, "caused-by");
                default -> p.skipChildren();
            }
        }
        ErrorKind errorKind = kind == null ? null : ErrorKind.fromWire(kind);
        if (errorKind == null) {
            throw new MalformedMessageException("unknown error kind `" + kind + "`");
        }
        if (message == null && errorKind.needsMessage()) {
            throw new MalformedMessageException("missing field `message` for error kind `" + kind + "`");
        }
        return new Response.Failure(errorKind, message, causedBy);
    }
}
