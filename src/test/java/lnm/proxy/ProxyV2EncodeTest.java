package lnm.proxy;

import static lnm.proxy.Vectors.*;
import static org.junit.jupiter.api.Assertions.*;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The writer produces exactly the hand-written vectors, and its output parses back. */
class ProxyV2EncodeTest {

    @Test
    void ipv4IsTheHandWrittenVector() {
        assertArrayEquals(TCP4, ProxyV2.encode(addr("192.168.0.1", 56324), addr("10.3.0.20", 443)));
    }

    @Test
    void ipv6IsTheHandWrittenVector() {
        assertArrayEquals(TCP6, ProxyV2.encode(addr("2001:db8::1", 50000), addr("fd00:3::20", 8883)));
    }

    @Test
    void localIsTheHandWrittenVector() {
        assertArrayEquals(LOCAL, ProxyV2.encodeLocal());
        ProxyHeader h = parsed(ProxyV2.encodeLocal());
        assertEquals(new ProxyHeader(true, null, null, List.of()), h);
    }

    @Test
    void roundTripIpv4() {
        roundTrip(addr("10.2.0.15", 40001), addr("10.3.0.10", 8883), 28);
        roundTrip(addr("0.0.0.0", 0), addr("255.255.255.255", 65535), 28);
    }

    @Test
    void roundTripIpv6() {
        roundTrip(addr("fe80::1", 1), addr("2001:db8:ffff::abcd", 65535), 52);
        roundTrip(addr("::1", 443), addr("::", 0), 52);
    }

    @Test
    void mixedFamiliesUseIpv4MappedIpv6() {
        InetSocketAddress v4 = addr("10.2.0.15", 40001);
        InetSocketAddress v6 = addr("2001:db8::7", 443);
        byte[] out = ProxyV2.encode(v4, v6);
        assertEquals(52, out.length);
        assertEquals(0x21, out[13]);                                            // AF_INET6, STREAM
        assertArrayEquals(b(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 10, 2, 0, 15), range(out, 16, 32));
        roundTrip(v4, v6, 52);
        roundTrip(v6, v4, 52);
        assertInstanceOf(Inet4Address.class, parsed(ProxyV2.encode(v6, v4)).destination().getAddress());
    }

    @Test
    void unresolvedAddressesAreRefused() {
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("device.plant.local", 443);
        assertThrows(IllegalArgumentException.class, () -> ProxyV2.encode(unresolved, addr("10.0.0.1", 1)));
        assertThrows(IllegalArgumentException.class, () -> ProxyV2.encode(addr("10.0.0.1", 1), unresolved));
    }

    private static void roundTrip(InetSocketAddress source, InetSocketAddress destination, int size) {
        byte[] out = ProxyV2.encode(source, destination);
        assertEquals(size, out.length);
        assertEquals(new ProxyHeader(false, source, destination, List.of()), parsed(out));
    }
}
