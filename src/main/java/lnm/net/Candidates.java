package lnm.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import lnm.config.Config;
import lnm.config.HostPort;
import lnm.config.IpLiteral;
import lnm.config.Via;
import lnm.upstream.AddressHealth;
import lnm.upstream.ParentSet;

/**
 * What one connection tries, in order, in {@link State#CONNECTING}: a list of destinations,
 * and for the one being tried, its addresses. A {@code parent} destination lists every parent
 * in the order {@link lnm.upstream.ParentSet#candidates} gives (the ones up first); a fixed or
 * direct destination is a list of one. Each destination is resolved when its turn comes, and
 * its addresses are tried in the order {@link AddressHealth#order} gives (an address that
 * could not be reached lately goes last). This is the one place that decides what is tried
 * and in which order; {@link Dialer} walks it.
 */
final class Candidates {
    /** The destinations as configured (a parent's port may be -1: then {@link #port} applies). */
    private final List<HostPort> destinations;
    /** Whether the destinations are parents or egress proxies (each known to its health by its entry), not one target. */
    private final boolean listed;
    /** The health the destinations report to: the parents', the egress proxies', or null (one target, or a test's list). */
    private final ParentSet health;
    private final int port;
    /** Through an egress proxy: the {@code name:port} the proxies are asked to CONNECT to; else null. */
    private final HostPort tunnel;
    /** Through an egress proxy with credentials: the Basic token; else null. */
    private final String basicToken;
    private int current = -1;
    private List<InetSocketAddress> addresses = List.of();
    private int next;
    /** Why the last forbidden address was dropped, or null. */
    private String forbidden;

    private Candidates(List<HostPort> destinations, boolean listed, ParentSet health, int port, HostPort tunnel, String basicToken) {
        if (destinations.isEmpty()) {
            throw new IllegalArgumentException("no destination");
        }
        this.destinations = List.copyOf(destinations);
        this.listed = listed;
        this.health = health;
        this.port = port;
        this.tunnel = tunnel;
        this.basicToken = basicToken;
    }

    /**
     * What an allowed connection tries: every parent, in the order their health gives, for a
     * parent destination (the configured order while no check has run); every egress proxy, in
     * the order their health gives, for a {@code direct} destination when {@code egress.proxy}
     * is set and {@code egress.proxy.bypass} does not name it; else the one target, on the port
     * the client asked for when it names none. Fixed targets (an allowlist {@code host:port}, a
     * tcp listener's target) always go directly.
     */
    static Candidates forConnect(Front.Connect c, ParentSet parents, ParentSet proxies, Config cfg) {
        if (c.via() == Via.PARENT) {
            List<HostPort> order = parents.candidates();
            return new Candidates(order.isEmpty() ? cfg.parents() : order, true, parents, c.port(), null, null);
        }
        HostPort target = c.target().withDefaultPort(c.port());
        if (c.via() == Via.DIRECT && throughProxy(target, cfg)) {
            List<HostPort> order = proxies.candidates();
            return new Candidates(order.isEmpty() ? cfg.egressProxies() : order, true, proxies, -1, target,
                    cfg.egressCredentials().basicToken());
        }
        return of(target);
    }

    /** Whether a direct destination goes out through the egress proxy. */
    static boolean throughProxy(HostPort target, Config cfg) {
        return !cfg.egressProxies().isEmpty() && !cfg.egressBypass().bypasses(target.host());
    }

    /** The parents in {@code order}, each on its own port or else on {@code port}. */
    static Candidates parents(List<HostPort> order, int port) {
        return new Candidates(order, true, null, port, null, null);
    }

    /** One fixed or direct destination. */
    static Candidates of(HostPort target) {
        return new Candidates(List.of(target), false, null, target.port(), null, null);
    }

    /**
     * Moves to the next destination (the first on the first call; after that only while
     * {@link #hasNextDestination}). Its addresses come from {@link #resolved}.
     */
    void nextDestination() {
        if (current + 1 >= destinations.size()) {
            throw new IllegalStateException("no destination left");
        }
        current++;
        addresses = List.of();
        next = 0;
        forbidden = null;
    }

    /** The destination being tried, with its port. */
    HostPort destination() {
        return destinations.get(current).withDefaultPort(port);
    }

    /**
     * The parent or egress proxy being tried as configured (what its {@link #health} knows it
     * by), or null for a single target.
     */
    HostPort parent() {
        return listed ? destinations.get(current) : null;
    }

    /** Where {@link #parent} reports its health; null for a single target or a list given without one. */
    ParentSet health() {
        return health;
    }

    /** The {@code name:port} to ask the egress proxy for, or null when not going through one. */
    HostPort tunnel() {
        return tunnel;
    }

    /**
     * The egress proxies ({@code host:port} each, tried in the order their health gives) that
     * ask {@code tunnel} of them, with {@code basicToken} (null: none) as their credentials.
     */
    static Candidates proxies(List<HostPort> order, HostPort tunnel, String basicToken) {
        return new Candidates(order, true, null, -1, tunnel, basicToken);
    }

    /** The Basic token for the egress proxy, or null. */
    String basicToken() {
        return basicToken;
    }

    /** True when the destination being tried is not the last. */
    boolean hasNextDestination() {
        return current + 1 < destinations.size();
    }

    /**
     * The current destination's addresses, in the order {@code health} gives, without the ones
     * a {@code direct} destination may not reach ({@link Destinations.Guard#forbidden}).
     *
     * @param guard the special-purpose addresses a {@code direct} destination may still reach,
     *     or null for no guard
     */
    void resolved(List<InetAddress> resolved, Destinations.Guard guard, AddressHealth health) {
        int p = destination().port();
        List<InetSocketAddress> usable = new ArrayList<>(resolved.size());
        for (InetAddress a : health.order(resolved, p)) {
            String f = guard != null ? guard.forbidden(a) : null;
            if (f == null) {
                usable.add(new InetSocketAddress(a, p));
            } else {
                forbidden = IpLiteral.format(a) + " is " + f;
            }
        }
        addresses = usable;
    }

    /** True when no address of the current destination may be tried (all were forbidden). */
    boolean isEmpty() {
        return addresses.isEmpty();
    }

    /** What the last forbidden address was, for the audit's {@code error}. */
    String forbiddenDetail() {
        return forbidden;
    }

    /** True while the current destination has an address not yet tried. */
    boolean hasNext() {
        return next < addresses.size();
    }

    InetSocketAddress next() {
        return addresses.get(next++);
    }
}
