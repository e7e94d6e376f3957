package lnm.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.List;
import lnm.config.IpLiteral;
import lnm.floor.EventLoop;

/**
 * One forwarded query in flight: the UDP socket it alone goes out on (a handler on the DNS
 * server's loop, reading through its {@link Forwarder}), the ID and question it carries
 * upstream, the upstreams it has been sent to, and its resend schedule. Loop thread only.
 */
final class UpstreamQuery implements EventLoop.Ready {
    final DatagramChannel channel;
    /** The ID the client used, put back into the answer. */
    final int clientId;
    /** The random ID sent upstream. */
    final int id;
    final DnsMessage.Question question;
    final Forwarder.Done done;
    /** Upstreams sent to so far (addresses unmapped): only they may answer. */
    final List<InetSocketAddress> sentTo = new ArrayList<>(2);
    final long deadline;
    /** When the next resend is due; {@link Long#MAX_VALUE} after the last one. */
    long nextSendAt;
    /** Answered, failed or timed out: the socket is closed or closing, nothing more is read. */
    boolean finished;

    private final Forwarder owner;
    private final byte[] wire;
    private final List<InetSocketAddress> upstreams;
    private final int attempts;
    private final long interval;
    private int sends;

    /**
     * @param wire      the query as it goes upstream (carrying {@code id})
     * @param upstreams where to send it, in turn: {@code max(2, upstreams)} sends, evenly spaced over the timeout
     */
    UpstreamQuery(Forwarder owner, DatagramChannel channel, DnsMessage parsed, int id, byte[] wire,
                  List<InetSocketAddress> upstreams, long timeoutNanos, long now, Forwarder.Done done) {
        this.owner = owner;
        this.channel = channel;
        this.clientId = parsed.id();
        this.id = id;
        this.question = parsed.question();
        this.wire = wire;
        this.upstreams = List.copyOf(upstreams);
        this.attempts = Math.max(2, upstreams.size());
        this.interval = Math.max(1, timeoutNanos / attempts);
        this.deadline = now + timeoutNanos;
        this.done = done;
    }

    @Override
    public void onReady(SelectionKey key) throws IOException {
        owner.receive(this);
    }

    @Override
    public void onFailure(Throwable t) {
        // A failed read loses one datagram at most: the next attempt or the deadline deals with it.
    }

    /** Sends the query to the next upstream in turn and schedules the send after it. */
    void send(long now) {
        InetSocketAddress to = upstreams.get(sends % upstreams.size());
        sends++;
        nextSendAt = sends < attempts ? now + interval : Long.MAX_VALUE;
        InetSocketAddress source = new InetSocketAddress(IpLiteral.unmapped(to.getAddress()), to.getPort());
        if (!sentTo.contains(source)) {
            sentTo.add(source);
        }
        try {
            channel.send(ByteBuffer.wrap(wire), to);
        } catch (IOException | RuntimeException e) {
            // Unreachable network and the like: the next attempt or the deadline deals with it.
        }
    }

    /** The upstream count, for the failure message. */
    int upstreams() {
        return upstreams.size();
    }
}
