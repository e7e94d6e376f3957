package lnm.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import org.junit.jupiter.api.Test;

import lnm.audit.Side;

class PeerTest {
    @Test
    void noDelayGoesOnBeforeTheSecondWriteThatCarriesBytes() throws IOException {
        SocketChannel[] p = SocketPairs.pair(false);
        try (SocketChannel outer = p[0]; SocketChannel inner = p[1]) {
            Peer peer = new Peer(Side.CLIENT, inner);
            assertFalse(inner.getOption(StandardSocketOptions.TCP_NODELAY));
            assertEquals(0, peer.write(ByteBuffer.allocate(0)));
            assertFalse(inner.getOption(StandardSocketOptions.TCP_NODELAY), "a write of nothing sends nothing");
            assertEquals(3, peer.write(ByteBuffer.wrap(new byte[] {1, 2, 3})));
            assertFalse(inner.getOption(StandardSocketOptions.TCP_NODELAY), "the first write goes out at once anyway");
            assertEquals(2, peer.write(ByteBuffer.wrap(new byte[] {4, 5})));
            assertTrue(inner.getOption(StandardSocketOptions.TCP_NODELAY));
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, SocketPairs.readFully(outer, 5).array());
        }
    }

    @Test
    void aWriteOnAClosedSocketIsAPeerExceptionNamingTheSide() throws IOException {
        SocketChannel[] p = SocketPairs.pair(false);
        p[0].close();
        Peer peer = new Peer(Side.UPSTREAM, p[1]);
        p[1].close();
        Peer.PeerException e = assertThrows(Peer.PeerException.class, () -> peer.write(ByteBuffer.wrap(new byte[] {1})));
        assertEquals(Side.UPSTREAM, e.side);
        assertTrue(e.onWrite);
    }
}
