package dev.latchkey.protocol;

/** A request's {@code id}, echoed in its response exactly as sent: a JSON string or a JSON integer. */
public record RequestId(String text, Long number) {
    public RequestId {
        if ((text == null) == (number == null)) {
            throw new IllegalArgumentException("an id is either a string or an integer");
        }
    }

    public static RequestId of(String text) {
        return new RequestId(text, null);
    }

    public static RequestId of(long number) {
        return new RequestId(null, number);
    }

    @Override
    public String toString() {
        return text != null ? '"' + text + '"' : number.toString();
    }
}
