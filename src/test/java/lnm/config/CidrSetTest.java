package lnm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CidrSetTest {

    static InetAddress ip(String s) {
        return IpLiteral.toInet(IpLiteral.parse(s));
    }

    /** A mapped address kept as an Inet6Address, as a dual-stack socket may report it. */
    static InetAddress mapped6(String v4) throws UnknownHostException {
        byte[] b = new byte[16];
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
        System.arraycopy(IpLiteral.parseV4(v4), 0, b, 12, 4);
        return Inet6Address.getByAddress(null, b, -1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.3.0.0/16, 10.2.0.0/16| 10.3.0.0| true",
        "10.3.0.0/16, 10.2.0.0/16| 10.3.255.255| true",
        "10.3.0.0/16, 10.2.0.0/16| 10.2.7.9| true",
        "10.3.0.0/16, 10.2.0.0/16| 10.4.0.1| false",
        "10.3.0.0/16, 10.2.0.0/16| 11.3.0.1| false",
        "10.3.0.0/16| ::ffff:10.3.1.1| true",
        "10.3.0.0/16| 2001:db8::1| false",
        "10.3.0.7| 10.3.0.7| true",
        "10.3.0.7| 10.3.0.8| false",
        "0.0.0.0/0| 203.0.113.9| true",
        "0.0.0.0/0| ::1| false",
        "::/0| ::1| true",
        "::/0| 10.0.0.1| false",
        "fd00::/8| fdab::1| true",
        "fd00::/8| fe00::1| false",
        "2001:db8::/32| 2001:db8:ffff::1| true",
        "2001:db8::/32| 2001:db9::1| false",
        "2001:db8:0:1::/64| 2001:db8:0:1:ffff::1| true",
        "2001:db8:0:1::/64| 2001:db8:0:2::1| false",
        "2001:db8::1:0/112| 2001:db8::1:ffff| true",
        "2001:db8::1:0/112| 2001:db8::2:0| false",
        "::1| ::1| true",
        "::1| ::2| false",
        "[::1]| ::1| true",
        "::ffff:10.0.0.0/104| 10.9.9.9| true",
        "::ffff:10.0.0.0/104| 11.0.0.1| false",
        "128.0.0.0/1| 200.0.0.1| true",
        "128.0.0.0/1| 127.0.0.1| false",
        "8000::/1| ffff::1| true",
        "8000::/1| 7fff::1| false",
    })
    void contains(String set, String addr, boolean expected) {
        assertEquals(expected, CidrSet.parse(set).contains(ip(addr)), set + " contains " + addr);
    }

    @Test
    void mappedInet6AddressMatchesV4Ranges() throws UnknownHostException {
        InetAddress m = mapped6("10.3.4.5");
        assertTrue(m instanceof Inet6Address);
        assertTrue(CidrSet.parse("10.3.0.0/16").contains(m));
        assertFalse(CidrSet.parse("10.2.0.0/16").contains(m));
        assertTrue(CidrSet.parse("::ffff:10.3.0.0/112").contains(m));
    }

    @Test
    void anyAndNone() {
        assertTrue(CidrSet.any().contains(ip("1.2.3.4")));
        assertTrue(CidrSet.any().contains(ip("::1")));
        assertTrue(CidrSet.any().contains(null));
        assertTrue(CidrSet.any().isAny());
        assertFalse(CidrSet.none().contains(ip("1.2.3.4")));
        assertTrue(CidrSet.none().isEmpty());
        assertFalse(CidrSet.none().isAny());
        assertEquals(CidrSet.any(), CidrSet.parse(" ANY "));
        assertEquals(CidrSet.none(), CidrSet.parse("none"));
        assertTrue(CidrSet.parse("0.0.0.0/0, ::/0").isAny());
        assertFalse(CidrSet.parse("0.0.0.0/0").isAny());
        assertFalse(CidrSet.parse("10.0.0.0/8").contains(null));
    }

    @Test
    void toStringIsCanonicalAndParsesBack() {
        CidrSet s = CidrSet.parse("10.3.0.0/16 ,10.2.0.0/16,2001:DB8:0::/32, 10.3.0.7/32, ::ffff:10.9.0.0/112, 10.3.0.0/16");
        assertEquals("10.3.0.0/16, 10.2.0.0/16, 2001:db8::/32, 10.3.0.7, 10.9.0.0/16", s.toString());
        assertEquals(s, CidrSet.parse(s.toString()));
        assertEquals("any", CidrSet.any().toString());
        assertEquals("none", CidrSet.none().toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''| empty list",
        "10.0.0.0/8,| empty entry",
        "10.0.0.0/8, , 10.1.0.0/16| empty entry",
        "10.3.0.0/33| bad CIDR '10.3.0.0/33': prefix length must be 0-32",
        "::/129| bad CIDR '::/129': prefix length must be 0-128",
        "10.3.0.0/| bad CIDR '10.3.0.0/': prefix length '' is not a number",
        "10.3.0.0/x| prefix length 'x' is not a number",
        "10.3.0.0/-1| prefix length '-1' is not a number",
        "10.3.0.1/16| bad CIDR '10.3.0.1/16': host bits are set; did you mean 10.3.0.0/16?",
        "2001:db8::1/32| host bits are set; did you mean 2001:db8::/32?",
        "10.3.0.0/16, corp.example/8| bad CIDR 'corp.example/8': 'corp.example' is not an IPv4 or IPv6 address",
        "localhost| 'localhost' is not an IPv4 or IPv6 address",
        "10.3.0.0/16 10.2.0.0/16| bad CIDR '10.3.0.0/16 10.2.0.0/16': separate entries with commas",
    })
    void rejectsNamingTheBadEntry(String in, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CidrSet.parse(in));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
