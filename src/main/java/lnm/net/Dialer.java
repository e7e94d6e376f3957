package lnm.net;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

import lnm.audit.Reason;
import lnm.audit.Side;
import lnm.config.HostPort;
import lnm.dns.Resolver;
import lnm.upstream.AddressHealth;
import lnm.upstream.ParentSet;

/**
 * The connect step: walks the {@link Candidates} (each parent in turn, or the one destination),
 * resolving each destination when its turn comes and making a non-blocking connect to each of
 * its addresses until one answers. An address that cannot be reached is reported to
 * {@link AddressHealth}; a parent whose addresses all failed, or whose name did not resolve, is
 * reported to {@link ParentSet} and the next parent is tried in the same connection, so the
 * client sees no failure while any parent is up. A connect that succeeds clears both marks.
 *
 * <p>The connection core owns the state and the deadlines; it is told of each resolution, each
 * attempt, the success and the final failure through {@link Events}, and tells the dialer when
 * a deadline passes ({@link #timedOut}). The upstream's key is registered with the core as its
 * attachment, so its events reach the core, which passes them on ({@link #finish}, {@link #failed}).
 */
final class Dialer {
    /** What the core hears from the connect step. */
    interface Events {
        /** True while the core still waits for the dialer (no refusal or abort meanwhile). */
        boolean dialing();

        /** Resolving {@code destination} starts: its deadline starts now. */
        void resolving(HostPort destination);

        /** A connect to {@code address} starts: its deadline starts now. */
        void attempt(InetSocketAddress address);

        /** The upstream is connected ({@link #upstream}, {@link #key}). */
        void connected(long connectMillis);

        /**
         * No upstream: {@code dns_failed}, {@code dns_timeout}, {@code destination_forbidden},
         * {@code connect_timeout} or {@code upstream_unreachable} (what the last destination
         * tried ran into), with what went wrong.
         */
        void unreachable(Reason reason, String detail);
    }

    private final EventLoop loop;
    private final EventLoop.Handler owner;
    private final Events events;
    private final Services services;
    private Candidates candidates;
    private Destinations.Guard guard;
    /** Counts resolutions; an answer for an older one (timed out meanwhile) is dropped. */
    private int lookup;
    private boolean awaitingAnswer;
    private InetSocketAddress address;
    private Peer upstream;
    private SelectionKey key;
    private long startedAt;
    /** What went wrong with each parent given up, for the audit's {@code error}; null until one is. */
    private List<String> failures;

    Dialer(EventLoop loop, EventLoop.Handler owner, Events events, Services services) {
        this.loop = loop;
        this.owner = owner;
        this.events = events;
        this.services = services;
    }

    /**
     * Starts with the first destination of {@code c}.
     *
     * @param guard for a {@code direct} destination, the addresses it may not reach and the
     *     special-purpose ones it may still reach ({@code direct.allowSpecialAddresses}). Null: no guard.
     */
    void start(Candidates c, Destinations.Guard guard) {
        this.candidates = c;
        this.guard = guard;
        nextDestination();
    }

    /** Resolves the next destination on the resolver pool; the answer comes back on the loop. */
    private void nextDestination() {
        candidates.nextDestination();
        HostPort d = candidates.destination();
        int id = ++lookup;
        awaitingAnswer = true;
        events.resolving(d);
        services.resolver.resolve(d.host(), answer -> loop.execute(() -> resolved(id, answer)));
    }

    private void resolved(int id, Resolver.Answer answer) {
        if (id != lookup || !awaitingAnswer || !events.dialing()) {
            return; // timed out or aborted meanwhile
        }
        awaitingAnswer = false;
        if (!answer.ok()) {
            destinationFailed(Reason.DNS_FAILED, answer.error(), true);
            return;
        }
        candidates.resolved(answer.addresses(), guard, services.addrs);
        if (candidates.isEmpty()) {
            // only a direct destination is guarded, and it has no other to go on to
            events.unreachable(Reason.DESTINATION_FORBIDDEN, candidates.forbiddenDetail());
            return;
        }
        next();
    }

    /** Tries the current destination's next address. */
    private void next() {
        address = candidates.next();
        events.attempt(address);
        startedAt = EventLoop.nowMillis();
        SocketChannel ch;
        try {
            // IPv4 destinations get an IPv4 socket: no dual-stack IPV6_V6ONLY setsockopt per connection
            ch = address.getAddress() instanceof Inet4Address ? SocketChannel.open(StandardProtocolFamily.INET) : SocketChannel.open();
            upstream = new Peer(Side.UPSTREAM, ch);
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            key = ch.register(loop.selector(), SelectionKey.OP_CONNECT, owner);
        } catch (IOException e) {
            failed(e, false, false); // this box's fault (out of descriptors): no mark on the upstream
            return;
        }
        try {
            if (ch.connect(address)) {
                connected();
            }
        } catch (IOException e) {
            failed(e, false, true);
        }
    }

    /** The upstream key is ready while connecting. */
    void finish() throws IOException {
        if (key.isConnectable() && upstream.channel.finishConnect()) {
            connected();
        }
    }

    private void connected() {
        services.addrs.succeeded(address);
        if (candidates.parent() != null) {
            services.parents.succeeded(candidates.parent());
        }
        events.connected(EventLoop.nowMillis() - startedAt);
    }

    /** The core's deadline passed: the resolution or the connect under way has failed. */
    void timedOut(long timeoutMillis) {
        if (awaitingAnswer) {
            awaitingAnswer = false;
            destinationFailed(Reason.DNS_TIMEOUT, "no answer within " + timeoutMillis + " ms", true);
        } else {
            failed(new IOException("connect timed out after " + timeoutMillis + " ms"), true);
        }
    }

    /**
     * The attempt failed: close it and try the next address, else the next destination.
     *
     * @param timedOut the attempt's deadline passed (the core's clock)
     */
    void failed(IOException e, boolean timedOut) {
        failed(e, timedOut, true);
    }

    /** @param upstreamsFault the upstream refused, reset or did not answer: its health is told */
    private void failed(IOException e, boolean timedOut, boolean upstreamsFault) {
        if (upstream != null) {
            loop.close(upstream.channel);
        }
        upstream = null;
        key = null;
        if (upstreamsFault) {
            services.addrs.failed(address);
        }
        if (candidates.hasNext()) {
            next();
        } else {
            destinationFailed(timedOut ? Reason.CONNECT_TIMEOUT : Reason.UPSTREAM_UNREACHABLE, e.getMessage(), upstreamsFault);
        }
    }

    /**
     * The current destination cannot be reached: the next parent is tried. A parent is marked
     * down unless the fault was this box's own (out of descriptors).
     */
    private void destinationFailed(Reason reason, String why, boolean parentsFault) {
        HostPort parent = candidates.parent();
        if (parent != null) {
            if (parentsFault) {
                services.parents.failed(parent, why);
            }
            if (failures == null) {
                failures = new ArrayList<>(2);
            }
            failures.add(candidates.destination() + ": " + why);
        }
        if (candidates.hasNextDestination()) {
            nextDestination();
        } else {
            events.unreachable(reason, failures != null && failures.size() > 1 ? String.join("; ", failures) : why);
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
