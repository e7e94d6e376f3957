package lnm.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;

/**
 * The {@link State#REFUSING} state's work: the last words to a refused client (a TLS alert or an HTTP error response): written, then the
 * client's output shut, while whatever the client still sends is read and dropped, until it
 * closes, the linger ends ({@link #LINGER_MILLIS}, enforced by the connection's tick) or it has
 * sent more than {@link #MAX_DISCARD} bytes. Lingering lets the client read the alert instead
 * of a reset that would come from closing with its bytes unread.
 */
final class Farewell {
    /** How long a refused client gets to read our alert before the socket is closed. */
    static final long LINGER_MILLIS = 2_000;
    /** Bytes a refused client may still send while we linger before we just close. */
    private static final int MAX_DISCARD = 16 * 1024;

    private final Peer client;
    private final ByteBuffer bytes;
    private int discarded;

    Farewell(Peer client, ByteBuffer bytes) {
        this.client = client;
        this.bytes = bytes;
    }

    /** Writes what the socket takes now; shuts the client's output once everything is out. */
    void write() throws IOException {
        if (bytes.hasRemaining()) {
            client.write(bytes);
            if (!bytes.hasRemaining()) {
                client.shutdownOutput();
            }
        }
    }

    /**
     * Handles a ready client key.
     *
     * @return true when the connection should close now
     */
    boolean onReady(SelectionKey key, ByteBuffer scratch) throws IOException {
        if (key.isWritable()) {
            write();
        }
        if (!key.isReadable()) {
            return false;
        }
        int n = client.read(scratch);
        // A client that keeps talking after the alert is not listening: stop paying a read per
        // segment for it once it has sent more than any honest hello's tail.
        discarded += Math.max(0, n);
        return n < 0 || !bytes.hasRemaining() && discarded > MAX_DISCARD;
    }

    /** The client key's interest while lingering. */
    int interest() {
        return SelectionKey.OP_READ | (bytes.hasRemaining() ? SelectionKey.OP_WRITE : 0);
    }
}
