package lnm.proxy;

import static lnm.proxy.Vectors.*;
import static org.junit.jupiter.api.Assertions.*;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import lnm.wire.ParseResult;
import org.junit.jupiter.api.Test;

/** Well-formed headers, written by hand from the spec, parse to the values they encode. */
class ProxyV2VectorsTest {

    @Test
    void tcpOverIpv4() {
        ProxyHeader h = parsed(TCP4);
        assertFalse(h.local());
        assertEquals(addr("192.168.0.1", 56324), h.source());
        assertEquals(addr("10.3.0.20", 443), h.destination());
        assertEquals(List.of(), h.tlvs());
    }

    @Test
    void tcpOverIpv6() {
        ProxyHeader h = parsed(TCP6);
        assertFalse(h.local());
        assertEquals(addr("2001:db8::1", 50000), h.source());
        assertEquals(addr("fd00:3::20", 8883), h.destination());
        assertInstanceOf(Inet6Address.class, h.source().getAddress());
    }

    @Test
    void ipv4MappedIpv6ComesBackAsIpv4() {
        byte[] v = TCP6.clone();
        byte[] mapped = b(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 10, 2, 0, 7); // ::ffff:10.2.0.7
        System.arraycopy(mapped, 0, v, 16, 16);
        ProxyHeader h = parsed(v);
        assertInstanceOf(Inet4Address.class, h.source().getAddress());
        assertEquals(addr("10.2.0.7", 50000), h.source());
    }

    @Test
    void local() {
        ProxyHeader h = parsed(LOCAL);
        assertTrue(h.local());
        assertNull(h.source());
        assertNull(h.destination());
        assertEquals(List.of(), h.tlvs());
    }

    @Test
    void localIgnoresTheAddressBlockItCarries() {
        ProxyHeader h = parsed(LOCAL_WITH_TCP4);
        assertTrue(h.local());
        assertNull(h.source());
        assertNull(h.destination());
    }

    @Test
    void localWithAFamilyButNoAddressIsAccepted() {
        // "Receivers MUST always consider this field to skip the appropriate number of bytes
        // and must not assume zero is presented for LOCAL connections": the family is ignored.
        byte[] v = cat(SIG, b(0x20, 0x11, 0x00, 0x00));
        assertTrue(parsed(v).local());
        assertTrue(parsed(cat(SIG, b(0x20, 0x12, 0x00, 0x00))).local()); // even UDP, for LOCAL
    }

    @Test
    void unspecHasNoAddresses() {
        ProxyHeader h = parsed(UNSPEC);
        assertFalse(h.local());
        assertNull(h.source());
        assertNull(h.destination());
    }

    @Test
    void unixStreamIsAcceptedWithoutAddresses() {
        byte[] v = unix();
        assertEquals(16 + 216, v.length);
        ProxyHeader h = parsed(v);
        assertFalse(h.local());
        assertNull(h.source());
        assertNull(h.destination());
    }

    @Test
    void tlvsAreKeptInOrder() {
        ProxyHeader h = parsed(TLVS);
        assertEquals(addr("192.168.0.1", 56324), h.source());
        assertEquals(List.of(
                new Tlv(Tlv.ALPN, "h2".getBytes(StandardCharsets.US_ASCII)),
                new Tlv(Tlv.AUTHORITY, "example.com".getBytes(StandardCharsets.US_ASCII)),
                new Tlv(Tlv.NOOP, new byte[3]),
                new Tlv(Tlv.NOOP, new byte[0])), h.tlvs());
        assertEquals("example.com",
                new String(h.tlv(Tlv.AUTHORITY).orElseThrow().value(), StandardCharsets.UTF_8));
        assertTrue(h.tlv(Tlv.SSL).isEmpty());
    }

    @Test
    void localCarriesTlvsAfterAnUnspecBlock() {
        byte[] v = cat(SIG, b(
                0x20, 0x00, 0x00, 0x06, // LOCAL, AF_UNSPEC, length 6
                0x02, 0x00, 0x03,       // AUTHORITY, length 3
                'a', '.', 'b'));
        ProxyHeader h = parsed(v);
        assertTrue(h.local());
        assertEquals(List.of(new Tlv(Tlv.AUTHORITY, b('a', '.', 'b'))), h.tlvs());
    }

