package lnm.net;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import lnm.audit.Side;

/**
 * One end of a connection (the client or the upstream) and the one path every read and write
 * to it takes: a failure comes out as a {@link PeerException} naming this side, so the audit's
 * {@code closedBy} and reset handling always know whose socket failed.
 */
final class Peer {
    /** An I/O failure on one side's socket. */
    static final class PeerException extends IOException {
        final Side side;
        /** True when the failure was a write (the side stopped taking bytes), false for a read. */
        final boolean onWrite;

        PeerException(Side side, boolean onWrite, IOException cause) {
            super(cause.getMessage(), cause);
            this.side = side;
            this.onWrite = onWrite;
        }
    }

    final Side side;
    final SocketChannel channel;
    /** Whether a write has put bytes on this socket, so that Nagle could hold the next one back. */
    private boolean wrote;
    /** Whether {@code TCP_NODELAY} is set on this socket. */
    private boolean noDelay;

    Peer(Side side, SocketChannel channel) {
        this.side = side;
        this.channel = channel;
    }

    int read(ByteBuffer b) throws PeerException {
        try {
            return channel.read(b);
        } catch (IOException e) {
            throw new PeerException(side, false, e);
        }
    }

    /**
     * Writes what the socket takes. {@code TCP_NODELAY} goes on just before the second write that
     * carries bytes, not at accept or connect: Nagle's algorithm (Linux's Minshall variant) holds
     * a short segment back only while an earlier short segment is unacknowledged, so the first
     * write is sent at once either way, and a connection that writes once each way (a refusal,
     * a one-shot exchange) saves the {@code setsockopt} call. Setting the option also pushes
     * anything Nagle is holding, so every write from the second on behaves as with the option
     * set from the start.
     */
    int write(ByteBuffer b) throws PeerException {
        try {
            if (wrote && !noDelay) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                noDelay = true;
            }
            int n = channel.write(b);
            if (n > 0) {
                wrote = true;
            }
            return n;
        } catch (IOException e) {
            throw new PeerException(side, true, e);
        }
    }

    /** Sends our end of stream (FIN), if the socket is still open. */
    void shutdownOutput() throws PeerException {
        if (channel.isOpen()) {
            try {
                channel.shutdownOutput();
            } catch (IOException e) {
                throw new PeerException(side, true, e);
            }
        }
    }

    /**
     * True when {@code e} is ECONNRESET (the peer aborted and its stream was cut), false for
     * anything else, notably EPIPE (the peer had finished its own stream with a FIN before it
     * stopped taking ours, so what it sent is whole). The JDK reports errno only as message
     * text ("Connection reset", "Connection reset by peer"), so this is the one place that
     * reads it.
     */
    static boolean isReset(IOException e) {
        String m = e.getMessage();
        return m != null && m.toLowerCase(java.util.Locale.ROOT).contains("reset");
    }
}
