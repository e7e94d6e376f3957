package lnm.config;

import java.util.List;

/**
 * The value of {@code egress.proxy}: the HTTP proxies a top-level box reaches {@code direct}
 * destinations through, in the order written (tried like parents: the first that is up, the
 * others when it is down). Each entry needs its port. Parsers throw
 * {@link IllegalArgumentException} with a short reason; {@link Key} adds file, line and what is
 * allowed.
 */
public final class EgressProxies {
    /** At most this many proxies, as for parents. */
    public static final int MAX = 16;

    private EgressProxies() {}

    /** {@code host:port, host:port, ...} in the order written; empty for none. */
    static List<HostPort> parse(String v) {
        if (v.isEmpty()) {
            return List.of();
        }
        List<HostPort> out = ParentList.entries(v);
        for (HostPort hp : out) {
            if (hp.port() == -1) {
                throw new IllegalArgumentException("'" + hp.host() + "' has no port (write host:port, such as proxy.corp:3128)");
            }
        }
        if (out.size() > MAX) {
            throw new IllegalArgumentException("more than " + MAX + " proxies");
        }
        return List.copyOf(out);
    }

    static String format(List<HostPort> l) {
        return String.join(", ", l.stream().map(HostPort::toString).toList());
    }
}
