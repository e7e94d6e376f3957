package lnm.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.util.Set;

import org.junit.jupiter.api.Test;

import lnm.config.CidrSet;

/** The destination guard: the fixed special-purpose ranges, and the own addresses it is given. */
class DestinationsTest {
    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void ownAddressesAreThoseGivenNotGlobal() throws Exception {
        Destinations mine = new Destinations(Set.of(ip("10.9.8.7")));
        assertEquals("this box's own address", mine.forbidden(ip("10.9.8.7"), CidrSet.none()));
        assertNull(Destinations.NONE.forbidden(ip("10.9.8.7"), CidrSet.none()), "another set of rules knows no such address");
        assertEquals("this box's own address", mine.guard(CidrSet.none()).forbidden(ip("::ffff:10.9.8.7")),
                "an IPv4-mapped address is judged as the IPv4 address");
    }

    @Test
    void specialRangesWhateverTheOwnAddresses() throws Exception {
        assertEquals("loopback", Destinations.NONE.forbidden(ip("127.0.0.1"), CidrSet.none()));
        assertEquals("unique local (fc00::/7)", Destinations.NONE.forbidden(ip("fd00::1"), CidrSet.none()));
        assertNull(Destinations.NONE.forbidden(ip("10.0.0.1"), CidrSet.none()), "RFC 1918 stays reachable");
    }
}
