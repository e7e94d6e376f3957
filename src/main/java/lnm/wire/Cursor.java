package lnm.wire;

import java.nio.ByteBuffer;

/**
 * A bounded read cursor over a region of a buffer, used by every wire parser.
 *
 * <p>Each read checks {@code position + n <= limit} first and reports a short read through
 * {@link #ok()} instead of throwing, so a parser can read a whole structure and ask once at the
 * end whether it ran past the bytes it has. Absolute reads leave the underlying buffer's
 * position and limit untouched.
 */
public final class Cursor {
    private final ByteBuffer buf;
    private int pos;
    private final int limit;
    private boolean overrun;

    /** Reads {@code buf[from, to)} with absolute gets. */
    public Cursor(ByteBuffer buf, int from, int to) {
        if (from < 0) {
            throw new IllegalArgumentException("from " + from);
        }
        this.buf = buf;
        this.pos = from;
        this.limit = Math.max(from, Math.min(to, buf.limit()));
    }

    /** Reads the buffer's remaining bytes, from position to limit. */
    public static Cursor of(ByteBuffer buf) {
        return new Cursor(buf, buf.position(), buf.limit());
    }

    public int position() {
        return pos;
    }

    public int remaining() {
        return overrun ? 0 : limit - pos;
    }

    /** False once any read asked for more bytes than the region holds. */
    public boolean ok() {
        return !overrun;
    }

    public boolean has(int n) {
        return !overrun && n >= 0 && limit - pos >= n;
    }

    public int u8() {
        if (!has(1)) {
            overrun = true;
            return -1;
        }
        return buf.get(pos++) & 0xff;
    }

    public int u16() {
        if (!has(2)) {
            overrun = true;
            return -1;
        }
        int v = ((buf.get(pos) & 0xff) << 8) | (buf.get(pos + 1) & 0xff);
        pos += 2;
        return v;
    }

    public int u24() {
        if (!has(3)) {
            overrun = true;
            return -1;
        }
        int v = ((buf.get(pos) & 0xff) << 16) | ((buf.get(pos + 1) & 0xff) << 8) | (buf.get(pos + 2) & 0xff);
        pos += 3;
        return v;
    }

    public long u32() {
        if (!has(4)) {
            overrun = true;
            return -1;
        }
        long v = ((long) u16() << 16) | u16();
        return v;
    }

    public boolean skip(int n) {
        if (!has(n)) {
            overrun = true;
            return false;
        }
        pos += n;
        return true;
    }

    public byte[] bytes(int n) {
        if (!has(n)) {
            overrun = true;
            return new byte[0];
        }
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = buf.get(pos + i);
        }
        pos += n;
        return out;
    }

    /**
     * Reads a vector whose length is given by a {@code lengthBytes}-byte (1, 2 or 3) big-endian
     * prefix, and returns a cursor over exactly its contents; this cursor moves past it.
     * On a short read the returned cursor is empty and {@link #ok()} turns false.
     */
    public Cursor vector(int lengthBytes) {
        int n = switch (lengthBytes) {
            case 1 -> u8();
            case 2 -> u16();
            case 3 -> u24();
            default -> throw new IllegalArgumentException("length prefix of " + lengthBytes + " bytes");
        };
        if (n < 0 || !has(n)) {
            overrun = true;
            return new Cursor(buf, limit, limit);
        }
        Cursor inner = new Cursor(buf, pos, pos + n);
        pos += n;
        return inner;
    }

    /** A cursor over the next {@code n} bytes; this cursor moves past them. */
    public Cursor slice(int n) {
        if (!has(n)) {
            overrun = true;
            return new Cursor(buf, limit, limit);
        }
        Cursor inner = new Cursor(buf, pos, pos + n);
        pos += n;
        return inner;
    }
}
