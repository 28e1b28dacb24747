package dev.latchkey.protocol;

/**
 * Checks bytes are UTF-8 as RFC 3629 defines it. Jackson decodes overlong forms ({@code C0 AF}
 * as {@code /}), encoded surrogates and code points past U+10FFFF without complaint, so a line
 * cargo's parser would refuse could otherwise become a different token here.
 */
final class StrictUtf8 {
    private StrictUtf8() {
    }

    /** The index of the first byte that starts an invalid sequence, or -1 when all {@code length} bytes are valid. */
    static int firstInvalid(byte[] bytes, int length) {
        int i = 0;
        while (i < length) {
            int lead = bytes[i] & 0xff;
            if (lead < 0x80) {
                i++;
                continue;
            }
            int continuations;
            int secondMin = 0x80;
            int secondMax = 0xbf;
            if (lead >= 0xc2 && lead <= 0xdf) {
                continuations = 1;
            } else if (lead >= 0xe0 && lead <= 0xef) {
                continuations = 2;
                secondMin = lead == 0xe0 ? 0xa0 : 0x80; // below: overlong
                secondMax = lead == 0xed ? 0x9f : 0xbf; // above: a surrogate
            } else if (lead >= 0xf0 && lead <= 0xf4) {
                continuations = 3;
                secondMin = lead == 0xf0 ? 0x90 : 0x80; // below: overlong
                secondMax = lead == 0xf4 ? 0x8f : 0xbf; // above: past U+10FFFF
            } else {
                return i; // a continuation byte without a lead, C0, C1 or F5..FF
            }
            if (i + continuations >= length) {
                return i;
            }
            for (int k = 1; k <= continuations; k++) {
                int b = bytes[i + k] & 0xff;
                int min = k == 1 ? secondMin : 0x80;
                int max = k == 1 ? secondMax : 0xbf;
                if (b < min || b > max) {
                    return i;
                }
            }
            i += continuations + 1;
        }
        return -1;
    }
}
