package dev.latchkey.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Typed reads of the current JSON value, each failing with a message that names the field. */
final class JsonFields {
    private JsonFields() {
    }

    static String string(JsonParser p, String field) throws IOException, MalformedMessageException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw wrongType(p, field, "a string");
        }
        return wellFormed(p.getText(), field);
    }

    /**
     * A surrogate escape without its pair (a lone {@code \\ud800}) parses, but is no Unicode text: written to a file
     * it would become {@code ?}, and a registry stored under one name would be found under another.
     * cargo's parser refuses it too.
     */
    private static String wellFormed(String text, String field) throws MalformedMessageException {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new MalformedMessageException("field `" + field + "` holds a lone UTF-16 surrogate escape "
                        + "(\\ud800 to \\udfff without its pair); send valid Unicode");
            }
        }
        return text;
    }

    static Secret secret(JsonParser p, String field) throws IOException, MalformedMessageException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw wrongType(p, field, "a string");
        }
        // The parser's own character buffer, copied straight into the secret: no String is made.
        return Secret.copyOf(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
    }

    static long integer(JsonParser p, String field) throws IOException, MalformedMessageException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw wrongType(p, field, "an integer");
        }
        // From the token's text: asking the parser for the number would load its number parsing,
        // whose set-up compiles a regular expression, milliseconds of every short-lived process.
        try {
            return Long.parseLong(p.getText());
        } catch (NumberFormatException e) {
            throw new MalformedMessageException("field `" + field + "` is out of range");
        }
    }

    static boolean bool(JsonParser p, String field) throws IOException, MalformedMessageException {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
            throw wrongType(p, field, "true or false");
        }
        return t == JsonToken.VALUE_TRUE;
    }

    static List<String> strings(JsonParser p, String field) throws IOException, MalformedMessageException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw wrongType(p, field, "an array of strings");
        }
        List<String> values = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw wrongType(p, field, "an array of strings");
            }
            values.add(wellFormed(p.getText(), field));
        }
        return values;
    }

    static RequestId id(JsonParser p) throws IOException, MalformedMessageException {
        return switch (p.currentToken()) {
            case VALUE_STRING -> RequestId.of(string(p, "id"));
            case VALUE_NUMBER_INT -> RequestId.of(integer(p, "id"));
            default -> throw wrongType(p, "id", "a string or an integer");
        };
    }

    /**
     * Fails on a field sent twice: JSON leaves the meaning open (this parser would keep the last,
     * another the first), and cargo's parser refuses it. {@code seen} collects the names so far.
     */
    static void once(Set<String> seen, String field) throws MalformedMessageException {
        if (!seen.add(field)) {
            throw new MalformedMessageException("field `" + field + "` appears twice; send each field once");
        }
    }

    static void expectObject(JsonParser p, String field) throws MalformedMessageException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw wrongType(p, field, "an object");
        }
    }

    static MalformedMessageException wrongType(JsonParser p, String field, String expected) {
        return new MalformedMessageException("field `" + field + "` must be " + expected + ", not "
                + describe(p.currentToken()));
    }

    private static String describe(JsonToken token) {
        if (token == null) {
            return "nothing";
        }
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a fraction";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> "something else";
        };
    }
}
