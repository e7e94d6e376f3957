package lnm.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.junit.jupiter.api.Test;

class SourceKeyTest {
    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal); // a literal: no lookup
    }

    @Test
    void ipv6AddressesOfOnePrefixAreOneSource() throws UnknownHostException {
        InetAddress a = SourceKey.of(ip("2001:db8:1:2:aaaa::1"), 64);
        for (int i = 0; i < 200; i++) {
            assertEquals(a, SourceKey.of(ip("2001:db8:1:2:" + Integer.toHexString(i) + "::" + i), 64));
        }
        assertEquals(ip("2001:db8:1:2::"), a);
        assertNotEquals(a, SourceKey.of(ip("2001:db8:1:3::1"), 64));
        assertEquals(ip("2001:db8:8000::"), SourceKey.of(ip("2001:db8:ffff::1"), 33));
    }

    @Test
    void ipv4AndPrefix128AreTheAddressItself() throws UnknownHostException {
        assertEquals(ip("10.2.0.7"), SourceKey.of(ip("10.2.0.7"), 64));
        assertEquals(ip("10.2.0.7"), SourceKey.of(ip("::ffff:10.2.0.7"), 64));
        assertEquals(ip("2001:db8::1"), SourceKey.of(ip("2001:db8::1"), 128));
    }
}
