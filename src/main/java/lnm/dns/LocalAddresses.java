package lnm.dns;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import lnm.config.InterfaceAddresses;
import lnm.config.IpLiteral;

/**
 * This box's addresses, for binding and for answers.
 *
 * <p>The JDK does not tell a UDP server which of its addresses a datagram was sent to, so a
 * wildcard {@code dns.listen} is served by one socket per local address, and the socket a
 * query arrived on says which address the client used. TCP needs no such trick: an accepted
 * socket knows its local address.
 */
final class LocalAddresses {
    private LocalAddresses() {}

    /**
     * The addresses to bind for a wildcard: of every interface that is up, the IPv4 ones for
     * {@code 0.0.0.0}; for {@code ::} the IPv6 ones too, except link-local (which would need a
     * scope, and a client in another network cannot use them).
     */
    static List<InetAddress> forWildcard(InetAddress wildcard) throws SocketException {
        boolean v6 = wildcard instanceof Inet6Address;
        Set<InetAddress> out = new LinkedHashSet<>();
        for (List<InetAddress> addresses : InterfaceAddresses.up().values()) {
            for (InetAddress a : addresses) {
                if (a instanceof Inet4Address || (v6 && !a.isLinkLocalAddress())) {
                    out.add(withoutScope(a));
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * What to answer for a query that arrived on {@code local}: that address for its own
     * family, and the other family's addresses of the same interface (so an AAAA query sent
     * over IPv4 still gets this box's IPv6 address on that network).
     */
    static Responder.Local answersFor(InetAddress local) {
        InetAddress l = IpLiteral.unmapped(local);
        List<InetAddress> v4 = new ArrayList<>();
        List<InetAddress> v6 = new ArrayList<>();
        (l instanceof Inet4Address ? v4 : v6).add(withoutScope(l));
        for (InetAddress a : InterfaceAddresses.sameInterface(l)) {
            if (l instanceof Inet4Address && a instanceof Inet6Address && !a.isLinkLocalAddress()) {
                v6.add(withoutScope(a));
            } else if (l instanceof Inet6Address && a instanceof Inet4Address) {
                v4.add(a);
            }
        }
        return new Responder.Local(v4, v6);
    }

    private static InetAddress withoutScope(InetAddress a) {
        return a instanceof Inet6Address && ((Inet6Address) a).getScopeId() != 0 ? byAddress(a.getAddress()) : a;
    }

    private static InetAddress byAddress(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // only for 4 or 16 bytes, which these are
        }
    }
}
