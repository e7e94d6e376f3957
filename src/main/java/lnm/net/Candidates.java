package lnm.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import lnm.config.CidrSet;

/**
 * The upstream addresses a connection tries, in order, in {@link State#CONNECTING}: the core
 * asks for the {@link #next} one after each failed attempt until there are none left. This is
 * the one place that decides what is tried and in which order; a destination with several
 * parents would add theirs here.
 */
final class Candidates {
    private final List<InetSocketAddress> addresses;
    /** Why the last forbidden address was dropped, or null. */
    private final String forbidden;
    private int next;

    private Candidates(List<InetSocketAddress> addresses, String forbidden) {
        this.addresses = addresses;
        this.forbidden = forbidden;
    }

    /**
     * The resolved addresses on {@code port}, without the ones a {@code direct} destination
     * may not reach ({@link Destinations#forbidden}) when {@code guard} is on: the
     * special-purpose addresses it may still reach, or null for no guard.
     */
    static Candidates of(List<InetAddress> resolved, int port, CidrSet guard) {
        List<InetSocketAddress> usable = new ArrayList<>(resolved.size());
        String why = null;
        for (InetAddress a : resolved) {
            String f = guard != null ? Destinations.forbidden(a, guard) : null;
            if (f == null) {
                usable.add(new InetSocketAddress(a, port));
            } else {
                why = a.getHostAddress() + " is " + f;
            }
        }
        return new Candidates(usable, why);
    }

    /** True when no address may be tried (all were forbidden, or none resolved). */
    boolean isEmpty() {
        return addresses.isEmpty();
    }

    /** What the last forbidden address was, for the audit's {@code error}. */
    String forbiddenDetail() {
        return forbidden;
    }

    boolean hasNext() {
        return next < addresses.size();
    }

    InetSocketAddress next() {
        return addresses.get(next++);
    }
}
