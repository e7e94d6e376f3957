package lnm.floor;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Direct buffers of one size, recycled by one event loop.
 *
 * <p>A connection borrows a buffer only while bytes are in flight in one direction and gives it
 * back once they are written, so an idle connection holds none. The pool is confined to its
 * loop thread, hence no locking. It keeps at most {@code maxIdle} free buffers; the rest go to
 * the garbage collector so a burst does not pin memory forever.
 */
public final class BufferPool {
    private final int bufferSize;
    private final int maxIdle;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private long borrowed;

    public BufferPool(int bufferSize, int maxIdle) {
        this.bufferSize = bufferSize;
        this.maxIdle = maxIdle;
    }

    public int bufferSize() {
        return bufferSize;
    }

    /** An empty buffer in write mode (position 0, limit capacity). */
    public ByteBuffer borrow() {
        borrowed++;
        ByteBuffer b = free.pollFirst();
        return b != null ? b : ByteBuffer.allocateDirect(bufferSize);
    }

    /** Returns a buffer; {@code null} and buffers this pool did not lend are ignored. */
    public void release(ByteBuffer b) {
        if (b == null || !b.isDirect() || b.capacity() != bufferSize) {
            return; // a one-off heap buffer (an oversized hello): not ours
        }
        borrowed--;
        if (free.size() < maxIdle) {
            b.clear();
            free.addFirst(b);
        }
    }

    /** Buffers currently lent out (for metrics and leak tests). */
    public long inUse() {
        return borrowed;
    }

    public int idle() {
        return free.size();
    }
}
