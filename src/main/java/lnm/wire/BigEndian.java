package lnm.wire;

import java.nio.ByteBuffer;

/**
 * Absolute big-endian (network order) reads at a known offset, for the places that peek at a
 * length or an ID before a {@link Cursor} walks the structure. The caller has checked that the
 * bytes are there; these read whatever the buffer's own byte order is set to.
 */
public final class BigEndian {
    private BigEndian() {}

    /** The unsigned 16-bit value at {@code at}. */
    public static int u16(ByteBuffer b, int at) {
        return ((b.get(at) & 0xff) << 8) | (b.get(at + 1) & 0xff);
    }

    /** The unsigned 16-bit value at {@code at}. */
    public static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    /** The unsigned 32-bit value at {@code at}. */
    public static long u32(byte[] b, int at) {
        return ((long) u16(b, at) << 16) | u16(b, at + 2);
    }
}
