package dev.latchkey.daemon.door.docker;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.latchkey.daemon.door.BoundedInput;
import dev.latchkey.daemon.door.HelperJson;
import dev.latchkey.daemon.door.Utf8Input;
import dev.latchkey.protocol.Secret;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * docker's credential-helper protocol ({@code docker-credential-NAME store|get|erase|list|version}),
 * as the docker CLI, skopeo and podman speak it: {@code get} and {@code erase} read the bare server
 * string (no JSON; no newline, or one); {@code store} reads {@code {"ServerURL","Username","Secret"}}
 * and a newline; {@code get} answers the same object, {@code list} an object from server to user
 * name, each followed by a newline; a server with no credentials is answered {@link #NOT_FOUND}
 * (the exact sentence: skopeo takes any other text with exit status 1 as a failure).
 */
final class DockerMessages {
    /** What a helper prints, with exit status 1, for a server it has nothing for. */
    static final String NOT_FOUND = "credentials not found in native keychain";
    /** The Username that says the Secret is an identity (refresh) token, not a password. */
    static final String IDENTITY_TOKEN_USER = "<token>";
    private static final int MAX_SERVER_INPUT = 4096;

    private DockerMessages() {
    }

    /** What {@code store} was given. */
    record Credentials(RegistryServer server, String username, Secret secret) implements AutoCloseable {
        boolean isIdentityToken() {
            return IDENTITY_TOKEN_USER.equals(username);
        }

        @Override
        public void close() {
            if (!secret.isWiped()) {
                secret.wipe();
            }
        }
    }

    /** The server string of {@code get} or {@code erase}. */
    static RegistryServer readServer(InputStream in) throws DockerProtocolException, IOException {
        byte[] bytes = BoundedInput.read(in, MAX_SERVER_INPUT);
        if (bytes.length > MAX_SERVER_INPUT) {
            throw new DockerProtocolException("the server address is longer than " + MAX_SERVER_INPUT + " bytes");
        }
        int length = BoundedInput.withoutLineBreak(bytes);
        try {
            return RegistryServer.parse(Utf8Input.text(bytes, 0, length));
        } catch (CharacterCodingException e) {
            throw new DockerProtocolException("the server address is not valid UTF-8");
        }
    }

    /** The JSON object of {@code store}. */
    static Credentials readStore(InputStream in) throws DockerProtocolException, IOException {
        byte[] bytes = BoundedInput.read(in, HelperJson.MAX_DOCUMENT);
        char[] chars = null;
        try {
            if (bytes.length > HelperJson.MAX_DOCUMENT) {
                throw new DockerProtocolException("the credentials to store are longer than " + HelperJson.MAX_DOCUMENT + " bytes");
            }
            try {
                chars = Utf8Input.chars(bytes, 0, bytes.length);
            } catch (CharacterCodingException e) {
                throw new DockerProtocolException("the credentials to store are not valid UTF-8");
            }
            return parseStore(chars);
        } finally {
            Arrays.fill(bytes, (byte) 0);
            if (chars != null) {
                Arrays.fill(chars, '\0');
            }
        }
    }

    private static Credentials parseStore(char[] chars) throws DockerProtocolException, IOException {
        String serverUrl = null;
        String username = null;
        Secret secret = null;
        try (JsonParser parser = HelperJson.parser(chars, chars.length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new DockerProtocolException("the credentials to store are not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (!name.equals("ServerURL") && !name.equals("Username") && !name.equals("Secret")) {
                    parser.skipChildren(); // docker adds fields now and then; they are not ours
                    continue;
                }
                if (value != JsonToken.VALUE_STRING) {
                    throw new DockerProtocolException("the credentials' " + name + " is not a string");
                }
                switch (name) {
                    case "ServerURL" -> serverUrl = parser.getText();
                    case "Username" -> username = parser.getText();
                    default -> {
                        secret = Secret.copyOf(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
                        Arrays.fill(parser.getTextCharacters(), parser.getTextOffset(),
                                parser.getTextOffset() + parser.getTextLength(), '\0');
                    }
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw new DockerProtocolException("the credentials to store are not one JSON object");
            }
            if (serverUrl == null || username == null || secret == null) {
                throw new DockerProtocolException("the credentials to store need ServerURL, Username and Secret");
            }
            if (username.isEmpty() || Utf8Input.hasControlCharacter(username)) {
                throw new DockerProtocolException("the credentials' Username is empty or holds a control character");
            }
            if (secret.isEmpty()) {
                throw new DockerProtocolException("the credentials' Secret is empty");
            }
            Credentials credentials = new Credentials(RegistryServer.parse(serverUrl), username, secret);
            secret = null;
            return credentials;
        } catch (JsonProcessingException e) {
            // Jackson's own message may quote the input; only where it stopped is told.
            String where = e.getLocation() == null ? "" : " (at character " + e.getLocation().getCharOffset() + ")";
            throw new DockerProtocolException("the credentials to store are not valid JSON" + where);
        } finally {
            if (secret != null) {
                secret.wipe();
            }
        }
    }

    /** {@code get}'s answer: the object {@code store} takes. A fresh array the caller owns and should wipe. */
    static byte[] credentials(String serverUrl, String username, Secret secret) throws IOException {
        return HelperJson.line(null, new CredentialsDocument(serverUrl, username, secret));
    }

    /** {@code get}'s object; a class rather than a lambda, since a get is on the cold path (docs/architecture.md). */
    private static final class CredentialsDocument implements HelperJson.Document {
        private final String serverUrl;
        private final String username;
        private final Secret secret;

        CredentialsDocument(String serverUrl, String username, Secret secret) {
            this.serverUrl = serverUrl;
            this.username = username;
            this.secret = secret;
        }

        @Override
        public void write(JsonGenerator json) throws IOException {
            json.writeStartObject();
            json.writeStringField("ServerURL", serverUrl);
            json.writeStringField("Username", username);
            json.writeFieldName("Secret");
            char[] chars = secret.exposeChars();
            json.writeString(chars, 0, chars.length);
            json.writeEndObject();
        }
    }

    /** {@code list}'s answer: each server (as it was stored) and its user name. */
    static byte[] list(Map<String, String> usernameByServer) throws IOException {
        return HelperJson.line(null, json -> {
            json.writeStartObject();
            for (Map.Entry<String, String> entry : usernameByServer.entrySet()) {
                json.writeStringField(entry.getKey(), entry.getValue());
            }
            json.writeEndObject();
        });
    }

    /** What {@code version} prints: the helper's name, its package, its version, as docker's own helpers print them. */
    static byte[] version(String version) {
        return ("docker-credential-latchkey (latchkey) " + version + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** What {@code get} or {@code erase} prints, with exit status 1, for a server with no credentials. */
    static byte[] notFound() {
        return (NOT_FOUND + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
