package lnm.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Set;

import lnm.config.CidrSet;

/**
 * Which resolved addresses a {@code direct} destination may not reach, so that an allowlisted
 * name whose DNS points inwards cannot turn the box into a path to itself, its loopback
 * services, the cloud metadata endpoint (169.254.169.254), the Azure host endpoint
 * (168.63.129.16: the VM agent's wire server and the platform DNS), carrier-grade NAT space
 * (100.64.0.0/10, where clouds and VPN overlays put their own plumbing) or IPv6 unique local
 * addresses (fc00::/7). RFC 1918 ranges stay reachable: plant networks use them. The operator
 * opts back in per range with {@code direct.allowSpecialAddresses}.
 */
final class Destinations {
    private static volatile Set<InetAddress> own = scanOwn();

    private Destinations() {}

    /** Re-reads this box's interface addresses (at start and on reload). */
    static void refreshOwnAddresses() {
        own = scanOwn();
    }

    /**
     * The reason an address is refused, or null if it may be reached.
     *
     * @param allowed the special-purpose addresses the operator lets through anyway
     */
    static String forbidden(InetAddress a, CidrSet allowed) {
        InetAddress x = unmap(a);
        String why = special(x);
        return why == null || allowed.contains(x) ? null : why;
    }

    private static String special(InetAddress x) {
        if (x.isLoopbackAddress()) {
            return "loopback";
        }
        if (x.isLinkLocalAddress()) {
            return "link-local";
        }
        if (x.isMulticastAddress()) {
            return "multicast";
        }
        if (x.isAnyLocalAddress()) {
            return "unspecified";
        }
        byte[] b = x.getAddress();
        if (b.length == 4 && (b[0] == 0 || (b[0] & 0xff) == 255 && (b[1] & 0xff) == 255 && (b[2] & 0xff) == 255 && (b[3] & 0xff) == 255)) {
            return "reserved";
        }
        if (b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64) {
            return "shared address space (100.64.0.0/10, carrier-grade NAT)";
        }
        if (b.length == 4 && (b[0] & 0xff) == 168 && (b[1] & 0xff) == 63 && (b[2] & 0xff) == 129 && (b[3] & 0xff) == 16) {
            return "the Azure host endpoint (168.63.129.16)";
        }
        if (b.length == 16 && (b[0] & 0xfe) == 0xfc) {
            return "unique local (fc00::/7)";
        }
        if (own.contains(x)) {
            return "this box's own address";
        }
        return null;
    }

    /** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 address it carries. */
    static InetAddress unmap(InetAddress a) {
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            mapped &= b[10] == (byte) 0xff && b[11] == (byte) 0xff;
            if (mapped) {
                try {
                    return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (UnknownHostException e) {
                    return a;
                }
            }
        }
        return a;
    }

    private static Set<InetAddress> scanOwn() {
        return Set.copyOf(lnm.config.InterfaceAddresses.all());
    }
}
