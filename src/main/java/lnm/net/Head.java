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
    private static final byte[] EMPTY = new byte[0];

    private final HeadBudget budget;
    private byte[] bytes = EMPTY;
    private int length;
    private int skip;

    /** A head whose buffer is taken from {@code budget} as it grows. */
    Head(HeadBudget budget) {
        this.budget = budget;
    }

    int length() {
        return length;
    }

    /** Bytes of the budget this head holds: its buffer's size. */
    int held() {
        return bytes.length;
    }

    /**
     * Appends what {@code src} holds. The buffer starts empty and grows with what was received, to
     * the next power of two (at least 512 bytes, at most {@code cap} unless one read passes it),
     * each step taken from the budget first. At most one read past {@code cap}: the caller judges
     * the size after parsing, so a refusal names what is really wrong whatever the segmentation.
     *
     * @return false, appending nothing, when the budget cannot give the bytes to grow
     */
    boolean append(ByteBuffer src, int cap) {
        int n = src.remaining();
        int need = length + n;
        if (need > bytes.length) {
            int size = need > cap ? need : Math.min(cap, Math.max(512, Integer.highestOneBit(need - 1) << 1));
            if (!budget.take(size - bytes.length, size)) {
                return false;
            }
            bytes = Arrays.copyOf(bytes, size);
        }
        src.get(bytes, length, n);
        length += n;
        return true;
    }

    /**
     * Gives the buffer back to the budget; the head is empty afterwards (decided, refused or closed).
     *
     * @return null, for {@code head = head.release()}
     */
    Head release() {
        budget.give(bytes.length);
        bytes = EMPTY;
        length = 0;
        skip = 0;
        return null;
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

    /**
     * {@code header} (a PROXY v2 header for the parent, or nothing) then the unconsumed bytes.
     * Without a header this is a view of the head itself, not a copy: the relay copies it into
     * its own buffer at once and the head is dropped.
     */
    ByteBuffer replay(byte[] header) {
        if (header.length == 0) {
            return ByteBuffer.wrap(bytes, skip, length - skip);
        }
        ByteBuffer b = ByteBuffer.allocate(header.length + length - skip);
        b.put(header).put(bytes, skip, length - skip).flip();
        return b;
    }
}
