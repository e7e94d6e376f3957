package lnm.net;

import java.io.IOException;
import java.nio.ByteBuffer;

import lnm.floor.BufferPool;

/**
 * One direction of a relay, the byte pump: bytes read from {@code src} are written to {@code dst}.
 *
 * <p>Reads go first into the loop's shared scratch buffer and straight on to {@code dst}; only
 * what {@code dst} does not take at once is copied into a pooled buffer, which is returned as
 * soon as it drains. So a quiet direction holds no buffer, and a busy one holds at most one.
 * A full pending buffer stops reading from {@code src} (backpressure, via the interest ops the
 * connection derives from {@link #wantsRead()} and {@link #wantsWrite()}). An end of stream from
 * {@code src} becomes {@code shutdownOutput()} on {@code dst} once every pending byte is out,
 * unless the other direction has already ended: then the connection's close sends that FIN.
 */
final class Pipe {
    private final Peer src;
    private final Peer dst;
    private ByteBuffer pending; // read mode: [position, limit) still to write; null when empty
    private boolean srcEof;
    private boolean dstShut;
    private boolean writeFailed;
    /** The destination takes no more: what the source sends is read and dropped. */
    private boolean discard;
    private long bytes;
    /** An optional limit on what may go on (see {@link Gate}), and bytes to send before the shutdown. */
    private Gate gate;
    private int writable;
    private ByteBuffer epilogue;
    /** The other direction of the same relay: once it has ended, this one's end is the close. */
    private Pipe reverse;

    /**
     * Decides how much of what was read may go on. The pump itself knows only bytes: a gate
     * set by the layer above (an http listener's keep-alive re-check) looks at them. Bytes not
     * yet admitted wait in the pending buffer; the gate must never hold back more than half of
     * a pool buffer, so reading can always go on.
     */
    interface Gate {
        /**
         * @param unsent read-only view of the bytes read and not yet written, in stream order
         * @param offset the stream offset of {@code unsent}'s first byte (bytes written so far)
         * @return how many bytes from the start of {@code unsent} may be written now
         */
        int admit(ByteBuffer unsent, long offset);

        /** Nothing at or after the refused point goes on; the pipe then ends as at end of stream. */
        boolean stopped();
    }

    Pipe(Peer src, Peer dst) {
        this.src = src;
        this.dst = dst;
    }

    void gate(Gate g) {
        this.gate = g;
    }

    /** Pairs the two directions of one relay (see {@link #flush}). */
    static void pair(Pipe a, Pipe b) {
        a.reverse = b;
        b.reverse = a;
    }

    /** Bytes to write after everything from the source, just before the shutdown; ignored once shut. */
    void finishWith(ByteBuffer last) {
        if (!dstShut) {
            epilogue = last;
        }
    }

    private int write(ByteBuffer b) throws Peer.PeerException {
        try {
            return dst.write(b);
        } catch (Peer.PeerException e) {
            writeFailed = true;
            throw e;
        }
    }

    /**
     * Queues bytes to be written before anything read from {@code src} (the replayed hello).
     * They do not count as relayed until written.
     */
    void preload(ByteBuffer data, BufferPool pool) {
        ByteBuffer b = data.remaining() <= pool.bufferSize() ? pool.borrow() : ByteBuffer.allocate(data.remaining());
        b.put(data).flip();
        pending = b;
    }

    boolean wantsRead() {
        return !srcEof && (discard || pending == null || pending.limit() < pending.capacity() || pending.position() > 0);
    }

    boolean wantsWrite() {
        return !discard && pending != null && (gate == null ? pending.hasRemaining() : writable > 0);
    }

    /**
     * The destination closed after its own end of stream and takes no more bytes: drop what is
     * pending for it and, from now on, read and drop what the source sends, until the source's
     * end of stream. Reading on (rather than leaving input unread) keeps the final close a
     * clean one: closing a socket with unread input resets it, and a reset throws away what
     * the other direction still has in flight to that same source.
     */
    void abandon(BufferPool pool) {
        discard = true;
        pool.release(pending);
        pending = null;
        if (srcEof) {
            dstShut = true;
        }
    }

    boolean srcEof() {
        return srcEof;
    }

    /** Both the source's end of stream has been seen and passed on. */
    boolean done() {
        return dstShut;
    }

    long bytes() {
        return bytes;
    }

    /**
     * True once writing to {@code dst} failed. A read event on one socket can fail on the other
     * (the bytes read are written on at once), so this is how the connection tells which peer
     * the fault belongs to.
     */
    boolean writeFailed() {
        return writeFailed;
    }

    /**
     * Reads once from {@code src} and forwards what it can.
     *
     * @param scratch the loop's shared read buffer: a read lands there and goes straight on
     *
     * @return bytes read, or -1 at end of stream
     */
    int readAndForward(ByteBuffer scratch, BufferPool pool) throws IOException {
        int n;
        if (discard) {
            n = src.read(scratch);
            if (n < 0) {
                srcEof = true;
                dstShut = true;
            }
            return n;
        }
        if (gate != null && pending == null) {
            pending = pool.borrow().flip(); // gated: every byte goes through pending
        }
        if (pending == null) {
            ByteBuffer s = scratch;
            n = src.read(s);
            if (n > 0) {
                s.flip();
                bytes += write(s);
                if (s.hasRemaining()) {
                    ByteBuffer b = pool.borrow();
                    b.put(s).flip();
                    pending = b;
                }
            }
        } else {
            pending.compact();
            n = src.read(pending);
            pending.flip();
            if (n > 0) {
                flush(pool);
            }
        }
        if (n < 0) {
            srcEof = true;
            flush(pool);
        }
        return n;
    }

    /** Writes pending bytes; passes on the end of stream once they are all out. */
    void flush(BufferPool pool) throws IOException {
        if (discard) {
            return;
        }
        if (gate != null) {
            flushGated(pool);
        } else if (pending != null) {
            if (pending.hasRemaining()) {
                bytes += write(pending);
            }
            if (!pending.hasRemaining()) {
                pool.release(pending);
                pending = null;
            }
        }
        if (srcEof && pending == null && !dstShut && epilogue != null) {
            pending = epilogue;
            epilogue = null;
            bytes += write(pending);
            if (pending.hasRemaining()) {
                return;
            }
            pending = null;
        }
        if (srcEof && pending == null && !dstShut) {
            dstShut = true;
            if (reverse != null && reverse.dstShut) {
                // Both directions are over and the connection closes next: close(2) sends this
                // FIN (nothing is left unread on either socket, so it is a FIN, not a reset),
                // one system call fewer than shutdown(2) followed by close(2).
                return;
            }
            try {
                dst.shutdownOutput();
            } catch (Peer.PeerException e) {
                writeFailed = true;
                throw e;
            }
        }
    }

    /** Writes what the gate admits; a stop or end of stream drops what it never will. */
    private void flushGated(BufferPool pool) throws IOException {
        if (pending != null) {
            int ok = gate.admit(pending.asReadOnlyBuffer(), bytes);
            int written = 0;
            if (ok > 0) {
                int lim = pending.limit();
                pending.limit(pending.position() + ok);
                written = write(pending);
                pending.limit(lim);
                bytes += written;
            }
            writable = ok - written;
            if (gate.stopped()) {
                srcEof = true;
            }
            if (!pending.hasRemaining() || (writable == 0 && srcEof)) {
                pool.release(pending);
                pending = null;
            }
        } else if (gate.stopped()) {
            srcEof = true;
        }
    }

    /** Gives the buffer back; called once when the connection closes. */
    void release(BufferPool pool) {
        pool.release(pending);
        pending = null;
        epilogue = null;
    }
}
