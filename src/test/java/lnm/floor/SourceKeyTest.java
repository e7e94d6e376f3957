package lnm.floor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Which source an address counts as: IPv4 itself, IPv4-mapped as IPv4, IPv6 by its prefix. */
public class SourceKeyTest {
    public static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // literals only: never a lookup
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** The 16 bytes of an IPv6 address with {@code tail} in its last two bytes, in 2001:db8:1:2::/64. */
    public static InetAddress inSlash64(int tail) {
        byte[] b = ip("2001:db8:1:2::").getAddress();
        b[12] = (byte) (tail * 7); // the interface identifier varies in more than one group
        b[14] = (byte) (tail >> 8);
        b[15] = (byte) tail;
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anIpv4AddressIsItsOwnSourceWhateverThePrefix() {
        InetAddress a = ip("10.1.2.3");
        assertSame(a, SourceKey.of(a, 64));
        assertSame(a, SourceKey.of(a, 1));
        assertNotEquals(SourceKey.of(ip("10.1.2.4"), 1), SourceKey.of(a, 1));
    }

    @Test
    void anIpv4MappedAddressCountsAsItsIpv4Address() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        mapped[13] = 1;
        mapped[14] = 2;
        mapped[15] = 3;
        // The JDK gives an Inet4Address for these bytes; the IPv6 form, with a scope, does not fold.
        InetAddress m = Inet6Address.getByAddress(null, mapped, 0);
        assertInstanceOf(Inet6Address.class, m);
        InetAddress k = SourceKey.of(m, 64);
        assertInstanceOf(Inet4Address.class, k);
        assertEquals(ip("10.1.2.3"), k);
        assertEquals(SourceKey.of(ip("10.1.2.3"), 64), SourceKey.of(m, 128));
    }

    @Test
    void twoHundredAddressesOfOneSlash64AreOneSource() {
        Set<InetAddress> keys = new HashSet<>();
        Set<InetAddress> addresses = new HashSet<>();
        for (int i = 1; i <= 200; i++) {
            addresses.add(inSlash64(i));
            keys.add(SourceKey.of(inSlash64(i), 64));
        }
        assertEquals(200, addresses.size());
        assertEquals(Set.of(ip("2001:db8:1:2::")), keys);
    }

    @Test
    void differentSlash64sAreDifferentSources() {
        assertNotEquals(SourceKey.of(ip("2001:db8:1:2::1"), 64), SourceKey.of(ip("2001:db8:1:3::1"), 64));
        assertEquals(SourceKey.of(ip("2001:db8:1:2::1"), 48), SourceKey.of(ip("2001:db8:1:3::1"), 48));
    }

    @Test
    void prefix128CountsEveryAddressOnItsOwn() {
        assertNotEquals(SourceKey.of(inSlash64(1), 128), SourceKey.of(inSlash64(2), 128));
        assertEquals(inSlash64(1), SourceKey.of(inSlash64(1), 128));
    }

    @Test
    void aPrefixNotOnAByteBoundaryKeepsOnlyItsBits() {
        assertEquals(ip("2001:db8:1:0::"), SourceKey.of(ip("2001:db8:1:f::1"), 60));
        assertEquals(ip("2001:db8:1:10::"), SourceKey.of(ip("2001:db8:1:1f::1"), 60));
        assertEquals(ip("8000::"), SourceKey.of(ip("ffff::1"), 1));
        assertEquals(ip("::"), SourceKey.of(ip("::1"), 1));
    }

    @Test
    void theScopeOfALinkLocalAddressIsNotPartOfItsSource() throws Exception {
        byte[] b = ip("fe80::1").getAddress();
        InetAddress one = Inet6Address.getByAddress(null, b, 1);
        InetAddress two = Inet6Address.getByAddress(null, b, 2);
        assertEquals(SourceKey.of(one, 128), SourceKey.of(two, 128));
        assertEquals(SourceKey.of(one, 64), SourceKey.of(two, 64));
    }

    @Test
    void aPrefixOutOfRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SourceKey.of(ip("::1"), 0));
        assertThrows(IllegalArgumentException.class, () -> SourceKey.of(ip("::1"), 129));
    }
}
