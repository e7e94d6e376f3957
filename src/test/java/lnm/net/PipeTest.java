package lnm.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import lnm.audit.Side;
import lnm.floor.BufferPool;

/** The byte pump on real loopback sockets: client (test) -> src -> Pipe -> dst -> upstream (test). */
class PipeTest {
    private static final int BUF = 1024;
    private final BufferPool pool = new BufferPool(BUF, 4);
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(BUF);
    private SocketChannel client;
    private SocketChannel src;
    private SocketChannel dst;
    private SocketChannel upstream;
    private Pipe pipe;

    private void open(boolean smallBuffers) throws IOException {
        SocketChannel[] c = SocketPairs.pair(smallBuffers);
        SocketChannel[] u = SocketPairs.pair(smallBuffers);
        client = c[0];
        src = c[1];
        upstream = u[0];
        dst = u[1];
        pipe = new Pipe(new Peer(Side.CLIENT, src), new Peer(Side.UPSTREAM, dst));
    }

    @BeforeEach
    void setUp() throws IOException {
        open(false);
    }

    @AfterEach
    void tearDown() throws IOException {
        for (SocketChannel ch : new SocketChannel[] {client, src, dst, upstream}) {
            ch.close();
        }
    }

    private int pump() throws IOException {
        SocketPairs.awaitReadable(src);
        return pipe.readAndForward(scratch.clear(), pool);
    }

    @Test
    void forwardsWhatItReadsAndCountsIt() throws IOException {
        client.write(ByteBuffer.wrap(SocketPairs.pattern(0, 700)));
        int got = 0;
        for (int i = 0; i < 700 && got < 700; i++) {
            got += pump();
        }
        assertEquals(700, got);
        assertArrayEquals(SocketPairs.pattern(0, 700), SocketPairs.readFully(upstream, 700).array());
        assertEquals(700, pipe.bytes());
        assertEquals(0, pool.inUse(), "what the destination took at once needs no pooled buffer");
        assertTrue(pipe.wantsRead());
        assertFalse(pipe.wantsWrite());
    }

    @Test
    void anEndOfStreamBecomesAShutdownOnceEverythingIsOut() throws IOException {
        client.write(ByteBuffer.wrap(SocketPairs.pattern(0, 10)));
        client.shutdownOutput();
        int n = 0;
        for (int i = 0; i < 20 && n >= 0; i++) {
            n = pump();
        }
        assertEquals(-1, n);
        assertTrue(pipe.srcEof());
        assertTrue(pipe.done());
        assertFalse(pipe.wantsRead());
        ByteBuffer all = ByteBuffer.allocate(64);
        while (upstream.read(all) >= 0) {
            // until the FIN the pipe passed on
        }
        assertEquals(10, all.position());
    }

    @Test
    void theDirectionThatEndsLastLeavesItsFinToTheClose() throws IOException {
        Pipe back = new Pipe(new Peer(Side.UPSTREAM, dst), new Peer(Side.CLIENT, src));
        Pipe.pair(pipe, back);
        upstream.shutdownOutput(); // the upstream ended first: passed on to the client as a shutdown
        SocketPairs.awaitReadable(dst);
        assertEquals(-1, back.readAndForward(scratch.clear(), pool));
        assertTrue(back.done());
        assertEquals(-1, client.read(ByteBuffer.allocate(8)), "the first end of stream is a FIN at once");
        client.shutdownOutput(); // then the client: both directions are over
        assertEquals(-1, pump());
        assertTrue(pipe.done(), "the relay is done and closes next");
        upstream.configureBlocking(false);
        assertEquals(0, upstream.read(ByteBuffer.allocate(8)), "no shutdown(2): the FIN waits for the close");
        upstream.configureBlocking(true);
        dst.close();
        assertEquals(-1, upstream.read(ByteBuffer.allocate(8)), "the close sent it");
    }

    @Test
    void preloadedBytesGoFirst() throws IOException {
        pipe.preload(ByteBuffer.wrap("HEAD".getBytes()), pool);
        assertTrue(pipe.wantsWrite());
        pipe.flush(pool);
        client.write(ByteBuffer.wrap("body".getBytes()));
        pump();
        assertEquals("HEADbody", new String(SocketPairs.readFully(upstream, 8).array()));
        assertEquals(8, pipe.bytes());
    }

