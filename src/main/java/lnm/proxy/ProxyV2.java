package lnm.proxy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import lnm.wire.BigEndian;
import lnm.wire.Cursor;
import lnm.wire.Fault;
import lnm.wire.ParseResult;

/**
 * PROXY protocol version 2 (haproxy's proxy-protocol.txt, section 2.2): a pure parser and a
 * writer for the binary header one lnm level puts in front of the bytes it forwards, so the
 * level above learns the original client.
 *
 * <pre>
 *  0               12    13    14        16                 16+block        16+len
 *  | signature (12) | ver | fam | len (2) | address block    | TLVs ...      |
 *                    cmd   proto           (0/12/36/216)      type u8, length u16, value
 * </pre>
 *
 * <p>What is accepted, beyond the spec's "must" rules: the PROXY command with TCP over IPv4 or
 * IPv6 (addresses returned), AF_UNSPEC or AF_UNIX streams (no addresses); never datagrams,
 * since lnm only relays streams. For LOCAL the family is ignored as the spec requires: if the
 * length covers the family's address block the TLVs after it are read, otherwise the body is
 * skipped whole. Malformed input of any kind is {@link ParseResult.Invalid} with reason
 * {@link #INVALID} and a detail naming the field.
 */
public final class ProxyV2 {

    /** The largest header there can be: 16 fixed bytes plus a 16-bit length. */
    public static final int MAX_HEADER = 16 + 65535;

    /** The fault of every {@link ParseResult.Invalid} this parser returns. */
    public static final Fault INVALID = Fault.PROXY_PROTOCOL_INVALID;

