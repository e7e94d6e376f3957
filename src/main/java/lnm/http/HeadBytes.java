package lnm.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of one call of {@link HttpHeadParser}: offsets relative to the buffer's position at
 * the call, read with absolute gets (the buffer never moves), and every byte read counted, so
 * a test can check that a head fed in pieces is read a bounded number of times.
 */
final class HeadBytes {
    private final ByteBuffer in;
    private final int base;
    private final int length;
    private long reads;

    HeadBytes(ByteBuffer in) {
        this.in = in;
        this.base = in.position();
        this.length = in.remaining();
    }

    /** Bytes from the position to the limit. */
    int length() {
        return length;
    }

    /** The byte at {@code i} (relative), unsigned. */
    int at(int i) {
        reads++;
        return in.get(base + i) & 0xff;
    }

    /** {@code [from, to)} (relative) as ISO-8859-1: every byte one char. */
    String latin1(int from, int to) {
        byte[] b = new byte[to - from];
        for (int i = 0; i < b.length; i++) {
            b[i] = in.get(base + from + i);
        }
        reads += b.length;
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** Bytes read through this view so far. */
    long reads() {
        return reads;
    }
}
