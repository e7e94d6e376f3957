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
import lnm.floor.EventLoop;
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
 * a deadline passes ({@link #timedOut}). While connecting, the upstream's key is the dialer's
 * own (it is the key's attachment), so a connect that completes or fails comes here first; on
 * success the key and the upstream are handed to the core ({@link Events#connected}).
 */
final class Dialer implements EventLoop.Ready {
    /** What the core hears from the connect step. */
    interface Events {
        /** True while the core still waits for the dialer (no refusal or abort meanwhile). */
        boolean dialing();

        /** Resolving {@code destination} starts: its deadline starts now. */
        void resolving(HostPort destination);

        /** A connect to {@code address} starts: its deadline starts now. */
        void attempt(InetSocketAddress address);

        /**
         * The upstream is connected: from now on {@code peer} and its {@code key} are the core's
         * (the key's attachment is still this dialer until the core attaches itself).
         */
        void connected(Peer peer, SelectionKey key, long connectMillis);

        /**
         * No upstream: {@code dns_failed}, {@code dns_timeout}, {@code destination_forbidden},
         * {@code connect_timeout} or {@code upstream_unreachable} (what the last destination
         * tried ran into), with what went wrong.
         */
        void unreachable(Reason reason, String detail);

        /** Something unexpected escaped the handling of the upstream's key while connecting. */
        void dialerFailed(Throwable t);
    }

    private final EventLoop loop;
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

    Dialer(EventLoop loop, Events events, Services services) {
        this.loop = loop;
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
        startedAt = loop.now();
        SocketChannel ch;
        try {
            // IPv4 destinations get an IPv4 socket: no dual-stack IPV6_V6ONLY setsockopt per connection
            ch = address.getAddress() instanceof Inet4Address ? SocketChannel.open(StandardProtocolFamily.INET) : SocketChannel.open();
            upstream = new Peer(Side.UPSTREAM, ch);
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            key = ch.register(loop.selector(), SelectionKey.OP_CONNECT, this);
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

    /** The upstream's key is ready while connecting: connected, or the attempt failed. */
    @Override
    public void onReady(SelectionKey k) {
        if (k != key || !events.dialing()) {
            return; // an attempt given up meanwhile
        }
        try {
            if (k.isConnectable() && upstream.channel.finishConnect()) {
                connected();
            }
        } catch (IOException e) {
            failed(e, false, true);
        }
    }

    @Override
    public void onFailure(Throwable t) {
        events.dialerFailed(t);
    }

    private void connected() {
        services.addrs.succeeded(address);
        if (candidates.parent() != null) {
            services.parents.succeeded(candidates.parent());
        }
        Peer peer = upstream;
        SelectionKey k = key;
        upstream = null;
        key = null;
        events.connected(peer, k, loop.now() - startedAt);
    }

    /** The connection closes while connecting: the attempt under way, if any, is closed. */
    void abandon() {
        if (upstream != null) {
            loop.close(upstream.channel);
        }
        upstream = null;
        key = null;
    }

    /** The core's deadline passed: the resolution or the connect under way has failed. */
    void timedOut(long timeoutMillis) {
        if (awaitingAnswer) {
            awaitingAnswer = false;
            destinationFailed(Reason.DNS_TIMEOUT, "no answer within " + timeoutMillis + " ms", true);
        } else {
            failed(new IOException("connect timed out after " + timeoutMillis + " ms"), true, true);
        }
    }

    /**
     * The attempt failed: close it and try the next address, else the next destination.
     *
     * @param timedOut the attempt's deadline passed (the core's clock)
     * @param upstreamsFault the upstream refused, reset or did not answer: its health is told
     */
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
}
