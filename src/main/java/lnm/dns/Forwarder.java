package lnm.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import lnm.floor.EventLoop;

/**
 * Forwards queries for names in {@code dns.forwardZones} to {@code dns.upstream} over UDP and
 * hands each answer back unchanged except for the ID, hardened against off-path spoofing.
 *
 * <p>Source ports: every forwarded query goes out on a UDP socket of its own, bound to a port
 * drawn with {@link SecureRandom} from the ephemeral range ({@link SourcePorts}), and that
 * socket is closed as soon as the query is answered, fails or times out. This is the scheme of
 * dnsmasq and Unbound: dnsmasq opens a socket on a random port of its {@code min-port} to
 * {@code max-port} range for each forwarded query (drawing again when the port is taken, and
 * closing it when the query ends), up to a fixed table of such sockets, past which queries
 * share ones already open; Unbound opens each query's socket on a random port of its permitted
 * ports, at most {@code outgoing-range} at once. lnm never shares a socket: past
 * {@value #MAX_IN_FLIGHT} queries in flight a new one is answered SERVFAIL, so every port
 * stays private to one query, and the guess a forger must make is about 15 bits of port
 * (Linux's 32768-60999) and the 16-bit ID, both from {@link SecureRandom}, valid only while
 * that one query waits. Binding to port 0 would leave the draw to the kernel, which Linux
 * randomises too, but not on every system and not from a generator lnm chooses; it is the
 * fallback when the draws find their ports taken. Case randomisation of the name (0x20) is
 * not done: upstreams that do not echo the case would fail.
 *
 * <p>Matching: an answer is taken only from the socket its query went out on, from an upstream
 * address and port the query was sent to, with the ID sent, QR set and the question asked
 * ({@link AnswerMatch}). Anything else is dropped and counted ({@link DnsCounters#forwardMismatches}).
 *
 * <p>Limits: at most {@value #MAX_IN_FLIGHT} queries wait at once, so at most that many sockets
 * are open (plus those closed since the loop's last select, which the loop closes right after
 * it); past it, and when no socket can be opened, the query is answered SERVFAIL at once. Within
 * the timeout the query is sent {@code max(2, upstreams)} times, evenly spaced, going round the
 * upstreams, so one lost datagram or one dead upstream does not fail it; at the timeout it
 * fails (SERVFAIL).
 *
 * <p>Single-threaded: only the DNS server's loop calls it, and the sockets are non-blocking
 * handlers registered with that loop's selector.
 */
final class Forwarder {
    /** Where a forwarded query's outcome goes. */
    interface Done {
        /** The upstream's answer, already carrying the client's ID again. */
        void answered(byte[] response, DnsMessage parsed, InetSocketAddress upstream);

        void failed(String why);
    }

    /** Queries waiting for an answer at once, each with its socket: a flood cannot take more descriptors. */
    static final int MAX_IN_FLIGHT = 512;
    /** Datagrams read per ready event of one query's socket, so a flood at one port does not starve the loop. */
    private static final int BATCH = 16;

    private final Selector selector;
    private final Consumer<SelectableChannel> closer;
    private final SourcePorts ports;
    private final SecureRandom random;
    private final LongAdder mismatches;
    private final ByteBuffer scratch;
    private final Set<UpstreamQuery> inFlight = new HashSet<>();
    /** No resend or deadline is due before this (so the loop need not call {@link #tick} sooner). */
    private long due = Long.MAX_VALUE;

    /**
     * @param selector   where each query's socket is registered (the DNS loop's)
     * @param closer     closes a query's socket ({@link EventLoop#close} on the loop)
     * @param mismatches counts datagrams dropped as not the awaited answer
     * @param scratch    where datagrams are read, emptied within each read
     */
    Forwarder(Selector selector, Consumer<SelectableChannel> closer, SourcePorts ports, SecureRandom random,
              LongAdder mismatches, ByteBuffer scratch) {
        this.selector = selector;
        this.closer = closer;
        this.ports = ports;
        this.random = random;
        this.mismatches = mismatches;
        this.scratch = scratch;
    }

