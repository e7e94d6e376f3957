package lnm.net;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

import lnm.audit.Reason;
import lnm.audit.Side;
import lnm.config.CidrSet;
import lnm.dns.Resolver;

/**
 * The connect step: resolve the destination, then a non-blocking connect to each
 * {@link Candidates} address in turn until one answers. The connection core owns the state and
 * the deadlines; it is told of each attempt, of the success and of the failure through
 * {@link Events}. The upstream's key
 * is registered with the core as its attachment, so its events reach the core, which passes
 * them on ({@link #finish}, {@link #failed}).
 */
final class Dialer {
    /** What the core hears from the connect step. */
    interface Events {
        /** True while the core still waits for the resolver (no timeout or abort meanwhile). */
        boolean resolving();

        /** A connect to {@code address} starts: its deadline starts now. */
        void attempt(InetSocketAddress address);

        /** The upstream is connected ({@link #upstream}, {@link #key}). */
        void connected(long connectMillis);

        /**
         * No upstream: {@code dns_failed}, {@code destination_forbidden}, {@code connect_timeout}
         * or {@code upstream_unreachable}, with what went wrong.
         */
        void unreachable(Reason reason, String detail);
    }

    private final EventLoop loop;
    private final EventLoop.Handler owner;
    private final Events events;
    private Candidates candidates;
    private Peer upstream;
    private SelectionKey key;
    private long startedAt;

    Dialer(EventLoop loop, EventLoop.Handler owner, Events events) {
        this.loop = loop;
        this.owner = owner;
        this.events = events;
    }

    /**
     * Resolves {@code host} on the resolver pool; the answer comes back on the loop.
     *
     * @param guard for a {@code direct} destination, the special-purpose addresses it may still
     *     reach ({@code direct.allowSpecialAddresses}); the others are dropped. Null: no guard.
     */
    void resolve(Resolver resolver, String host, int port, CidrSet guard) {
        resolver.resolve(host, answer -> loop.execute(() -> resolved(answer, port, guard)));
    }

    private void resolved(Resolver.Answer answer, int port, CidrSet guard) {
        if (!events.resolving()) {
            return; // timed out or aborted meanwhile
        }
        if (!answer.ok()) {
            events.unreachable(Reason.DNS_FAILED, answer.error());
            return;
        }
        candidates = Candidates.of(answer.addresses(), port, guard);
        if (candidates.isEmpty()) {
            events.unreachable(Reason.DESTINATION_FORBIDDEN, candidates.forbiddenDetail());
            return;
        }
        next();
    }

    /** Tries the next candidate address. */
    private void next() {
        InetSocketAddress addr = candidates.next();
        events.attempt(addr);
        startedAt = EventLoop.nowMillis();
        try {
            // IPv4 destinations get an IPv4 socket: no dual-stack IPV6_V6ONLY setsockopt per connection
            SocketChannel ch = addr.getAddress() instanceof Inet4Address ? SocketChannel.open(StandardProtocolFamily.INET) : SocketChannel.open();
            upstream = new Peer(Side.UPSTREAM, ch);
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            key = ch.register(loop.selector(), SelectionKey.OP_CONNECT, owner);
            if (ch.connect(addr)) {
                events.connected(EventLoop.nowMillis() - startedAt);
            }
        } catch (IOException e) {
            failed(e, false);
        }
    }

    /** The upstream key is ready while connecting. */
    void finish() throws IOException {
        if (key.isConnectable() && upstream.channel.finishConnect()) {
            events.connected(EventLoop.nowMillis() - startedAt);
        }
    }

    /**
     * The attempt failed: close it and try the next address, if any.
     *
     * @param timedOut the attempt's deadline passed (the core's clock)
     */
    void failed(IOException e, boolean timedOut) {
        if (upstream != null) {
            loop.close(upstream.channel);
        }
        upstream = null;
        key = null;
        if (candidates.hasNext()) {
            next();
        } else {
            events.unreachable(timedOut ? Reason.CONNECT_TIMEOUT : Reason.UPSTREAM_UNREACHABLE, e.getMessage());
        }
    }

    /** The connected upstream (or the one being connected), or null between attempts. */
    Peer upstream() {
        return upstream;
    }

    SelectionKey key() {
        return key;
    }
}
