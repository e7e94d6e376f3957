package lnm.net;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

import lnm.audit.Reason;
import lnm.audit.Side;
import lnm.config.HostPort;
import lnm.config.IpLiteral;
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

        /** The egress proxy {@code proxy} (as configured) is the one being tried now. */
        void proxy(HostPort proxy);

        /**
         * Connected to the egress proxy, the CONNECT exchange starts: its deadline (the connect
         * timeout) starts now.
         */
        void exchanging();

        /**
         * The upstream is connected: from now on {@code peer} and its {@code key} are the core's
         * (the key's attachment is still this dialer until the core attaches itself).
         *
         * @param early bytes the upstream already sent (after an egress proxy's 2xx head), owed
         *     to the client before anything else; null when none
         */
        void connected(Peer peer, SelectionKey key, long connectMillis, ByteBuffer early);

        /**
         * No upstream: {@code dns_failed}, {@code dns_timeout}, {@code destination_forbidden},
         * {@code connect_timeout} or {@code upstream_unreachable} (what the last destination
         * tried ran into), or through an egress proxy {@code proxy_unreachable} (no proxy took the
         * TCP connection), {@code proxy_auth_required}, {@code proxy_refused},
         * {@code proxy_bad_response} or {@code proxy_timeout} (what the proxy answered), with what
         * went wrong.
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
    /** The CONNECT exchange with the egress proxy connected to; null until then and when there is none. */
    private ProxyTunnel tunnel;

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
        HostPort through = c.tunnel();
        if (through != null && guard != null) {
            // the proxy resolves names; an address literal is still judged here, as lnm would judge its own lookup
            InetAddress literal = IpLiteral.address(through.host());
            String why = literal == null ? null : guard.forbidden(literal);
            if (why != null) {
                events.unreachable(Reason.DESTINATION_FORBIDDEN, through.host() + " is " + why);
                return;
            }
        }
        nextDestination();
    }

    /** Resolves the next destination on the resolver pool; the answer comes back on the loop. */
    private void nextDestination() {
        candidates.nextDestination();
        HostPort d = candidates.destination();
        int id = ++lookup;
        awaitingAnswer = true;
        events.resolving(d);
        if (candidates.tunnel() != null) {
            events.proxy(candidates.parent());
        }
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
        // an egress proxy is the operator's own choice of address: the guard is for destinations
        candidates.resolved(answer.addresses(), candidates.tunnel() == null ? guard : null, services.addrs);
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
        if (tunnel != null) {
            exchange();
            return;
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
        if (tunnel == null) { // the TCP connect (not the proxy's 2xx after it): health hears of it once
            services.addrs.succeeded(address);
            if (candidates.parent() != null) {
                health().succeeded(candidates.parent());
            }
            if (candidates.tunnel() != null) {
                // an egress proxy took the connection: ask it for the tunnel, still connecting
                tunnel = new ProxyTunnel(candidates.tunnel(), candidates.basicToken());
                events.exchanging();
                exchange();
                return;
            }
        }
        Peer peer = upstream;
        SelectionKey k = key;
        upstream = null;
        key = null;
        events.connected(peer, k, loop.now() - startedAt, tunnel == null ? null : tunnel.early());
    }

    /** Where the destination being tried reports its health: its own, or the parents' (a list made without one). */
    private ParentSet health() {
        return candidates.health() != null ? candidates.health() : services.parents;
    }

    /**
     * The CONNECT exchange with the egress proxy: writes the request, then reads the answer's
     * head. A 2xx hands the tunnel over as the upstream; any other answer, an answer that is not
     * HTTP, or a connection that fails meanwhile refuses the connection with its own reason. No
     * other proxy is asked then: this one answered (or took the request), and asking again could
     * open the destination twice.
     */
    private void exchange() {
        ProxyTunnel.Outcome o;
        try {
            if (tunnel.writing()) {
                tunnel.write(upstream);
                if (tunnel.writing()) {
                    key.interestOps(SelectionKey.OP_WRITE);
                    return;
                }
            }
            o = tunnel.read(upstream);
        } catch (IOException e) {
            o = new ProxyTunnel.Outcome(Reason.PROXY_BAD_RESPONSE, "the connection to the proxy failed: " + e.getMessage());
        }
        if (o == null) {
            key.interestOps(SelectionKey.OP_READ);
            return;
        }
        if (o.open()) {
            connected();
            return;
        }
        proxyRefused(o.refusal(), o.detail());
    }

    private void proxyRefused(Reason reason, String detail) {
        if (upstream != null) {
            loop.close(upstream.channel);
        }
        upstream = null;
        key = null;
        tunnel = null;
        events.unreachable(reason, detail);
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
        if (tunnel != null) {
            String why = "no answer to CONNECT from " + candidates.parent() + " within " + timeoutMillis + " ms";
            if (!tunnel.answered()) {
                // a proxy that took the connection and then said nothing is hung or overloaded:
                // later connections go to the next proxy while it is down. This one is not moved
                // on, as the proxy may already be connecting to the destination.
                health().failed(candidates.parent(), why);
            }
            proxyRefused(Reason.PROXY_TIMEOUT, why);
            return;
        }
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
                health().failed(parent, why);
            }
            if (failures == null) {
                failures = new ArrayList<>(2);
            }
            failures.add(candidates.destination() + ": " + why);
        }
        if (candidates.hasNextDestination()) {
            nextDestination();
        } else {
            boolean named = failures != null && (failures.size() > 1 || candidates.tunnel() != null);
            String detail = named ? String.join("; ", failures) : why;
            events.unreachable(candidates.tunnel() != null ? Reason.PROXY_UNREACHABLE : reason, detail);
        }
    }
}
