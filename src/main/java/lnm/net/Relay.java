package lnm.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;

import lnm.audit.Side;
import lnm.floor.BufferPool;

/**
 * The relay step: a {@link Pipe} each way between the client and the upstream, the head
 * replayed upstream first. The connection core hands it ready keys and asks it for interest
 * ops and for whether a direction has ended; it knows nothing of states or the audit.
 */
final class Relay {
    private final Pipe up;
    private final Pipe down;
    /** Bytes of PROXY header queued ahead of the client's: sent, but not the client's bytes. */
    private final int headerLen;

    /**
     * @param replay the PROXY header for the upstream (if any) and the client's head, sent first
     * @param toClient bytes lnm still owes the client (a CONNECT's 200), sent ahead of the upstream's
     */
    Relay(Peer client, Peer upstream, ByteBuffer replay, int headerLen, ByteBuffer toClient, BufferPool pool) {
        this.up = new Pipe(client, upstream);
        this.down = new Pipe(upstream, client);
        Pipe.pair(up, down);
        this.headerLen = headerLen;
        up.preload(replay, pool);
        if (toClient.hasRemaining()) {
            down.preload(toClient, pool);
        }
    }

    /** The client-to-upstream pump, for a front's gate. */
    Pipe up() {
        return up;
    }

    Pipe down() {
        return down;
    }

    /** Sends what was preloaded. */
    void start(BufferPool pool) throws IOException {
        up.flush(pool);
    }

    /**
     * A ready client key: write what waits for it, read what it sent.
     *
     * @return {@link Side#CLIENT} when the client's end of stream was read, else null
     */
    Side clientReady(SelectionKey key, ByteBuffer scratch, BufferPool pool) throws IOException {
        if (key.isWritable()) {
            down.flush(pool);
        }
        return key.isReadable() && up.readAndForward(scratch, pool) < 0 ? Side.CLIENT : null;
    }

    /** A ready upstream key; {@link Side#UPSTREAM} when its end of stream was read. */
    Side upstreamReady(SelectionKey key, ByteBuffer scratch, BufferPool pool) throws IOException {
        if (key.isWritable()) {
            up.flush(pool);
        }
        return key.isReadable() && down.readAndForward(scratch, pool) < 0 ? Side.UPSTREAM : null;
    }

    /** Both directions ended (each end of stream passed on). */
    boolean done() {
        return up.done() && down.done();
    }

    /** At least one direction ended. */
    boolean halfDone() {
        return up.done() || down.done();
    }

    /**
     * After a write failed without a reset (the peer finished its own stream, then stopped
     * taking ours): stop sending to it and let the other direction finish.
     *
     * @return false when no write had failed (the failure was something else)
     */
    boolean abandonFailedWrite(BufferPool pool) {
        Pipe failed = up.writeFailed() ? up : down.writeFailed() ? down : null;
        if (failed == null) {
            return false;
        }
        failed.abandon(pool);
        return true;
    }

    int clientInterest() {
        return (up.wantsRead() ? SelectionKey.OP_READ : 0) | (down.wantsWrite() ? SelectionKey.OP_WRITE : 0);
    }

    int upstreamInterest() {
        return (down.wantsRead() ? SelectionKey.OP_READ : 0) | (up.wantsWrite() ? SelectionKey.OP_WRITE : 0);
    }

    /** The client's bytes relayed so far (the PROXY header not counted). */
    long bytesUp() {
        return Math.max(0, up.bytes() - headerLen);
    }

    long bytesDown() {
        return down.bytes();
    }

    /** Gives the buffers back; once, at close. */
    void release(BufferPool pool) {
        up.release(pool);
        down.release(pool);
    }
}
