package lnm.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import lnm.config.IpLiteral;
import lnm.floor.EventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which upstream answers the forwarder takes, on which socket, and that every query's socket
 * is its own and closed at its end: loopback sockets on a selector of the test's own, driven
 * by hand as the DNS loop would.
 */
class ForwarderTest {
    static final InetAddress LO = InetAddress.getLoopbackAddress();
    static final long S = 1_000_000_000L;

    FakeUpstream up;
    Selector selector;
    Forwarder f;
    SourcePorts ports;
    final LongAdder mismatches = new LongAdder();
    final List<SelectableChannel> closed = new ArrayList<>();
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
        selector = Selector.open();
        SecureRandom random = new SecureRandom();
        ports = SourcePorts.system(random);
        f = new Forwarder(selector, ch -> {
            closed.add(ch);
            EventLoop.closeQuietly(ch);
        }, ports, random, mismatches, scratch);
    }

    @AfterEach
    void close() throws Exception {
        f.failAll("test over");
        selector.close();
        up.close();
    }

    InetSocketAddress upstream() {
        return new InetSocketAddress(LO, up.port());
    }

    /** Handles what is ready, as the loop would. */
    void pump() throws Exception {
        selector.selectNow();
        for (SelectionKey k : selector.selectedKeys()) {
            if (k.isValid()) {
                ((EventLoop.Ready) k.attachment()).onReady(k);
            }
        }
        selector.selectedKeys().clear();
    }

    /** Pumps until {@code answered} has {@code n} answers or the forwarder has dropped {@code dropped} datagrams, within a bound generous for a busy machine. */
    void pumpUntil(int n, long dropped) throws Exception {
        long end = System.nanoTime() + 20 * S;
        while (System.nanoTime() < end && answered.size() < n && mismatches.sum() < dropped) {
            pump();
            Thread.sleep(5);
        }
    }

    /** Waits for {@code up} to have received {@code n} datagrams, within a generous bound. */
    static void awaitReceived(FakeUpstream up, int n) throws Exception {
        long end = System.nanoTime() + 20 * S;
        while (up.received.size() < n && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertTrue(up.received.size() >= n, "the upstream did not get " + n + " datagrams");
    }

    /** The query's socket, as the upstream saw it (a loopback address and the socket's port). */
    InetSocketAddress querySocket(int n) throws Exception {
        awaitReceived(up, n + 1);
        return new InetSocketAddress(LO, up.senders.get(n).getPort());
    }

    static void send(DatagramSocket from, byte[] datagram, InetSocketAddress to) throws Exception {
        from.send(new DatagramPacket(datagram, datagram.length, to));
    }

    static byte[] answer(DnsMessage q, String address) {
        return DnsWriter.answer(q, 0, false, List.of(IpLiteral.address(address)), 30, 512);
    }

    @Test
    void takesOnlyTheRightAnswerFromTheRightServerOnTheQuerysSocket() throws Exception {
        byte[] q = DnsClient.query(0x0101, "historian.plant.local", DnsCodes.TYPE_A, 0);
        assertNull(f.forward(q, DnsClient.parse(q), List.of(upstream()), 2 * S, System.nanoTime(), done));
        InetSocketAddress socket = querySocket(0);
        byte[] sent = up.received.get(0);
        DnsMessage sentParsed = DnsClient.parse(sent);

        // Wrong datagrams first, each with one thing wrong; the right one last. The socket hands
        // them over in that order, so a wrong one taken would be the first answer.
        try (DatagramSocket forger = new DatagramSocket(0, LO)) {
            send(forger, answer(sentParsed, "6.6.6.6"), socket); // right ID and question, another port
        }
        byte[] other = DnsClient.query(DnsWriter.id(sent), "evil.example", DnsCodes.TYPE_A, 0);
        send(up.socket, answer(DnsClient.parse(other), "6.6.6.6"), socket); // another question
        send(up.socket, DnsWriter.withId(answer(sentParsed, "6.6.6.6"), (DnsWriter.id(sent) + 1) & 0xffff), socket); // another ID
        send(up.socket, sent, socket); // the query itself echoed back: not a response
        pumpUntil(1, 4);
        assertEquals(4, mismatches.sum(), "every wrong datagram dropped and counted");
        assertTrue(answered.isEmpty());

        byte[] good = answer(sentParsed, "10.3.0.20");
        send(up.socket, good, socket);
        pumpUntil(1, Long.MAX_VALUE);
        assertEquals(1, answered.size());
        assertArrayEquals(DnsWriter.withId(good, 0x0101), answered.get(0), "the right answer, relayed unchanged, with the client's ID");
        assertEquals(0, f.inFlight());
        assertTrue(failed.isEmpty());
        assertEquals(1, closed.size(), "the query's socket is closed once answered");
        assertFalse(closed.get(0).isOpen());
    }

    @Test
    void anAnswerOnAnotherQuerysSocketIsNotTaken() throws Exception {
        byte[] qa = DnsClient.query(1, "a.plant.local", DnsCodes.TYPE_A, 0);
        byte[] qb = DnsClient.query(2, "b.plant.local", DnsCodes.TYPE_A, 0);
        long t = System.nanoTime();
        assertNull(f.forward(qa, DnsClient.parse(qa), List.of(upstream()), 2 * S, t, done));
        assertNull(f.forward(qb, DnsClient.parse(qb), List.of(upstream()), 2 * S, t, done));
        InetSocketAddress a = querySocket(0);
        InetSocketAddress b = querySocket(1);
        assertFalse(a.equals(b), "two queries, two sockets");
        byte[] sentA = up.received.get(0);
        // The perfect answer to A, from the upstream, but to B's port.
        send(up.socket, answer(DnsClient.parse(sentA), "10.3.0.20"), b);
        pumpUntil(1, 1);
        assertEquals(1, mismatches.sum());
        assertTrue(answered.isEmpty());
        assertEquals(2, f.inFlight(), "both still wait");
    }

    @Test
    void eachQueryGoesOutFromARandomPortOfTheRange() throws Exception {
        byte[] q = DnsClient.query(7, "mes.plant.local", DnsCodes.TYPE_A, 0);
        long t = System.nanoTime();
        int n = 20;
        for (int i = 0; i < n; i++) {
            assertNull(f.forward(q, DnsClient.parse(q), List.of(upstream()), 2 * S, t, done));
        }
        awaitReceived(up, n);
        Set<Integer> seen = new HashSet<>();
        for (InetSocketAddress s : up.senders) {
            seen.add(s.getPort());
            assertTrue(s.getPort() >= ports.low() && s.getPort() <= ports.high(), "port " + s.getPort() + " in the range");
        }
        assertEquals(n, seen.size(), "queries in flight at once never share a port");
    }

    @Test
    void retriesRoundTheUpstreamsThenFailsAndClosesTheSocket() throws Exception {
        try (FakeUpstream second = new FakeUpstream()) {
            second.silent = true;
            byte[] q = DnsClient.query(7, "mes.plant.local", DnsCodes.TYPE_A, 0);
            long t = System.nanoTime();
            assertNull(f.forward(q, DnsClient.parse(q), List.of(upstream(), new InetSocketAddress(LO, second.port())), 2 * S, t,
                    done));
            awaitReceived(up, 1);
            assertEquals(t + S, f.tick(t + S / 2), "next: the second attempt, half way through the timeout");
            f.tick(t + S);
            awaitReceived(second, 1);
            assertEquals(up.senders.get(0).getPort(), second.senders.get(0).getPort(), "the resend goes out on the same socket");
            assertEquals(t + 2 * S, f.tick(t + S + 1));
            assertTrue(failed.isEmpty());
            assertEquals(Long.MAX_VALUE, f.tick(t + 2 * S));
            assertEquals(1, failed.size());
            assertEquals(0, f.inFlight());
            assertEquals(1, closed.size());
            assertFalse(closed.get(0).isOpen(), "the socket is closed at the timeout");
        }
    }

    @Test
    void boundedNumberOfQueriesAndSockets() throws Exception {
        byte[] q = DnsClient.query(7, "mes.plant.local", DnsCodes.TYPE_A, 0);
        DnsMessage m = DnsClient.parse(q);
        long t = System.nanoTime();
        for (int i = 0; i < Forwarder.MAX_IN_FLIGHT; i++) {
            assertNull(f.forward(q, m, List.of(upstream()), 2 * S, t, done));
        }
        assertEquals(Forwarder.MAX_IN_FLIGHT, selector.keys().size(), "one socket per query");
        assertNotNull(f.forward(q, m, List.of(upstream()), 2 * S, t, done));
        assertEquals(Forwarder.MAX_IN_FLIGHT, selector.keys().size(), "no socket opened past the bound");
        assertNotNull(f.forward(q, m, List.of(), 2 * S, t, done), "no upstream, nothing to do");
        f.failAll("test");
        assertEquals(Forwarder.MAX_IN_FLIGHT, failed.size());
        assertEquals(Forwarder.MAX_IN_FLIGHT, closed.size());
        assertTrue(closed.stream().noneMatch(SelectableChannel::isOpen), "every socket closed");
    }
}
