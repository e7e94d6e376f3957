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
    private final boolean parents;
    private final int port;
    private int current = -1;
    private List<InetSocketAddress> addresses = List.of();
    private int next;
    /** Why the last forbidden address was dropped, or null. */
    private String forbidden;

    private Candidates(List<HostPort> destinations, boolean parents, int port) {
        if (destinations.isEmpty()) {
            throw new IllegalArgumentException("no destination");
        }
        this.destinations = List.copyOf(destinations);
        this.parents = parents;
        this.port = port;
    }

    /**
     * What an allowed connection tries: every parent, in the order their health gives, for a
     * parent destination (the configured order while no check has run); else the one target,
     * on the port the client asked for when it names none.
     */
    static Candidates forConnect(Front.Connect c, ParentSet parents, Config cfg) {
        if (c.via() == Via.PARENT) {
            List<HostPort> order = parents.candidates();
            return parents(order.isEmpty() ? cfg.parents() : order, c.port());
        }
        return of(c.target().withDefaultPort(c.port()));
    }

    /** The parents in {@code order}, each on its own port or else on {@code port}. */
    static Candidates parents(List<HostPort> order, int port) {
        return new Candidates(order, true, port);
    }

    /** One fixed or direct destination. */
    static Candidates of(HostPort target) {
        return new Candidates(List.of(target), false, target.port());
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
     * The parent being tried as configured (what {@link lnm.upstream.ParentSet} knows it by), or
     * null for a destination that is not a parent.
     */
    HostPort parent() {
        return parents ? destinations.get(current) : null;
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
