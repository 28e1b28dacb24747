package dev.latchkey.caller.secrets;

/**
 * Where a secret was found in a text: bytes {@code [start, end)}, in which form. {@code name} is
 * the name the secret was given (a registry), exactly as given: print it through {@link TerminalText}.
 */
public record SecretMatch(String name, int start, int end, boolean base64, boolean percentEncoded) {

    /** The form in words, for a finding: "base64", "URL-encoded", or "" for the secret as it is. */
    public String form() {
        if (base64) {
            return percentEncoded ? "base64, URL-encoded" : "base64";
        }
        return percentEncoded ? "URL-encoded" : "";
    }
}
