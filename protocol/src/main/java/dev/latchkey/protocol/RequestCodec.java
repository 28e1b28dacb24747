package dev.latchkey.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.latchkey.protocol.JsonFields.expectObject;
import static dev.latchkey.protocol.JsonFields.integer;
import static dev.latchkey.protocol.JsonFields.once;
import static dev.latchkey.protocol.JsonFields.string;
import static dev.latchkey.protocol.JsonFields.strings;

/**
 * Reads request lines (server side) and writes them (client side). Field names and order follow
 * cargo: {@code v}, {@code registry}, {@code kind}, the kind's fields, then {@code args}.
 * Unknown fields are ignored; an unknown kind or operation parses into an explicit value.
 */
public final class RequestCodec {
    /** The one protocol version this code speaks, in cargo's protocol and in latchkey's. */
    public static final int VERSION = 1;

    private RequestCodec() {
    }

    /** Parses one line (without its terminator). Never throws: a bad line becomes {@link Incoming.Rejected}. */
    public static Incoming parse(byte[] bytes, int length) {
        RawRequest raw = new RawRequest();
        try (JsonParser p = Json.parser(bytes, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedMessageException("a request is one JSON object on one line");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                raw.read(field, p);
            }
            if (p.nextToken() != null) {
                throw new MalformedMessageException("unexpected data after the request object");
            }
            return new RequestLine(raw.id, raw.args, raw.toRequest());
        } catch (MalformedMessageException e) {
            raw.discard();
            return reject(raw.id, e.getMessage());
        } catch (StreamConstraintsException e) {
            raw.discard();
            return reject(raw.id, "the request is nested too deeply or holds an oversized value; requests are flat JSON objects");
        } catch (JsonProcessingException e) {
            raw.discard();
            // The parser's own message can quote the input, and the input can hold a token.
            return reject(raw.id, "the line is not valid JSON in UTF-8" + Json.where(e));
        } catch (IOException e) {
            raw.discard();
            return reject(raw.id, "the line could not be read as JSON");
        }
    }

    private static Incoming reject(RequestId id, String message) {
        return new Incoming.Rejected(id, Response.Failure.badRequest(message));
    }

    /** The fields of one request as they arrive, in any order; checked once all are in. */
    private static final class RawRequest {
        RequestId id;
        Long version;
        String kind;
        RegistryFields registry;
        String operation;
        String crateName;
        String crateVersion;
        String checksum;
        Secret token;
        String loginUrl;
        Long expiration;
        List<String> operations;
        String store;
        boolean allStores;
        List<String> args;

        /** The fields this version reads; the others are skipped, even when sent twice. */
        private static final Set<String> FIELDS = Set.of("v", "id", "kind", "registry", "operation", "name", "vers",
                "cksum", "token", "login-url", "expiration", "operations", "store", "all-stores", "args");

        private final Set<String> seen = new HashSet<>();

        void read(String field, JsonParser p) throws IOException, MalformedMessageException {
            if (FIELDS.contains(field)) {
                once(seen, field);
            }
            switch (field) {
                case "v" -> version = integer(p, "v");
                case "id" -> id = JsonFields.id(p);
                case "kind" -> kind = string(p, "kind");
                case "registry" -> registry = RegistryFields.read(p);
                case "operation" -> operation = string(p, "operation");
                case "name" -> crateName = string(p, "name");
                case "vers" -> crateVersion = string(p, "vers");
                case "cksum" -> checksum = string(p, "cksum");
                case "token" -> {
                    discard();
                    token = JsonFields.secret(p, "token");
                }
                case "login-url" -> loginUrl = string(p, "login-url");
                case "expiration" -> expiration = integer(p, "expiration");
                case "operations" -> operations = strings(p, "operations");
                case "store" -> store = string(p, "store");
                case "all-stores" -> allStores = JsonFields.bool(p, "all-stores");
                case "args" -> args = strings(p, "args");
                default -> p.skipChildren();
            }
        }

        Request toRequest() throws MalformedMessageException {
            if (version == null) {
                throw new MalformedMessageException("missing field `v`: every request carries \"v\":1");
            }
            if (version != VERSION) {
                throw new MalformedMessageException("unsupported protocol version " + version + "; latchkey speaks version 1");
            }
            if (kind == null) {
                throw new MalformedMessageException("missing field `kind`");
            }
            return switch (kind) {
                case "get" -> withoutToken(new Request.Get(need(registry),
                        operation == null ? Operation.READ : Operation.fromWire(operation), crateName, crateVersion, checksum));
                case "store", "login", "rotate" -> {
                    Registry target = need(registry);
                    if (token == null && !kind.equals("login")) {
                        throw new MalformedMessageException("missing field `token`");
                    }
                    if (token != null && token.problem() != null) {
                        throw new MalformedMessageException("field `token`: " + token.problem());
                    }
                    if (store != null && store.isEmpty()) {
                        throw new MalformedMessageException("field `store` is empty");
                    }
                    yield kind.equals("rotate") ? new Request.Rotate(target, token, expiration, operationSet(), store)
                            : new Request.Store(kind, target, token, expiration, operationSet(), store, loginUrl);
                }
                case "erase", "logout" -> {
                    if (allStores && store != null) {
                        throw new MalformedMessageException("`all-stores` and `store` do not go together: name one store, or ask for all");
                    }
                    yield withoutToken(new Request.Erase(kind, need(registry), store, allStores));
                }
                case "list" -> withoutToken(new Request.ListTokens(registry == null ? null : registry.toRegistry()));
                case "status" -> withoutToken(new Request.Status());
                default -> withoutToken(new Request.Unsupported(kind));
            };
        }