    /** Queries waiting for an answer now, each holding one socket. */
    int inFlight() {
        return inFlight.size();
    }

    /** When {@link #tick} next has something to do; {@link Long#MAX_VALUE} when nothing is pending. */
    long due() {
        return due;
    }

    /**
     * Sends {@code query} (as received from the client) to the first upstream, from a new socket.
     *
     * @return null when sent ({@code done} runs later, exactly once); else why not, and
     *         {@code done} never runs (answer SERVFAIL at once)
     */
    String forward(byte[] query, DnsMessage parsed, List<InetSocketAddress> upstreams, long timeoutNanos, long now,
                   Done done) {
        if (upstreams.isEmpty()) {
            return "no upstream configured";
        }
        if (inFlight.size() >= MAX_IN_FLIGHT) {
            return "too many queries waiting for upstream answers";
        }
        DatagramChannel ch;
        try {
            ch = ports.open();
        } catch (IOException | RuntimeException e) {
            return "cannot open a socket for the upstream query: " + e.getMessage();
        }
        int id = random.nextInt(0x10000);
        UpstreamQuery q = new UpstreamQuery(this, ch, parsed, id, DnsWriter.withId(query, id), upstreams, timeoutNanos,
                now, done);
        try {
            ch.register(selector, SelectionKey.OP_READ, q);
        } catch (IOException | RuntimeException e) {
            EventLoop.closeQuietly(ch);
            return "cannot watch the socket for the upstream query: " + e.getMessage();
        }
        inFlight.add(q);
        q.send(now);
        due = Math.min(due, Math.min(q.nextSendAt, q.deadline));
        return null;
    }

    /** Reads what arrived on {@code q}'s socket: its answer, or datagrams to drop and count. */
    void receive(UpstreamQuery q) throws IOException {
        for (int i = 0; i < BATCH && !q.finished; i++) {
            scratch.clear();
            SocketAddress from = q.channel.receive(scratch);
            if (from == null) {
                return;
            }
            scratch.flip();
            AnswerMatch.Result r = AnswerMatch.check(scratch, (InetSocketAddress) from, q.sentTo, q.id, q.question);
            if (r.verdict() != AnswerMatch.Verdict.ACCEPT) {
                mismatches.increment();
                continue;
            }
            byte[] bytes = new byte[scratch.remaining()];
            scratch.get(scratch.position(), bytes);
            bytes[0] = (byte) (q.clientId >>> 8);
            bytes[1] = (byte) q.clientId;
            finish(q);
            q.done.answered(bytes, r.answer(), AnswerMatch.source((InetSocketAddress) from));
        }
    }

    /** Takes {@code q} out of flight and closes its socket, so nothing more is read or accepted on that port. */
    private void finish(UpstreamQuery q) {
        q.finished = true;
        inFlight.remove(q);
        closer.accept(q.channel);
    }

    /**
     * Resends what is due and fails what has timed out.
     *
     * @return when to call again ({@link Long#MAX_VALUE} if nothing is pending)
     */
    long tick(long now) {
        long next = Long.MAX_VALUE;
        List<UpstreamQuery> expired = new ArrayList<>();
        for (UpstreamQuery q : inFlight) {
            if (now - q.deadline >= 0) {
                expired.add(q);
                continue;
            }
            if (q.nextSendAt != Long.MAX_VALUE && now - q.nextSendAt >= 0) {
                q.send(now);
            }
            next = Math.min(next, Math.min(q.deadline, q.nextSendAt));
        }
        due = next;
        for (UpstreamQuery q : expired) {
            finish(q);
        }
        for (UpstreamQuery q : expired) {
            q.done.failed("no answer from " + q.upstreams() + " upstream(s) within the timeout");
        }
        return next;
    }

    /** Fails everything pending and closes its sockets (on shutdown). */
    void failAll(String why) {
        List<UpstreamQuery> all = new ArrayList<>(inFlight);
        due = Long.MAX_VALUE;
        for (UpstreamQuery q : all) {
            finish(q);
        }
        for (UpstreamQuery q : all) {
            q.done.failed(why);
        }
    }
}