    private static final byte[] SIGNATURE = {
        0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final int FIXED = 16;
    private static final int VERSION = 2;
    private static final int CMD_LOCAL = 0x0;
    private static final int CMD_PROXY = 0x1;
    private static final int AF_UNSPEC = 0x0;
    private static final int AF_INET = 0x1;
    private static final int AF_INET6 = 0x2;
    private static final int AF_UNIX = 0x3;
    private static final int DGRAM = 0x2;

    private ProxyV2() {
    }

    /**
     * Parses a header from {@code in[position, limit)}. Pure; never throws on any input; does
     * not move the buffer's position or limit, so it can be called again as bytes arrive.
     * Each field is judged as soon as its bytes are there: a byte that disagrees with the
     * signature is {@code Invalid} at once, not after 16 bytes have arrived.
     *
     * @return {@code NeedMore} for a proper prefix of a header that may still be valid,
     *         {@code Parsed(header, 16 + len)} for a complete one (bytes after it are the
     *         caller's), or {@code Invalid(}{@link #INVALID}{@code , detail)}
     */
    public static ParseResult<ProxyHeader> parse(ByteBuffer in) {
        final int start = in.position();
        final int avail = in.remaining();
        for (int i = 0; i < SIGNATURE.length && i < avail; i++) {
            byte b = in.get(start + i);
            if (b != SIGNATURE[i]) {
                return invalid(signatureDetail(i, b));
            }
        }
        if (avail < 13) {
            return ParseResult.needMore();
        }
        int verCmd = in.get(start + 12) & 0xff;
        if (verCmd >>> 4 != VERSION) {
            return invalid("version " + (verCmd >>> 4) + ", only 2 is accepted");
        }
        int command = verCmd & 0x0f;
        if (command != CMD_LOCAL && command != CMD_PROXY) {
            return invalid("command " + command + " is neither LOCAL (0) nor PROXY (1)");
        }
        if (avail < 14) {
            return ParseResult.needMore();
        }
        int famProto = in.get(start + 13) & 0xff;
        int family = famProto >>> 4;
        int transport = famProto & 0x0f;
        if (family > AF_UNIX) {
            return invalid("address family " + family + " is unknown");
        }
        if (transport > DGRAM) {
            return invalid("transport protocol " + transport + " is unknown");
        }
        int block = addressBlock(famProto);
        if (command == CMD_PROXY) {
            if (transport == DGRAM) {
                return invalid(String.format("datagram transport (0x%02x): only streams are proxied", famProto));
            }
            if (block < 0) {
                return invalid(String.format("family/protocol 0x%02x is not a defined combination", famProto));
            }
        }
        if (avail < FIXED) {
            return ParseResult.needMore();
        }
        // A 16-bit length cannot exceed MAX_HEADER - 16, so the only length checks are the
        // address block below and the TLV walk; callers size their buffer by MAX_HEADER.
        int len = BigEndian.u16(in, start + 14);
        if (command == CMD_PROXY && len < block) {
            return invalid("length " + len + " is shorter than the " + block + "-byte address block of family "
                    + family);
        }
        if (avail - FIXED < len) {
            return ParseResult.needMore();
        }
        final int end = start + FIXED + len;
        Cursor body = new Cursor(in, start + FIXED, end);
        InetSocketAddress source = null;
        InetSocketAddress destination = null;
        List<Tlv> tlvs = new ArrayList<>();
        if (command == CMD_LOCAL) {
            if (block < 0 || len < block) {
                return parsed(new ProxyHeader(true, null, null, tlvs), len);
            }
            body.skip(block);
        } else if (family == AF_INET || family == AF_INET6) {
            int n = family == AF_INET ? 4 : 16;
            byte[] srcIp = body.bytes(n);
            byte[] dstIp = body.bytes(n);
            source = socketAddress(srcIp, body.u16());
            destination = socketAddress(dstIp, body.u16());
        } else {
            body.skip(block);
        }
        String bad = readTlvs(in, start, end, body, tlvs);
        if (bad != null) {
            return invalid(bad);
        }
        return parsed(new ProxyHeader(command == CMD_LOCAL, source, destination, tlvs), len);
    }

    /**
     * Whether the bytes so far, {@code in[position, limit)}, are a prefix of the 12-byte
     * signature (or begin with all of it). True for an empty buffer. Does not move the buffer.
     * A listener that accepts PROXY v2 optionally uses this to tell "wait" from "not PROXY".
     */
    public static boolean mayBeSignature(ByteBuffer in) {
        int start = in.position();
        int n = Math.min(in.remaining(), SIGNATURE.length);
        for (int i = 0; i < n; i++) {
            if (in.get(start + i) != SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * A PROXY header for a TCP connection from {@code source} to {@code destination}, without
     * TLVs. Both IPv4 gives an AF_INET block; otherwise AF_INET6, with any IPv4 address written
     * as {@code ::ffff:a.b.c.d} (which {@link #parse} returns as the IPv4 address again).
     *
     * @throws IllegalArgumentException if an address is unresolved
     */
    public static byte[] encode(InetSocketAddress source, InetSocketAddress destination) {
        InetAddress src = resolved(source, "source");
        InetAddress dst = resolved(destination, "destination");
        boolean v4 = src instanceof Inet4Address && dst instanceof Inet4Address;
        int block = v4 ? 12 : 36;
        ByteBuffer out = ByteBuffer.allocate(FIXED + block);
        out.put(SIGNATURE)
                .put((byte) (VERSION << 4 | CMD_PROXY))
                .put((byte) (v4 ? 0x11 : 0x21))
                .putShort((short) block);
        out.put(v4 ? src.getAddress() : ipv6Bytes(src));
        out.put(v4 ? dst.getAddress() : ipv6Bytes(dst));
        out.putShort((short) source.getPort()).putShort((short) destination.getPort());
        return out.array();
    }

    /** A LOCAL header (health checks from the proxy itself): AF_UNSPEC, no addresses, no TLVs. */
    public static byte[] encodeLocal() {
        return ByteBuffer.allocate(FIXED)
                .put(SIGNATURE)
                .put((byte) (VERSION << 4 | CMD_LOCAL))
                .put((byte) 0x00)
                .putShort((short) 0)
                .array();
    }

    /** Address block size of a defined family/protocol byte (section 2.2), or -1. */
    private static int addressBlock(int famProto) {
        return switch (famProto) {
            case 0x00 -> 0;
            case 0x11, 0x12 -> 12;
            case 0x21, 0x22 -> 36;
            case 0x31, 0x32 -> 216;
            default -> -1;
        };
    }

    /**
     * Reads TLVs from {@code body} to its end into {@code out} and verifies a CRC32C over
     * {@code in[start, end)}. Returns null when all is well, else what was wrong.
     */
    private static String readTlvs(ByteBuffer in, int start, int end, Cursor body, List<Tlv> out) {
        int crcAt = -1;
        long crcSent = 0;
        while (body.remaining() > 0) {
            if (!body.has(3)) {
                return "TLV header truncated: " + body.remaining() + " byte(s) left at offset "
                        + (body.position() - start);
            }
            int at = body.position() - start;
            int type = body.u8();
            int n = body.u16();
            if (!body.has(n)) {
                return String.format("TLV 0x%02x at offset %d declares %d bytes, only %d left in the header",
                        type, at, n, body.remaining());
            }
            int valueAt = body.position();
            byte[] value = body.bytes(n);
            if (type == Tlv.CRC32C) {
                if (n != 4) {
                    return "CRC32C TLV of " + n + " bytes, expected 4";
                }
                if (crcAt >= 0) {
                    return "more than one CRC32C TLV";
                }
                crcAt = valueAt;
                // Network byte order, byte by byte: the caller's buffer may be little-endian.
                crcSent = BigEndian.u32(value, 0);
            }
            out.add(new Tlv(type, value));
        }
        if (crcAt >= 0) {
            long actual = crc32c(in, start, end, crcAt);
            if (actual != crcSent) {
                return String.format("CRC32C mismatch: header says %08x, computed %08x", crcSent, actual);
            }
        }
        return null;
    }

    /** CRC32C of {@code in[from, to)} with the 4 bytes at {@code zeroAt} taken as zeros. */
    private static long crc32c(ByteBuffer in, int from, int to, int zeroAt) {
        CRC32C crc = new CRC32C();
        ByteBuffer view = in.duplicate(); // CRC32C.update(ByteBuffer) moves the position
        view.limit(zeroAt).position(from);
        crc.update(view);
        crc.update(new byte[4]);
        view.limit(to).position(zeroAt + 4);
        crc.update(view);
        return crc.getValue();
    }

    private static InetSocketAddress socketAddress(byte[] ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            throw new AssertionError("address of " + ip.length + " bytes", e); // lengths are 4 or 16
        }
    }

    private static InetAddress resolved(InetSocketAddress a, String what) {
        if (a.isUnresolved()) {
            throw new IllegalArgumentException(what + " address is unresolved: " + a);
        }
        return a.getAddress();
    }

    private static byte[] ipv6Bytes(InetAddress a) {
        if (a instanceof Inet6Address) {
            return a.getAddress();
        }
        byte[] v6 = new byte[16];
        v6[10] = (byte) 0xff;
        v6[11] = (byte) 0xff;
        System.arraycopy(a.getAddress(), 0, v6, 12, 4);
        return v6;
    }

    private static String signatureDetail(int i, byte b) {
        String s = String.format("signature mismatch at byte %d: 0x%02x, expected 0x%02x", i, b & 0xff,
                SIGNATURE[i] & 0xff);
        return i == 0 && b == 'P' ? s + " (PROXY v1 text? only v2 is accepted)" : s;
    }

    private static ParseResult<ProxyHeader> parsed(ProxyHeader h, int len) {
        return new ParseResult.Parsed<>(h, FIXED + len);
    }

    private static ParseResult<ProxyHeader> invalid(String detail) {
        return ParseResult.invalid(INVALID, detail);
    }
}
