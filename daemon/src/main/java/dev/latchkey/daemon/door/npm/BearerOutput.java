package dev.latchkey.daemon.door.npm;

import dev.latchkey.daemon.door.WipeableBuffer;
import dev.latchkey.protocol.Secret;

import java.nio.charset.StandardCharsets;

/**
 * What {@code latchkey npm-token URL} prints: pnpm sends a tokenHelper's output, its newline
 * trimmed, as the whole {@code Authorization} header, so it is {@code Bearer TOKEN} and a newline
 * (printing the bare token sends {@code Authorization: TOKEN}, which registries refuse). A token
 * that cannot stand in a header (empty, or holding whitespace, a control or non-ASCII character) is
 * refused, not printed: a line break in it would add a header of its own.
 */
final class BearerOutput {
    private BearerOutput() {
    }

    /** {@code Bearer TOKEN\n} as a fresh array the caller owns and should wipe. */
    static byte[] of(Secret token) throws NpmProtocolException {
        char[] chars = token.exposeChars();
        String problem = problem(chars);
        if (problem != null) {
            throw new NpmProtocolException(problem);
        }
        WipeableBuffer out = new WipeableBuffer();
        out.writeBytes("Bearer ".getBytes(StandardCharsets.US_ASCII));
        out.writeUtf8(chars);
        out.write('\n');
        return out.takeBytes();
    }

    /** Why {@code token} cannot stand in an {@code Authorization} header, or null when it can; never quotes it. */
    static String problem(char[] token) {
        if (token.length == 0) {
            return "the token is empty";
        }
        for (char c : token) {
            if (c <= ' ' || c >= 0x7f) {
                return "the token holds whitespace, a control character or a non-ASCII character,"
                        + " which an Authorization header cannot carry";
            }
        }
        return null;
    }
}
