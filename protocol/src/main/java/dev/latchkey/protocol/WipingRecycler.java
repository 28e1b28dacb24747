package dev.latchkey.protocol;

import com.fasterxml.jackson.core.util.BufferRecycler;

import java.util.Arrays;

/**
 * Jackson's buffers of one parser or generator at a time; each is wiped as the parser or generator
 * gives it back, since the documents they held carry secrets: the latchkey protocol's, and those
 * of the other clients' helper protocols (docker's, python-keyring's).
 */
public final class WipingRecycler extends BufferRecycler {
    @Override
    public void releaseByteBuffer(int index, byte[] buffer) {
        if (buffer != null) {
            Arrays.fill(buffer, (byte) 0);
        }
        super.releaseByteBuffer(index, buffer);
    }

    @Override
    public void releaseCharBuffer(int index, char[] buffer) {
        if (buffer != null) {
            Arrays.fill(buffer, '\0');
        }
        super.releaseCharBuffer(index, buffer);
    }
}
