package lnm.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import lnm.config.IpLiteral;
import lnm.net.EventLoop;
import lnm.wire.BigEndian;
import lnm.wire.ParseResult;

/**
 * Forwards queries for names not on the allowlist to {@code dns.upstream} over UDP, from a
 * socket of its own, and hands each answer back unchanged except for the ID.
 *
 * <p>Each forwarded query gets a fresh random ID (from {@link SecureRandom}: a predictable one
 * would let anyone who can send datagrams to this box slip a forged answer to the client). An
 * answer is taken only if its ID is pending, it comes from one of that query's upstreams, it
 * is a response, and its question equals the one sent. Within the timeout the query is sent
 * {@code max(2, upstreams)} times, evenly spaced, going round the upstreams, so one lost
 * datagram or one dead upstream does not fail it; at the timeout it fails (SERVFAIL).
 *
 * <p>A handler on the DNS server's event loop, and single-threaded: only that loop calls it.
 */
final class Forwarder implements AutoCloseable, EventLoop.Ready {
    /** Where a forwarded query's outcome goes. */
    interface Done {
        /** The upstream's answer, already carrying the client's ID again. */
        void answered(byte[] response, DnsMessage parsed, InetSocketAddress upstream);

        void failed(String why);
    }

    static final int MAX_PENDING = 4096;

    private static final class Pending {
        int clientId;
        DnsMessage.Question question;
        byte[] wire;
        List<InetSocketAddress> upstreams;
        int sends;
        int attempts;
        long interval;
        long nextSendAt;
        long deadline;
        Done done;
    }

    private final DatagramChannel channel;
    private final ByteBuffer scratch;
    private final Map<Integer, Pending> pending = new HashMap<>();
    private final SecureRandom random = new SecureRandom();
    /** No resend or deadline is due before this (so the loop need not call {@link #tick} sooner). */
    private long due = Long.MAX_VALUE;

    Forwarder(DatagramChannel channel) {
        this(channel, ByteBuffer.allocate(65535));
    }

    /** @param scratch where datagrams are read, emptied within each read */
    Forwarder(DatagramChannel channel, ByteBuffer scratch) {
        this.channel = channel;
        this.scratch = scratch;
    }

    @Override
    public void onReady(SelectionKey key) throws IOException {
        receive(scratch);
    }

    @Override
    public void onFailure(Throwable t) {
        // A failed read loses one answer at most: the next attempt or the deadline deals with it.
    }

    DatagramChannel channel() {
        return channel;
    }

    int pending() {
        return pending.size();
    }

    /** When {@link #tick} next has something to do; {@link Long#MAX_VALUE} when nothing is pending. */
    long due() {
        return due;
    }

    /**
     * Sends {@code query} (as received from the client) to the first upstream.
     *
     * @return false when too many queries are already waiting (answer SERVFAIL at once)
     */
    boolean forward(byte[] query, DnsMessage parsed, List<InetSocketAddress> upstreams, long timeoutNanos, long now,
                    Done done) {
        if (pending.size() >= MAX_PENDING || upstreams.isEmpty()) {
            return false;
        }
        int id;
        do {
            id = random.nextInt(0x10000);
        } while (pending.containsKey(id));
        Pending p = new Pending();
        p.clientId = parsed.id();
        p.question = parsed.question();
        p.wire = DnsWriter.withId(query, id);
        p.upstreams = List.copyOf(upstreams);
        p.attempts = Math.max(2, upstreams.size());
        p.interval = Math.max(1, timeoutNanos / p.attempts);
        p.deadline = now + timeoutNanos;
        p.done = done;
        pending.put(id, p);
        send(p, now);
        due = Math.min(due, Math.min(p.nextSendAt, p.deadline));
        return true;
    }

    private void send(Pending p, long now) {
        InetSocketAddress to = p.upstreams.get(p.sends % p.upstreams.size());
        p.sends++;
        p.nextSendAt = p.sends < p.attempts ? now + p.interval : Long.MAX_VALUE;
        try {
            channel.send(ByteBuffer.wrap(p.wire), to);
        } catch (IOException | RuntimeException e) {
            // Unreachable network and the like: the next attempt or the deadline deals with it.
        }
    }

    /** Reads the answers that have arrived. */
    void receive(ByteBuffer scratch) throws IOException {
        for (int i = 0; i < 64; i++) {
            scratch.clear();
            SocketAddress from = channel.receive(scratch);
            if (from == null) {
                return;
            }
            scratch.flip();
            answer(scratch, (InetSocketAddress) from);
        }
    }

    private void answer(ByteBuffer b, InetSocketAddress from) {
        if (b.remaining() < DnsParser.HEADER) {
            return;
        }
        int id = BigEndian.u16(b, b.position());
        Pending p = pending.get(id);
        InetSocketAddress source = new InetSocketAddress(IpLiteral.unmapped(from.getAddress()), from.getPort());
        if (p == null || !p.upstreams.contains(source)) {
            return;
        }
        if (!(DnsParser.parse(b) instanceof ParseResult.Parsed<DnsMessage> parsed)) {
            return; // a garbled answer is not relayed; another attempt or the deadline follows
        }
        DnsMessage m = parsed.value();
        if (!m.isResponse() || !p.question.equals(m.question())) {
            return;
        }
        pending.remove(id);
        byte[] bytes = new byte[b.remaining()];
        b.get(b.position(), bytes);
        bytes[0] = (byte) (p.clientId >>> 8);
        bytes[1] = (byte) p.clientId;
        p.done.answered(bytes, m, source);
    }

    /**
     * Resends what is due and fails what has timed out.
     *
     * @return when to call again ({@link Long#MAX_VALUE} if nothing is pending)
     */
    long tick(long now) {
        long next = Long.MAX_VALUE;
        List<Pending> expired = new ArrayList<>();
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (now - p.deadline >= 0) {
                it.remove();
                expired.add(p);
                continue;
            }
            if (p.nextSendAt != Long.MAX_VALUE && now - p.nextSendAt >= 0) {
                send(p, now);
            }
            next = Math.min(next, Math.min(p.deadline, p.nextSendAt));
        }
        due = next;
        for (Pending p : expired) {
            p.done.failed("no answer from " + p.upstreams.size() + " upstream(s) within the timeout");
        }
        return next;
    }

    /** Fails everything pending (on shutdown or when the upstream list goes away). */
    void failAll(String why) {
        List<Pending> all = new ArrayList<>(pending.values());
        pending.clear();
        due = Long.MAX_VALUE;
        for (Pending p : all) {
            p.done.failed(why);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
