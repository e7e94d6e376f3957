package lnm.net;

import java.net.InetAddress;
import java.util.Set;

import lnm.config.CidrSet;
import lnm.config.InterfaceAddresses;
import lnm.config.IpLiteral;

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
    /** No own addresses known: only the fixed special-purpose ranges are refused. */
    static final Destinations NONE = new Destinations(Set.of());

    private final Set<InetAddress> own;

    /** @param own this box's interface addresses, refused like loopback */
    Destinations(Set<InetAddress> own) {
        this.own = Set.copyOf(own);
    }

    /** The rules with this box's interface addresses as they are now (at start and on reload). */
    static Destinations scan() {
        return new Destinations(Set.copyOf(InterfaceAddresses.all()));
    }

    /**
     * What a {@code direct} destination is checked with: these rules and the special-purpose
     * addresses the operator lets through anyway ({@code direct.allowSpecialAddresses}).
     */
    Guard guard(CidrSet allowed) {
        return new Guard(this, allowed);
    }

    /** The rules and what the operator lets through anyway, for one connection's destinations. */
    record Guard(Destinations rules, CidrSet allowed) {
        /** The reason {@code a} is refused, or null if it may be reached. */
        String forbidden(InetAddress a) {
            return rules.forbidden(a, allowed);
        }
    }

    /**
     * The reason an address is refused, or null if it may be reached.
     *
     * @param allowed the special-purpose addresses the operator lets through anyway
     */
    String forbidden(InetAddress a, CidrSet allowed) {
        InetAddress x = IpLiteral.unmapped(a);
        String why = special(x);
        return why == null || allowed.contains(x) ? null : why;
    }

    private String special(InetAddress x) {
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

}
