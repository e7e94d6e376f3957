package lnm.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import lnm.wire.ParseResult;

/**
 * PROXY v2 headers written by hand from proxy-protocol.txt section 2.2, one commented field
 * per line, plus the helpers the tests share. Nothing here calls the code under test.
 */
final class Vectors {

    private Vectors() {
    }

    /** The 12-byte signature: \r\n\r\n\0\r\nQUIT\n. */
    static final byte[] SIG = b(0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A);

    /** PROXY, TCP over IPv4: 192.168.0.1:56324 -> 10.3.0.20:443. */
    static final byte[] TCP4 = b(
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, // signature
            0x21,                   // version 2 (high nibble), command PROXY (low nibble 1)
            0x11,                   // family AF_INET (1), transport STREAM (1)
            0x00, 0x0C,             // length 12: the IPv4 address block, no TLVs
            0xC0, 0xA8, 0x00, 0x01, // source address 192.168.0.1
            0x0A, 0x03, 0x00, 0x14, // destination address 10.3.0.20
            0xDC, 0x04,             // source port 56324
            0x01, 0xBB);            // destination port 443

    /** PROXY, TCP over IPv6: [2001:db8::1]:50000 -> [fd00:3::20]:8883. */
    static final byte[] TCP6 = b(
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, // signature
            0x21,                   // version 2, command PROXY
            0x21,                   // family AF_INET6 (2), transport STREAM (1)
            0x00, 0x24,             // length 36: 16 + 16 + 2 + 2
            0x20, 0x01, 0x0D, 0xB8, 0x00, 0x00, 0x00, 0x00, // source 2001:db8::1 ...
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, //   ... its low 8 bytes
            0xFD, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, // destination fd00:3::20 ...
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, //   ... its low 8 bytes
            0xC3, 0x50,             // source port 50000
            0x22, 0xB3);            // destination port 8883

    /** LOCAL (a health check), AF_UNSPEC, no address, no TLVs: what a sender should emit. */
    static final byte[] LOCAL = b(
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, // signature
            0x20,                   // version 2, command LOCAL (0)
            0x00,                   // family AF_UNSPEC, transport UNSPEC
            0x00, 0x00);            // length 0

    /** PROXY with AF_UNSPEC: the sender could not say who the client was. */
    static final byte[] UNSPEC = b(
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, // signature
            0x21,                   // version 2, command PROXY
            0x00,                   // family AF_UNSPEC, transport UNSPEC
            0x00, 0x00);            // length 0

    /** LOCAL that still carries an IPv4 block, which the receiver must skip and ignore. */
    static final byte[] LOCAL_WITH_TCP4 = b(
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, // signature
            0x20,                   // version 2, command LOCAL
            0x11,                   // family AF_INET, STREAM (ignored for LOCAL)
            0x00, 0x0C,             // length 12
            0x7F, 0x00, 0x00, 0x01, // source 127.0.0.1 (to be ignored)
            0x7F, 0x00, 0x00, 0x01, // destination 127.0.0.1 (to be ignored)
            0x00, 0x50, 0x00, 0x50);// ports 80, 80

    /** TCP4's addresses followed by ALPN, AUTHORITY and two NOOP TLVs. */
    static final byte[] TLVS = b(
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, // signature
            0x21,                   // version 2, command PROXY
            0x11,                   // AF_INET, STREAM
            0x00, 0x28,             // length 40 = 12 (addresses) + 5 + 14 + 6 + 3 (TLVs)
            0xC0, 0xA8, 0x00, 0x01, // source 192.168.0.1
            0x0A, 0x03, 0x00, 0x14, // destination 10.3.0.20
            0xDC, 0x04, 0x01, 0xBB, // ports 56324, 443
            0x01, 0x00, 0x02,       // TLV PP2_TYPE_ALPN, length 2
            'h', '2',               //   "h2"
            0x02, 0x00, 0x0B,       // TLV PP2_TYPE_AUTHORITY, length 11
            'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm', // "example.com"
            0x04, 0x00, 0x03,       // TLV PP2_TYPE_NOOP, length 3
            0x00, 0x00, 0x00,       //   padding
            0x04, 0x00, 0x00);      // TLV PP2_TYPE_NOOP, length 0

