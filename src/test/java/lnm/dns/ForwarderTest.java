package lnm.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which upstream answers the forwarder takes, on loopback sockets, driven by hand (no thread of its own). */
class ForwarderTest {
    static final InetAddress LO = InetAddress.getLoopbackAddress();
    static final long S = 1_000_000_000L;

    FakeUpstream up;
    Forwarder f;
    final ByteBuffer scratch = ByteBuffer.allocate(65535);
    final List<byte[]> answered = new ArrayList<>();
    final List<String> failed = new ArrayList<>();
    final Forwarder.Done done = new Forwarder.Done() {
        @Override
        public void answered(byte[] response, DnsMessage parsed, InetSocketAddress upstream) {
            answered.add(response);
        }

        @Override
        public void failed(String why) {
            failed.add(why);
        }
    };

    @BeforeEach
    void open() throws Exception {
        up = new FakeUpstream();
        up.silent = true;
        DatagramChannel ch = DatagramChannel.open();
        ch.bind(new InetSocketAddress(LO, 0));
        ch.configureBlocking(false);
        f = new Forwarder(ch);
    }

    @AfterEach
    void close() throws Exception {
        f.close();
        up.close();
    }

    InetSocketAddress upstream() {
        return new InetSocketAddress(LO, up.port());
    }

    /**
     * Reads as the selector would, until an answer is taken (the event to wait for), within a
     * bound generous for a busy machine. Datagrams sent before the one awaited are read first.
     */
    void pumpUntilAnswered() throws Exception {
        long end = System.nanoTime() + 20 * S;
        while (System.nanoTime() < end && answered.isEmpty()) {
            f.receive(scratch);
            Thread.sleep(5);
        }
    }

    /** Waits for {@code up} to have received {@code n} datagrams, within a generous bound. */
    static void awaitReceived(FakeUpstream up, int n) throws Exception {
        long end = System.nanoTime() + 20 * S;
        while (up.received.size() < n && System.nanoTime() < end) {
            Thread.sleep(5);
        }
    }

    byte[] sentUpstream() throws Exception {
        awaitReceived(up, 1);
        assertFalse(up.received.isEmpty(), "nothing reached the upstream");
        return up.received.get(up.received.size() - 1);
    }

    void replyFrom(DatagramSocket from, byte[] response) throws Exception {
        InetSocketAddress to = (InetSocketAddress) f.channel().getLocalAddress();
        from.send(new DatagramPacket(response, response.length, to));
    }

    @Test
    void takesOnlyTheRightAnswerFromTheRightServer() throws Exception {
        byte[] q = DnsClient.query(0x0101, "historian.plant.local", DnsCodes.TYPE_A, 0);
        assertTrue(f.forward(q, DnsClient.parse(q), List.of(upstream()), 2 * S, System.nanoTime(), done));
        byte[] sent = sentUpstream();
        DnsMessage sentParsed = DnsClient.parse(sent);

        // Wrong answers first, each with one thing wrong; the right one last. The socket hands
        // them over in that order, so a wrong one taken would be the first answer, and would
        // leave the right one nothing to answer.
        // Right ID and question, wrong sender (a forger).
        try (DatagramSocket forger = new DatagramSocket(0, LO)) {
            replyFrom(forger, DnsWriter.answer(sentParsed, 0, false, List.of(Literals.parse("6.6.6.6")), 1, 512));
        }
        // Right sender and ID, another question.
        byte[] other = DnsClient.query(DnsWriter.id(sent), "evil.example", DnsCodes.TYPE_A, 0);
        replyFrom(up.socket, DnsWriter.answer(DnsClient.parse(other), 0, false, List.of(Literals.parse("6.6.6.6")), 1, 512));
        // Right sender and question, another ID.
        replyFrom(up.socket, DnsWriter.withId(DnsWriter.answer(sentParsed, 0, false, List.of(Literals.parse("6.6.6.6")), 1, 512),
                (DnsWriter.id(sent) + 1) & 0xffff));
        // The query itself echoed back (not a response).
        replyFrom(up.socket, sent);

        byte[] good = DnsWriter.answer(sentParsed, 0, false, List.of(Literals.parse("10.3.0.20")), 30, 512);
        replyFrom(up.socket, good);
        pumpUntilAnswered();
        assertEquals(1, answered.size());
        assertArrayEquals(DnsWriter.withId(good, 0x0101), answered.get(0), "only the right answer, relayed unchanged, with the client's ID");
        assertEquals(0, f.pending());
        assertTrue(failed.isEmpty());
    }

    @Test
    void retriesRoundTheUpstreamsThenFails() throws Exception {
        try (FakeUpstream second = new FakeUpstream()) {
            second.silent = true;
            byte[] q = DnsClient.query(7, "mes.plant.local", DnsCodes.TYPE_A, 0);
            long t = System.nanoTime();
            f.forward(q, DnsClient.parse(q), List.of(upstream(), new InetSocketAddress(LO, second.port())), 2 * S, t, done);
            sentUpstream();
            assertEquals(t + S, f.tick(t + S / 2), "next: the second attempt, half way through the timeout");
            f.tick(t + S);
            awaitReceived(second, 1);
            assertEquals(1, second.received.size(), "the second upstream is asked at half time");
            assertEquals(t + 2 * S, f.tick(t + S + 1));
            assertTrue(failed.isEmpty());
            assertEquals(Long.MAX_VALUE, f.tick(t + 2 * S));
            assertEquals(1, failed.size());
            assertEquals(0, f.pending());
        }
    }

    @Test
    void boundedNumberOfPendingQueries() throws Exception {
        byte[] q = DnsClient.query(7, "mes.plant.local", DnsCodes.TYPE_A, 0);
        DnsMessage m = DnsClient.parse(q);
        long t = System.nanoTime();
        for (int i = 0; i < Forwarder.MAX_PENDING; i++) {
            assertTrue(f.forward(q, m, List.of(upstream()), 2 * S, t, done));
        }
        assertFalse(f.forward(q, m, List.of(upstream()), 2 * S, t, done));
        assertFalse(f.forward(q, m, List.of(), 2 * S, t, done), "no upstream, nothing to do");
        f.failAll("test");
        assertEquals(Forwarder.MAX_PENDING, failed.size());
    }
}