    @Test
    void unknownTlvTypesAreKeptOpaque() {
        byte[] v = cat(with(TCP4, 15, 12 + 5), b(0xE0, 0x00, 0x02, 0xCA, 0xFE)); // custom range
        assertEquals(List.of(new Tlv(0xE0, b(0xCA, 0xFE))), parsed(v).tlvs());
    }

    @Test
    void crc32cValid() {
        ProxyHeader h = parsed(CRC);
        assertEquals(List.of(new Tlv(Tlv.CRC32C, b(0x34, 0x8B, 0x6A, 0x5F))), h.tlvs());
    }

    @Test
    void crc32cWrongChecksumIsInvalid() {
        assertTrue(invalid(with(CRC, CRC_VALUE_AT + 3, 0x5E)).contains("CRC32C mismatch"));
    }

    @Test
    void crc32cCoversTheWholeHeader() {
        // One changed address bit, checksum untouched: the checksum must now disagree.
        assertTrue(invalid(with(CRC, 19, 0x02)).contains("CRC32C mismatch"));
        // The fixed part is covered too: the same header sent as LOCAL.
        assertTrue(invalid(with(CRC, 12, 0x20)).contains("CRC32C mismatch"));
    }

    @Test
    void crc32cAgreesWithAnIndependentImplementation() {
        assertEquals(0xE3069283L, referenceCrc32c("123456789".getBytes(StandardCharsets.US_ASCII)));
        byte[] zeroed = CRC.clone();
        for (int i = 0; i < 4; i++) {
            zeroed[CRC_VALUE_AT + i] = 0;
        }
        assertEquals(0x348B6A5FL, referenceCrc32c(zeroed));
        // Stored little-endian instead of network order: must be refused.
        byte[] swapped = CRC.clone();
        byte[] le = b(0x5F, 0x6A, 0x8B, 0x34);
        System.arraycopy(le, 0, swapped, CRC_VALUE_AT, 4);
        assertTrue(invalid(swapped).contains("CRC32C mismatch"));
    }

    @Test
    void crc32cBeforeOtherTlvsWithAuthority() {
        byte[] v = cat(SIG, b(0x21, 0x11, 0x00, 12 + 7 + 6),
                range(TCP4, 16, 28),
                b(0x03, 0x00, 0x04, 0, 0, 0, 0),   // CRC32C first, zero for now
                b(0x02, 0x00, 0x03, 'x', '.', 'y'));
        long crc = referenceCrc32c(v);
        v[31] = (byte) (crc >>> 24);
        v[32] = (byte) (crc >>> 16);
        v[33] = (byte) (crc >>> 8);
        v[34] = (byte) crc;
        assertEquals(2, parsed(v).tlvs().size());
        assertTrue(invalid(with(v, v.length - 1, 'z')).contains("CRC32C mismatch"));
    }

    @Test
    void largestPossibleHeaderIsMaxHeader() {
        // 12 address bytes + one NOOP TLV (3 + 65520) = 65535, the largest 16-bit length.
        byte[] v = cat(SIG, b(0x21, 0x11, 0xFF, 0xFF), range(TCP4, 16, 28), b(0x04, 0xFF, 0xF0),
                new byte[65520]);
        assertEquals(ProxyV2.MAX_HEADER, v.length);
        assertEquals(65520, parsed(v).tlvs().get(0).value().length);
    }

    @Test
    void bytesAfterTheHeaderAreNotConsumed() {
        byte[] v = cat(TCP4, b(0x16, 0x03, 0x01, 0x02, 0x00)); // a TLS record follows
        ParseResult<ProxyHeader> r = ProxyV2.parse(ByteBuffer.wrap(v));
        var p = assertInstanceOf(ParseResult.Parsed.class, r);
        assertEquals(TCP4.length, p.consumed());
    }

    @Test
    void tlvValuesAreCopies() {
        byte[] value = b(1, 2);
        Tlv t = new Tlv(Tlv.ALPN, value);
        value[0] = 9;
        t.value()[1] = 9;
        assertArrayEquals(b(1, 2), t.value());
        assertEquals(new Tlv(1, b(1, 2)).hashCode(), t.hashCode());
        assertThrows(IllegalArgumentException.class, () -> new Tlv(256, new byte[0]));
    }
}
