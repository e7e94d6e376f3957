package lnm.floor;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

import lnm.config.IpLiteral;

/**
 * The source a client address counts as for per-source limits and rates: an IPv4 address is
 * its own source, an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) counts as that IPv4
 * address, and an IPv6 address counts as its {@code /ipv6PrefixLength} network, since one host
 * or site usually holds a whole IPv6 prefix ({@code limits.ipv6PrefixLength}, /64 by default)
 * and could otherwise take a new address for each connection. Every per-source table (the
 * proxy's listeners, the DNS server; the admin and fleet ports may share it) keys its counts
 * with {@link #of}, so the mapping is in this one place. Only the counting uses the key: audit
 * records keep the full address.
 */
public final class SourceKey {
    /** {@code limits.ipv6PrefixLength}'s range. */
    public static final int MIN_PREFIX = 1;
    public static final int MAX_PREFIX = 128;

    private SourceKey() {}

    /**
     * The key {@code address} is counted under: an {@link Inet4Address} for IPv4 and IPv4-mapped
     * addresses, else the IPv6 network of the first {@code ipv6PrefixLength} bits (host bits and
     * scope cleared). IPv4 addresses are returned as they are, without allocating.
     *
     * @param ipv6PrefixLength 1 to 128; 128 counts each IPv6 address on its own
     * @throws IllegalArgumentException if the prefix length is out of range
     */
    public static InetAddress of(InetAddress address, int ipv6PrefixLength) {
        if (ipv6PrefixLength < MIN_PREFIX || ipv6PrefixLength > MAX_PREFIX) {
            throw new IllegalArgumentException("IPv6 prefix length " + ipv6PrefixLength + " is not 1-128");
        }
        if (address instanceof Inet4Address) {
            return address;
        }
        InetAddress a = IpLiteral.unmapped(address);
        if (a instanceof Inet4Address || ipv6PrefixLength == MAX_PREFIX) {
            return a; // Inet6Address equality ignores the scope: the address is its own key
        }
        byte[] b = a.getAddress();
        int full = ipv6PrefixLength / 8;
        int rest = ipv6PrefixLength % 8;
        if (rest != 0) {
            b[full] &= (byte) (0xFF << (8 - rest));
            full++;
        }
        for (int i = full; i < b.length; i++) {
            b[i] = 0;
        }
        return inet(b);
    }

    private static InetAddress inet(byte[] b) {
        try {
            return InetAddress.getByAddress(b); // 4 or 16 bytes: never a lookup, never fails
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
