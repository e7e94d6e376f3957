package lnm.probe;

import java.util.List;
import java.util.Locale;

import lnm.config.Config;
import lnm.config.Decision;
import lnm.config.HostPort;

/**
 * How a name leaves this box, as a device's connection would: the kind and the addresses tried
 * in order (the endpoint itself, the parents, a fixed target, or the egress proxies).
 *
 * @param kind the way out
 * @param hops the addresses to try, in order; for {@link Kind#DIRECT} the name and port
 */
public record Route(Kind kind, List<HostPort> hops) {

    /** The ways out of a box. */
    public enum Kind {
        /** Resolve the name here and connect to it. */
        DIRECT,
        /** Through the lnm one level up, with the header the box sends it. */
        PARENT,
        /** A fixed host:port from the allowlist. */
        FIXED,
        /** A direct name through the egress HTTP proxy (CONNECT name:port). */
        PROXY;

        /** The lowercase spelling of the ROUTE column. */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Route {
        hops = List.copyOf(hops);
        if (hops.isEmpty()) {
            throw new IllegalArgumentException("a route needs at least one address");
        }
    }

    /**
     * The route of an allowed decision: a parent decision tries every configured parent in
     * order (each with {@code port} unless it names one), a direct one goes through the egress
     * proxies when there are any and {@code egress.proxy.bypass} does not name it.
     *
     * @param proxies the egress proxies, in the order to try them; empty for none
     */
    public static Route of(Decision d, Config c, int port, List<HostPort> proxies) {
        if (!d.allowed()) {
            throw new IllegalArgumentException("a refused name has no route");
        }
        return switch (d.via()) {
            case FIXED -> new Route(Kind.FIXED, List.of(d.upstream()));
            case PARENT -> new Route(Kind.PARENT, c.parents().stream().map(h -> h.withDefaultPort(port)).toList());
            case DIRECT -> proxies.isEmpty() || c.egressBypass().bypasses(d.upstream().host())
                    ? new Route(Kind.DIRECT, List.of(d.upstream()))
                    : new Route(Kind.PROXY, proxies.stream().map(h -> h.withDefaultPort(port)).toList());
        };
    }

    /** The egress HTTP proxies of this box ({@code egress.proxy}), in the configured order. */
    public static List<HostPort> egressProxies(Config c) {
        return c.egressProxies();
    }

    /**
     * The Basic credentials token (base64 of {@code user:password}) for the egress proxies
     * ({@code egress.proxy.credentials}), or null for none.
     */
    public static String egressProxyToken(Config c) {
        return c.egressCredentials().basicToken();
    }
}