        /** A kind that takes no token: one sent anyway is wiped, not carried along. */
        private Request withoutToken(Request request) {
            discard();
            return request;
        }

        private Set<Operation> operationSet() throws MalformedMessageException {
            if (operations == null) {
                return Set.of();
            }
            Set<Operation> set = EnumSet.noneOf(Operation.class);
            for (String name : operations) {
                Operation op = Operation.fromWire(name);
                if (op == Operation.UNKNOWN) {
                    throw new MalformedMessageException("field `operations`: unknown operation `" + name
                            + "` (use read, publish, yank, unyank, owners)");
                }
                set.add(op);
            }
            return set;
        }

        private static Registry need(RegistryFields registry) throws MalformedMessageException {
            if (registry == null) {
                throw new MalformedMessageException("missing field `registry`");
            }
            return registry.toRegistry();
        }

        void discard() {
            if (token != null) {
                token.wipe();
                token = null;
            }
        }
    }

    /**
     * The {@code registry} object as it arrived. It is checked only for a kind that uses it: cargo
     * sends an unknown kind with {@code "index-url":""}, and that must still parse as unsupported.
     */
    private record RegistryFields(String indexUrl, String name, List<String> headers) {

        static RegistryFields read(JsonParser p) throws IOException, MalformedMessageException {
            expectObject(p, "registry");
            String indexUrl = null;
            String name = null;
            List<String> headers = List.of();
            Set<String> seen = new HashSet<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("index-url") || field.equals("name") || field.equals("headers")) {
                    once(seen, "registry." + field);
                }
                switch (field) {
                    case "index-url" -> indexUrl = string(p, "registry.index-url");
                    case "name" -> name = string(p, "registry.name");
                    case "headers" -> headers = strings(p, "registry.headers");
                    default -> p.skipChildren();
                }
            }
            return new RegistryFields(emptyToNull(indexUrl), emptyToNull(name), headers);
        }

        Registry toRegistry() throws MalformedMessageException {
            if (indexUrl == null && name == null) {
                throw new MalformedMessageException("field `registry` needs an `index-url` or a `name`");
            }
            return new Registry(indexUrl, name, headers);
        }

        private static String emptyToNull(String s) {
            return s == null || s.isEmpty() ? null : s;
        }
    }

    /** Writes one request line, {@code \n} included, in cargo's field order. */
    public static byte[] write(RequestLine line) {
        Json.LineBuffer out = new Json.LineBuffer();
        try (JsonGenerator g = out.generator()) {
            g.writeStartObject();
            g.writeNumberField("v", VERSION);
            if (line.id() != null) {
                writeId(g, line.id());
            }
            Request request = line.request();
            Registry registry = request.registry();
            if (registry != null) {
                writeRegistry(g, registry);
            }
            g.writeStringField("kind", request.kind());
            writeFields(g, request);
            if (!line.args().isEmpty()) {
                g.writeArrayFieldStart("args");
                for (String arg : line.args()) {
                    g.writeString(arg);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return out.finishLine();
    }

    private static void writeFields(JsonGenerator g, Request request) throws IOException {
        if (request instanceof Request.Get get) {
            g.writeStringField("operation", get.operation().wire());
            optional(g, "name", get.crateName());
            optional(g, "vers", get.crateVersion());
            optional(g, "cksum", get.checksum());
        } else if (request instanceof Request.Store store) {
            writeToken(g, store.token());
            optional(g, "login-url", store.loginUrl());
            writeLimits(g, store.expiration(), store.operations());
            optional(g, "store", store.store());
        } else if (request instanceof Request.Rotate rotate) {
            writeToken(g, rotate.token());
            writeLimits(g, rotate.expiration(), rotate.operations());
            optional(g, "store", rotate.store());
        } else if (request instanceof Request.Erase erase) {
            optional(g, "store", erase.store());
            if (erase.allStores()) {
                g.writeBooleanField("all-stores", true);
            }
        }
    }

    private static void writeToken(JsonGenerator g, Secret token) throws IOException {
        if (token != null) {
            g.writeFieldName("token");
            char[] chars = token.exposeChars();
            g.writeString(chars, 0, chars.length);
        }
    }

    /** What a token handed over is limited to: its expiration and its operations. */
    private static void writeLimits(JsonGenerator g, Long expiration, Set<Operation> operations) throws IOException {
        if (expiration != null) {
            g.writeNumberField("expiration", expiration);
        }
        if (!operations.isEmpty()) {
            g.writeArrayFieldStart("operations");
            for (Operation op : EnumSet.copyOf(operations)) {
                g.writeString(op.wire());
            }
            g.writeEndArray();
        }
    }

    static void writeRegistry(JsonGenerator g, Registry registry) throws IOException {
        g.writeObjectFieldStart("registry");
        optional(g, "index-url", registry.indexUrl());
        optional(g, "name", registry.name());
        if (!registry.headers().isEmpty()) {
            g.writeArrayFieldStart("headers");
            for (String header : registry.headers()) {
                g.writeString(header);
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    static void writeId(JsonGenerator g, RequestId id) throws IOException {
        if (id.text() != null) {
            g.writeStringField("id", id.text());
        } else {
            g.writeNumberField("id", id.number());
        }
    }

    static void optional(JsonGenerator g, String field, String value) throws IOException {
        if (value != null) {
            g.writeStringField(field, value);
        }
    }
}
