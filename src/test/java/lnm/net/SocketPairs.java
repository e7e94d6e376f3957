package lnm.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** Connected loopback socket pairs for unit tests of the pump, and event-based waiting on them. */
final class SocketPairs {
    private SocketPairs() {}

    /**
     * A connected pair: [0] blocking (the test's end), [1] non-blocking (the code under test's
     * end). {@code smallBuffers} shrinks both sides' kernel buffers so backpressure comes soon.
     */
    static SocketChannel[] pair(boolean smallBuffers) throws IOException {
        try (ServerSocketChannel ss = ServerSocketChannel.open()) {
            if (smallBuffers) {
                ss.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            }
            ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel outer = SocketChannel.open();
            if (smallBuffers) {
                outer.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
                outer.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
            }
            outer.connect(ss.getLocalAddress());
            SocketChannel inner = ss.accept();
            if (smallBuffers) {
                inner.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
            }
            inner.configureBlocking(false);
            return new SocketChannel[] {outer, inner};
        }
    }

    /** Waits (at most 10 s) until {@code ch}, non-blocking, has something to read or an end of stream. */
    static void awaitReadable(SocketChannel ch) throws IOException {
        try (Selector s = Selector.open()) {
            ch.register(s, SelectionKey.OP_READ);
            if (s.select(10_000) == 0) {
                throw new IOException("nothing to read within 10 s");
            }
        }
    }

    /** Reads exactly {@code n} bytes from a blocking channel, or fewer if its stream ends. */
    static ByteBuffer readFully(SocketChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining() && ch.read(b) >= 0) {
            // a blocking read returns once some bytes are there
        }
        return b.flip();
    }

    /** {@code n} bytes of a pattern that shows reordering or loss. */
    static byte[] pattern(int from, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ((from + i) % 251);
        }
        return b;
    }
}
