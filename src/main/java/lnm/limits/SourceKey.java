package lnm.limits;

import java.net.InetAddress;
import java.net.UnknownHostException;

import lnm.config.IpLiteral;

/**
 * The source a client is counted as for per-source limits: an IPv4 address itself (an
 * IPv4-mapped IPv6 address as its IPv4 address), an IPv6 address as its prefix of {@code
 * limits.ipv6PrefixLength} bits, since one host commonly holds a whole /64.
 */
public final class SourceKey {
    private SourceKey() {}

    /** {@code client}'s source: IPv6 with the bits past {@code ipv6PrefixLength} cleared. */
    public static InetAddress of(InetAddress client, int ipv6PrefixLength) {
        InetAddress a = IpLiteral.unmapped(client);
        byte[] b = a.getAddress();
        if (b.length == 4 || ipv6PrefixLength >= 128) {
            return a;
        }
        for (int bit = ipv6PrefixLength; bit < 128; bit++) {
            b[bit >> 3] &= (byte) ~(0x80 >> (bit & 7));
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 16 bytes are always an address
        }
    }
}
