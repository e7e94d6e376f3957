package lnm.net;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What a connection reads from its client before it relays: a PROXY v2 header, an HTTP request
 * head and the TLS ClientHello, in that order as the listener has them. The bytes are kept
 * whole until the decision; what the parsers consumed is skipped ({@link #skip}), the rest is
 * replayed to the upstream ({@link #replay}). The parsers are fed {@link #view} again after each
 * read, so a hello split over reads or records is normal.
 */
final class Head {
    private byte[] bytes = new byte[0];
    private int length;
    private int skip;

    int length() {
        return length;
    }

    /**
     * Appends what {@code src} holds. The buffer grows by doubling up to {@code cap} and at most
     * one read past it: the caller judges the size after parsing, so a refusal names what is
     * really wrong whatever the TCP segmentation.
     */
    void append(ByteBuffer src, int cap) {
        int n = src.remaining();
        if (length + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(length + n, Math.min(cap, Math.max(512, bytes.length * 2))));
        }
        src.get(bytes, length, n);
        length += n;
    }

    /** Everything read so far, for the PROXY header parser. */
    ByteBuffer all() {
        return ByteBuffer.wrap(bytes, 0, length).asReadOnlyBuffer();
    }

    /** What follows the consumed part: the request head or the hello. */
    ByteBuffer view() {
        return ByteBuffer.wrap(bytes, skip, length - skip).slice().asReadOnlyBuffer();
    }

    /** Marks {@code n} more bytes as consumed (a PROXY header, a CONNECT head): not replayed. */
    void skip(int n) {
        skip += n;
    }

    boolean hasUnconsumed() {
        return length > skip;
    }

    /** {@code header} (a PROXY v2 header for the parent, or nothing) then the unconsumed bytes. */
    ByteBuffer replay(byte[] header) {
        ByteBuffer b = ByteBuffer.allocate(header.length + length - skip);
        b.put(header).put(bytes, skip, length - skip).flip();
        return b;
    }
}
