package lnm.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class LiteralsTest {

    @Test
    void dottedQuads() throws Exception {
        assertArrayEquals(new byte[] {1, 2, 3, 4}, Literals.ipv4("1.2.3.4"));
        assertArrayEquals(new byte[] {(byte) 255, (byte) 255, (byte) 255, (byte) 255}, Literals.ipv4("255.255.255.255"));
        assertArrayEquals(new byte[] {10, 0, 0, 0}, Literals.ipv4("010.0.0.0"));
        assertEquals(InetAddress.getByName("127.0.0.1"), Literals.parse("127.0.0.1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.", ".1.2.3", "1..2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256",
        "1234.1.1.1", "0001.1.1.1", "a.b.c.d", "1.2.3.4a", "1.2.3.-4", "1 .2.3.4", "１.2.3.4", "example.com"})
    void notDottedQuads(String s) {
        assertNull(Literals.ipv4(s), s);
    }

    @Test
    void ipv6AndNames() throws Exception {
        assertEquals(InetAddress.getByName("::1"), Literals.parse("[::1]"));
        assertEquals(InetAddress.getByName("2001:db8::1"), Literals.parse("2001:db8::1"));
        assertEquals(InetAddress.getByName("1.2.3.4"), Literals.parse("::ffff:1.2.3.4"));
        assertNull(Literals.parse("example.com"));
        assertNull(Literals.parse("fe80::1%eth0"), "a zone is not a plain literal");
        assertNull(Literals.parse(null));
        assertNull(Literals.parse("[]"));
    }
}