    @Test
    void aFullDestinationStopsReadingUntilItDrains() throws IOException {
        tearDown();
        open(true);
        int sent = 0;
        int read = 0;
        // Bounded: the small kernel buffers fill long before 64 MiB.
        while (pipe.wantsRead() && sent < (64 << 20)) {
            client.write(ByteBuffer.wrap(SocketPairs.pattern(sent, BUF)));
            sent += BUF;
            while (read < sent && pipe.wantsRead()) {
                read += pump();
            }
        }
        assertFalse(pipe.wantsRead(), "a full pending buffer stops reads: backpressure");
        assertTrue(pipe.wantsWrite());
        assertEquals(1, pool.inUse(), "one pooled buffer holds what the destination did not take");
        // The upstream drains; each flush moves what it takes; every byte arrives once, in order.
        int received = 0;
        ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        for (int round = 0; round < 1_000_000 && received < sent; round++) {
            pipe.flush(pool);
            while (read < sent && pipe.wantsRead()) {
                read += pump();
            }
            if (pipe.bytes() > received) { // written to the socket, so a blocking read returns
                in.clear();
                int n = upstream.read(in);
                assertArrayEquals(SocketPairs.pattern(received, n), Arrays.copyOf(in.array(), n), "bytes at " + received);
                received += n;
            }
        }
        assertEquals(sent, received);
        assertEquals(sent, pipe.bytes());
        assertEquals(0, pool.inUse(), "the buffer goes back once drained");
    }

    @Test
    void aGateHoldsBackWhatItDoesNotAdmitAndEndsWithTheEpilogue() throws IOException {
        pipe.gate(new Pipe.Gate() {
            private boolean stop;

            @Override
            public int admit(ByteBuffer unsent, long offset) {
                // admit up to the first '!', then stop the stream there
                for (int i = 0; i < unsent.remaining(); i++) {
                    if (unsent.get(unsent.position() + i) == '!') {
                        stop = true;
                        return i;
                    }
                }
                return unsent.remaining();
            }

            @Override
            public boolean stopped() {
                return stop;
            }
        });
        pipe.finishWith(ByteBuffer.wrap("<bye>".getBytes()));
        client.write(ByteBuffer.wrap("okay!never".getBytes()));
        for (int i = 0; i < 20 && !pipe.done(); i++) {
            pump();
            pipe.flush(pool);
        }
        assertTrue(pipe.done(), "a stop ends the direction as an end of stream would");
        ByteBuffer all = ByteBuffer.allocate(64);
        while (upstream.read(all) >= 0) {
            // up to the FIN
        }
        assertEquals("okay<bye>", new String(all.array(), 0, all.position()));
        assertEquals(0, pool.inUse());
    }

    @Test
    void aFailedWriteNamesTheDestinationEvenForTheEpilogue() throws IOException {
        client.shutdownOutput();
        pipe.finishWith(ByteBuffer.wrap("last words".getBytes()));
        dst.close(); // the destination is gone: the next write to it fails
        Peer.PeerException e = assertThrows(Peer.PeerException.class, this::pump);
        assertEquals(Side.UPSTREAM, e.side);
        assertTrue(e.onWrite);
        assertTrue(pipe.writeFailed());
    }

    @Test
    void aFailedReadNamesTheSource() throws IOException {
        src.close();
        Peer.PeerException e = assertThrows(Peer.PeerException.class, () -> pipe.readAndForward(scratch.clear(), pool));
        assertEquals(Side.CLIENT, e.side);
        assertFalse(e.onWrite);
        assertFalse(pipe.writeFailed());
    }

    @Test
    void anAbandonedDestinationGetsNothingMoreWhileTheSourceIsReadToItsEnd() throws IOException {
        pipe.preload(ByteBuffer.wrap("pending".getBytes()), pool);
        pipe.abandon(pool);
        assertEquals(0, pool.inUse(), "what was pending is dropped");
        assertFalse(pipe.wantsWrite());
        assertTrue(pipe.wantsRead(), "the source is still read, so the final close is not a reset");
        client.write(ByteBuffer.wrap("dropped".getBytes()));
        client.shutdownOutput();
        int n = 0;
        for (int i = 0; i < 20 && n >= 0; i++) {
            n = pump();
        }
        assertTrue(pipe.done());
        assertEquals(0, pipe.bytes());
    }
}
