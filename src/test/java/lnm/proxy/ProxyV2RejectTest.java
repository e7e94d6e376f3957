package lnm.proxy;

import static lnm.proxy.Vectors.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import lnm.wire.ParseResult;
import org.junit.jupiter.api.Test;

/** Malformed headers are Invalid with reason proxy_protocol_invalid and a detail naming the field. */
class ProxyV2RejectTest {

    private static ParseResult<ProxyHeader> parsePrefix(byte[] v, int n) {
        return ProxyV2.parse(ByteBuffer.wrap(v, 0, n));
    }

    @Test
    void wrongSignatureAtEachPositionIsSeenAsSoonAsThatByteArrives() {
        for (int i = 0; i < 12; i++) {
            byte[] v = with(TCP4, i, TCP4[i] ^ 0x40);
            assertTrue(invalid(v).contains("signature mismatch at byte " + i), "byte " + i);
            for (int n = 0; n <= i; n++) {
                assertInstanceOf(ParseResult.NeedMore.class, parsePrefix(v, n), "byte " + i + ", prefix " + n);
            }
            assertTrue(invalid(parsePrefix(v, i + 1), v).contains("byte " + i), "early, byte " + i);
        }
    }

    @Test
    void proxyV1TextIsNotV2() {
        byte[] v1 = "PROXY TCP4 192.168.0.1 10.3.0.20 56324 443\r\n".getBytes(StandardCharsets.US_ASCII);
        assertTrue(invalid(v1).contains("v1"));
        assertTrue(invalid(parsePrefix(v1, 1), v1).contains("v1"), "known from the first byte");
        assertInstanceOf(ParseResult.Invalid.class, parse("PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void otherProtocolsAreNotProxy() {
        assertTrue(invalid(b(0x16, 0x03, 0x01, 0x02, 0x00)).contains("byte 0")); // TLS handshake
        assertTrue(invalid("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII)).contains("byte 0"));
        assertTrue(invalid(b(0x0D, 0x0A, 0x0D, 0x0A, 0x0D)).contains("byte 4")); // blank lines
    }

    @Test
    void versionOtherThanTwo() {
        for (int version : new int[] {0x0, 0x1, 0x3, 0xF}) {
            byte[] v = with(TCP4, 12, version << 4 | 0x1);
            assertTrue(invalid(v).contains("version " + version), "version " + version);
            assertTrue(invalid(parsePrefix(v, 13), v).contains("version"), "known at 13 bytes");
        }
    }

    @Test
    void commandOtherThanLocalOrProxy() {
        for (int cmd = 2; cmd <= 0xF; cmd++) {
            byte[] v = with(TCP4, 12, 0x20 | cmd);
            assertTrue(invalid(v).contains("command " + cmd), "command " + cmd);
            assertTrue(invalid(parsePrefix(v, 13), v).contains("command"));
        }
    }

    @Test
    void unknownFamily() {
        for (int family = 4; family <= 0xF; family++) {
            byte[] v = with(TCP4, 13, family << 4 | 0x1);
            assertTrue(invalid(v).contains("family " + family), "family " + family);
            assertTrue(invalid(parsePrefix(v, 14), v).contains("family"), "known at 14 bytes");
            assertInstanceOf(ParseResult.Invalid.class, parse(with(v, 12, 0x20)), "LOCAL too");
        }
    }

    @Test
    void unknownTransport() {
        for (int transport = 3; transport <= 0xF; transport++) {
            byte[] v = with(TCP4, 13, 0x10 | transport);
            assertTrue(invalid(v).contains("transport protocol " + transport), "transport " + transport);
        }
    }

    @Test
    void datagramsAreNotProxied() {
        assertTrue(invalid(with(TCP4, 13, 0x12)).contains("datagram"));        // UDP over IPv4
        assertTrue(invalid(with(TCP6, 13, 0x22)).contains("datagram"));        // UDP over IPv6
        assertTrue(invalid(with(unix(), 13, 0x32)).contains("datagram"));      // UNIX datagram
        assertTrue(invalid(parsePrefix(with(TCP4, 13, 0x12), 14), TCP4).contains("datagram"));
    }

    @Test
    void undefinedFamilyTransportCombinations() {
        for (int famProto : new int[] {0x01, 0x10, 0x20, 0x30}) {
            byte[] v = cat(SIG, b(0x21, famProto, 0x00, 0x00));
            assertTrue(invalid(v).contains("not a defined combination"), Integer.toHexString(famProto));
        }
    }

    @Test
    void lengthShorterThanTheAddressBlock() {
        byte[] v4 = with(TCP4, 15, 11);
        assertTrue(invalid(v4).contains("length 11 is shorter than the 12-byte"));
        assertTrue(invalid(parsePrefix(v4, 16), v4).contains("shorter"), "known at 16 bytes");
        assertTrue(invalid(with(TCP6, 15, 12)).contains("36-byte"));       // IPv6 sent with an IPv4 length
        assertTrue(invalid(cat(SIG, b(0x21, 0x11, 0x00, 0x00))).contains("12-byte")); // PROXY, no addresses
        assertTrue(invalid(with(unix(), 15, 0xD7)).contains("216-byte"));
    }

    @Test
    void lengthLongerThanTheAddressesMakesTheNextBytesTlvs() {
        // One, two or three bytes of a TLS record taken as header by a lying length.
        assertTrue(invalid(cat(with(TCP4, 15, 13), b(0x16))).contains("TLV header truncated: 1 byte"));
        assertTrue(invalid(cat(with(TCP4, 15, 14), b(0x16, 0x03))).contains("TLV header truncated: 2 byte"));
        assertTrue(invalid(cat(with(TCP4, 15, 15), b(0x16, 0x03, 0x01))).contains("declares 769 bytes"));
        // ... and while the declared bytes have not arrived, that is NeedMore.
        assertInstanceOf(ParseResult.NeedMore.class, parse(with(TCP4, 15, 13)));
    }

    @Test
    void tlvOverrunningTheHeader() {
        byte[] v = with(TLVS, 30, 0x03);                 // ALPN says 3 bytes; "h2" is 2
        assertTrue(invalid(with(v, 15, 12 + 5)).contains("declares 3 bytes, only 2 left"));
        byte[] last = with(TLVS, TLVS.length - 1, 0x01); // the final empty NOOP claims a byte
        assertTrue(invalid(last).contains("TLV 0x04"));
        byte[] huge = cat(with(TCP4, 15, 15), b(0x02, 0xFF, 0xFF));
        assertTrue(invalid(huge).contains("declares 65535 bytes, only 0 left"));
    }

    @Test
    void crc32cWithWrongLength() {
        byte[] three = cat(with(TCP4, 15, 12 + 6), b(0x03, 0x00, 0x03, 1, 2, 3));
        assertTrue(invalid(three).contains("CRC32C TLV of 3 bytes"));
        byte[] empty = cat(with(TCP4, 15, 12 + 3), b(0x03, 0x00, 0x00));
        assertTrue(invalid(empty).contains("CRC32C TLV of 0 bytes"));
    }

    @Test
    void twoCrc32cTlvs() {
        byte[] v = cat(with(CRC, 15, 19 + 7), b(0x03, 0x00, 0x04, 0x34, 0x8B, 0x6A, 0x5F));
        assertTrue(invalid(v).contains("more than one CRC32C"));
    }

    @Test
    void localTlvsAreStillChecked() {
        byte[] v = cat(SIG, b(0x20, 0x00, 0x00, 0x04, 0x01, 0x00, 0x05, 'x'));
        assertTrue(invalid(v).contains("declares 5 bytes"));
    }
}
