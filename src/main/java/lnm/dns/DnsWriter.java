package lnm.dns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import lnm.wire.BigEndian;

/**
 * Writes the DNS messages lnm sends itself: answers for allowlisted names, errors, and (for
 * tests and tools) queries. Pure functions from values to bytes.
 *
 * <p>Answers echo the question exactly as the client sent it (letter case included, which
 * some resolvers check) and name every answer record with a compression pointer to it
 * ({@code C0 0C}). When the query has an OPT record the answer has one too, advertising
 * {@value #UDP_SIZE} bytes (the DNS Flag Day 2020 size) and copying the DO bit; no options
 * are echoed. A UDP answer larger than the client can take is replaced by the same header
 * with TC set and no records, so the client retries over TCP (RFC 1035 section 4.2.1,
 * RFC 6891 section 7).
 */
public final class DnsWriter {
    /** The UDP payload size lnm advertises and the most it sends over UDP. */
    public static final int UDP_SIZE = 1232;
    /** The UDP limit for a client that sent no OPT record. */
    public static final int CLASSIC_UDP_LIMIT = 512;

    private DnsWriter() {}

    /**
     * The answer to a query: header, the question, records for {@code addresses} (A for IPv4,
     * AAAA for IPv6, all with {@code ttl}) and the OPT record if the query had one.
     *
     * @param rcode   0-4095; above 15 the upper bits go in the OPT record (only if there is one)
     * @param limit   the most bytes the client can take; a larger answer is sent truncated
     */
    public static byte[] answer(DnsMessage query, int rcode, boolean authoritative, List<InetAddress> addresses,
                                long ttl, int limit) {
        byte[] full = write(query, rcode, authoritative, false, addresses, ttl);
        if (full.length <= limit) {
            return full;
        }
        return write(query, rcode, authoritative, true, List.of(), ttl);
    }

    /**
     * A relayed upstream answer cut down to what a UDP client can take: the upstream's rcode,
     * AA and RA with TC set, the client's question, no records (and the OPT record if the
     * query had one), so the client asks again over TCP.
     */
    public static byte[] truncatedRelay(DnsMessage query, DnsMessage upstream) {
        byte[] out = write(query, upstream.rcode(), (upstream.flags() & DnsMessage.AA) != 0, true, List.of(), 0);
        if ((upstream.flags() & DnsMessage.RA) != 0) {
            out[3] |= (byte) DnsMessage.RA;
        }
        return out;
    }

    /** An answer with no records: REFUSED, NOTIMP, SERVFAIL, BADVERS, or an empty NOERROR. */
    public static byte[] error(DnsMessage query, int rcode) {
        return write(query, rcode, false, false, List.of(), 0);
    }

    /** True if the bytes are a response with TC set. */
    public static boolean truncated(byte[] response) {
        return response.length >= 4 && (response[2] & 0x02) != 0;
    }

    /**
     * FORMERR for bytes that did not parse: the 12-byte header only, with the query's ID,
     * opcode and RD bit. Null (send nothing) for fewer than 12 bytes or a message that is
     * itself a response, so that two servers can never keep answering each other.
     */
    public static byte[] formatError(ByteBuffer raw) {
        int p = raw.position();
        if (raw.limit() - p < DnsParser.HEADER || (raw.get(p + 2) & 0x80) != 0) {
            return null;
        }
        byte[] out = new byte[DnsParser.HEADER];
        out[0] = raw.get(p);
        out[1] = raw.get(p + 1);
        out[2] = (byte) (0x80 | (raw.get(p + 2) & 0x79)); // QR, opcode, RD
        out[3] = DnsCodes.FORMERR;
        return out;
    }

    /** A copy of a message with another ID. */
    public static byte[] withId(byte[] message, int id) {
        byte[] out = Arrays.copyOf(message, message.length);
        if (out.length >= 2) {
            out[0] = (byte) (id >>> 8);
            out[1] = (byte) id;
        }
        return out;
    }

    /** The ID of a message (its first two bytes), or -1 if it is shorter. */
    public static int id(byte[] message) {
        return message.length < 2 ? -1 : BigEndian.u16(message, 0);
    }

    /**
     * A standard query with one question, RD set, and an OPT record when {@code udpSize > 0}.
     * Queries come from clients; this is for tests and tools.
     */
    public static byte[] query(int id, DnsName name, int type, int udpSize) {
        Out o = new Out(DnsParser.HEADER + name.wireLength() + 4 + 11);
        o.u16(id).u16(DnsMessage.RD).u16(1).u16(0).u16(0).u16(udpSize > 0 ? 1 : 0);
        o.bytes(name.wireUnsafe()).u16(type).u16(DnsCodes.CLASS_IN);
        if (udpSize > 0) {
            o.u8(0).u16(DnsCodes.TYPE_OPT).u16(udpSize).u32(0).u16(0);
        }
        return o.done();
    }

    private static byte[] write(DnsMessage q, int rcode, boolean aa, boolean tc, List<InetAddress> addresses, long ttl) {
        DnsMessage.Question question = q.question();
        DnsMessage.Edns edns = q.edns();
        int flags = DnsMessage.QR | (q.opcode() << 11) | (q.flags() & (DnsMessage.RD | DnsMessage.CD)) | (rcode & 0xf);
        if (aa) {
            flags |= DnsMessage.AA;
        }
        if (tc) {
            flags |= DnsMessage.TC;
        }
        int size = DnsParser.HEADER + (question == null ? 0 : question.name().wireLength() + 4) + addresses.size() * 28 + 11;
        Out o = new Out(size);
        o.u16(q.id()).u16(flags).u16(question == null ? 0 : 1).u16(addresses.size()).u16(0).u16(edns == null ? 0 : 1);
        if (question != null) {
            o.bytes(question.name().wireUnsafe()).u16(question.type()).u16(question.qclass());
        }
        for (InetAddress a : addresses) {
            byte[] b = a.getAddress();
            o.u16(0xc000 | DnsParser.HEADER); // the question's name
            o.u16(a instanceof Inet4Address ? DnsCodes.TYPE_A : DnsCodes.TYPE_AAAA).u16(DnsCodes.CLASS_IN);
            o.u32(ttl).u16(b.length).bytes(b);
        }
        if (edns != null) {
            long optTtl = ((long) (rcode >>> 4) & 0xff) << 24 | (edns.dnssecOk() ? 0x8000 : 0);
            o.u8(0).u16(DnsCodes.TYPE_OPT).u16(UDP_SIZE).u32(optTtl).u16(0);
        }
        return o.done();
    }

    /** A growable big-endian byte writer. */
    private static final class Out {
        private byte[] b;
        private int n;

        Out(int capacity) {
            b = new byte[Math.max(16, capacity)];
        }

        private void room(int k) {
            if (n + k > b.length) {
                b = Arrays.copyOf(b, Math.max(b.length * 2, n + k));
            }
        }

        Out u8(int v) {
            room(1);
            b[n++] = (byte) v;
            return this;
        }

        Out u16(int v) {
            room(2);
            b[n++] = (byte) (v >>> 8);
            b[n++] = (byte) v;
            return this;
        }

        Out u32(long v) {
            return u16((int) (v >>> 16) & 0xffff).u16((int) v & 0xffff);
        }

        Out bytes(byte[] v) {
            room(v.length);
            System.arraycopy(v, 0, b, n, v.length);
            n += v.length;
            return this;
        }

        byte[] done() {
            return Arrays.copyOf(b, n);
        }
    }
}
