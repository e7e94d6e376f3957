package lnm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** {@link IpLiteral#address}: the one reading of an address literal, strict on leading zeros. */
class IpLiteralAddressTest {

    @Test
    void dottedQuads() throws Exception {
        assertEquals(InetAddress.getByName("1.2.3.4"), IpLiteral.address("1.2.3.4"));
        assertEquals(InetAddress.getByName("255.255.255.255"), IpLiteral.address("255.255.255.255"));
        assertEquals(InetAddress.getByName("127.0.0.1"), IpLiteral.address("127.0.0.1"));
        assertEquals(InetAddress.getByName("10.0.0.0"), IpLiteral.address("10.0.0.0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.", ".1.2.3", "1..2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256",
        "1234.1.1.1", "0001.1.1.1", "010.0.0.1", "10.0.0.01", "00.0.0.0", "a.b.c.d", "1.2.3.4a", "1.2.3.-4",
        "1 .2.3.4", "１.2.3.4", "example.com"})
    void notDottedQuads(String s) {
        assertNull(IpLiteral.address(s), s);
    }

    @Test
    void ipv6AndNames() throws Exception {
        assertEquals(InetAddress.getByName("::1"), IpLiteral.address("[::1]"));
        assertEquals(InetAddress.getByName("2001:db8::1"), IpLiteral.address("2001:db8::1"));
        assertEquals(InetAddress.getByName("1.2.3.4"), IpLiteral.address("::ffff:1.2.3.4"));
        assertNull(IpLiteral.address("::ffff:010.2.3.4"), "the strict rule holds inside IPv6 too");
        assertNull(IpLiteral.address("example.com"));
        assertNull(IpLiteral.address("fe80::1%eth0"), "a zone is not a plain literal");
        assertNull(IpLiteral.address(null));
        assertNull(IpLiteral.address("[]"));
    }

    @Test
    void digitsAndDotsAreNeverAName() {
        assertTrue(IpLiteral.looksLikeV4("010.0.0.1"));
        assertTrue(IpLiteral.looksLikeV4("1.2.3"));
        assertFalse(IpLiteral.looksLikeV4("1.2.3.example"));
        assertFalse(IpLiteral.looksLikeV4(""));
        assertFalse(IpLiteral.looksLikeV4(null));
    }
}