    /**
     * TCP4's addresses followed by a CRC32C TLV. The checksum was computed outside this code
     * base (bitwise CRC32C, polynomial 0x82F63B78) over these 35 bytes with the field zeroed.
     */
    static final byte[] CRC = b(
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, // signature
            0x21,                   // version 2, command PROXY
            0x11,                   // AF_INET, STREAM
            0x00, 0x13,             // length 19 = 12 + 7
            0xC0, 0xA8, 0x00, 0x01, // source 192.168.0.1
            0x0A, 0x03, 0x00, 0x14, // destination 10.3.0.20
            0xDC, 0x04, 0x01, 0xBB, // ports 56324, 443
            0x03, 0x00, 0x04,       // TLV PP2_TYPE_CRC32C, length 4
            0x34, 0x8B, 0x6A, 0x5F);//   0x348B6A5F, network byte order

    /** Offset of the CRC32C value inside {@link #CRC}. */
    static final int CRC_VALUE_AT = 31;

    /** PROXY over AF_UNIX stream: 216 bytes of paths, accepted without addresses. */
    static byte[] unix() {
        byte[] block = new byte[216];
        byte[] src = "/run/lnm/client.sock".getBytes(StandardCharsets.US_ASCII);
        byte[] dst = "/run/lnm/server.sock".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(src, 0, block, 0, src.length);         // source path, NUL padded to 108
        System.arraycopy(dst, 0, block, 108, dst.length);       // destination path, NUL padded
        return cat(SIG, b(0x21, 0x31, 0x00, 0xD8), block);      // PROXY, AF_UNIX STREAM, length 216
    }

    /** Every well-formed vector, for the split-point and fuzz tests. */
    static List<byte[]> valid() {
        return List.of(TCP4, TCP6, LOCAL, UNSPEC, LOCAL_WITH_TCP4, TLVS, CRC, unix());
    }

    // ---- helpers ----

    static byte[] b(int... v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] with(byte[] v, int index, int value) {
        byte[] c = v.clone();
        c[index] = (byte) value;
        return c;
    }

    static InetSocketAddress addr(String literal, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(literal), port); // a literal: no DNS
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static ParseResult<ProxyHeader> parse(byte[] v) {
        return ProxyV2.parse(ByteBuffer.wrap(v));
    }

    static ProxyHeader parsed(byte[] v) {
        ParseResult<ProxyHeader> r = parse(v);
        if (!(r instanceof ParseResult.Parsed<ProxyHeader> p)) {
            return fail("expected Parsed, got " + r + " for " + hex(v));
        }
        assertEquals(v.length, p.consumed(), "consumed");
        return p.value();
    }

    static String invalid(byte[] v) {
        return invalid(parse(v), v);
    }

    static String invalid(ParseResult<ProxyHeader> r, byte[] v) {
        if (!(r instanceof ParseResult.Invalid<ProxyHeader> i)) {
            return fail("expected Invalid, got " + r + " for " + hex(v));
        }
        assertEquals(ProxyV2.INVALID, i.reason());
        return i.detail();
    }

    static String hex(byte[] v) {
        StringBuilder s = new StringBuilder();
        for (byte x : v) {
            s.append(String.format("%02x", x & 0xff));
        }
        return s.toString();
    }

    /** CRC32C written out bit by bit (RFC 4960 appendix B), independent of java.util.zip. */
    static long referenceCrc32c(byte[] data) {
        int crc = 0xFFFFFFFF;
        for (byte x : data) {
            crc ^= x & 0xff;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82F63B78 : crc >>> 1;
            }
        }
        return Integer.toUnsignedLong(~crc);
    }

    static byte[] range(byte[] v, int from, int to) {
        return Arrays.copyOfRange(v, from, to);
    }
}
