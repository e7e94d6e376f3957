package lnm.dns;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import lnm.dns.DnsMessage.Edns;
import lnm.dns.DnsMessage.Question;
import lnm.dns.DnsMessage.Record;
import lnm.wire.BigEndian;
import lnm.wire.Cursor;
import lnm.wire.Fault;
import lnm.wire.ParseResult;

/**
 * A pure, bounded DNS message parser (RFC 1035 section 4.1, EDNS0 per RFC 6891), and the TCP
 * framing in front of it (RFC 1035 section 4.2.2, RFC 7766).
 *
 * <p>Every length is checked through {@link Cursor} before it is read; nothing here throws on
 * any input and the caller's buffer position and limit are never moved. What is refused,
 * with the fault {@link #MALFORMED}:
 * <ul>
 *   <li>fewer than 12 bytes, or any count that promises more entries than the bytes hold;
 *   <li>a label or name running past the end, a name over 255 bytes, label types 01 and 10;
 *   <li>a compression pointer into the header, or one that does not point strictly before
 *       the place the name's current run of labels started: each pointer must go further
 *       back than the last, so no chain of pointers can loop; and more than 127 pointers;
 *   <li>an OPT record outside the additional section, a second one, one not named with the
 *       root, or options that overrun it;
 *   <li>bytes left over after the last record.
 * </ul>
 *
 * <p>A UDP datagram or a TCP frame's body is one complete message, so {@link #parse} never
 * answers {@code NeedMore}: a short message is malformed. {@link #frame} is what answers
 * {@code NeedMore} while a TCP stream's bytes arrive.
 */
public final class DnsParser {
    /** The fault of every {@link ParseResult.Invalid} here. */
    public static final Fault MALFORMED = Fault.MALFORMED_DNS;
    public static final int HEADER = 12;
    static final int MAX_POINTERS = 127;

    private DnsParser() {}

    /**
     * Parses the message in {@code in[position, limit)}.
     *
     * @return {@code Parsed(message, remaining)} or {@code Invalid(}{@link #MALFORMED}{@code , detail)}
     */
    public static ParseResult<DnsMessage> parse(ByteBuffer in) {
        final int base = in.position();
        final int size = in.limit() - base;
        if (size <= 0) {
            return invalid("empty message");
        }
        if (size < HEADER) {
            return invalid("message of " + size + " bytes is shorter than the 12-byte header");
        }
        Cursor c = new Cursor(in, base, in.limit());
        int id = c.u16();
        int flags = c.u16();
        int qd = c.u16();
        int an = c.u16();
        int ns = c.u16();
        int ar = c.u16();

        List<Question> questions = new ArrayList<>(Math.min(qd, 4));
        for (int i = 0; i < qd; i++) {
            ParseResult<DnsName> n = name(in, base, c);
            if (n instanceof ParseResult.Invalid<DnsName> bad) {
                return invalid("question " + (i + 1) + " of " + qd + ": " + bad.detail());
            }
            int type = c.u16();
            int qclass = c.u16();
            if (!c.ok()) {
                return invalid("question " + (i + 1) + " of " + qd + ": type and class run past the end");
            }
            questions.add(new Question(value(n), type, qclass));
        }
        Sections s = new Sections();
        String bad = records(in, base, c, an, "answer", s.answers, s);
        if (bad == null) {
            bad = records(in, base, c, ns, "authority", s.authority, s);
        }
        if (bad == null) {
            bad = records(in, base, c, ar, "additional", s.additional, s);
        }
        if (bad != null) {
            return invalid(bad);
        }
        if (c.remaining() > 0) {
            return invalid(c.remaining() + " bytes after the last record");
        }
        return new ParseResult.Parsed<>(
                new DnsMessage(id, flags, questions, s.answers, s.authority, s.additional, s.edns, size), size);
    }

    /**
     * TCP framing: a 2-byte big-endian length, then that many bytes of message.
     *
     * @param maxMessage the longest message accepted (a zero-length one never is)
     * @return {@code NeedMore} until the whole frame is in {@code in[position, limit)}, then
     *         {@code Parsed(messageLength, 2 + messageLength)}; {@code Invalid} for a zero or
     *         too large length
     */
    public static ParseResult<Integer> frame(ByteBuffer in, int maxMessage) {
        Cursor c = Cursor.of(in);
        int len = c.u16();
        if (!c.ok()) {
            return ParseResult.needMore();
        }
        if (len == 0) {
            return invalid("zero-length TCP frame");
        }
        if (len > maxMessage) {
            return invalid("TCP frame of " + len + " bytes, more than the " + maxMessage + " accepted");
        }
        if (!c.has(len)) {
            return ParseResult.needMore();
        }
        return new ParseResult.Parsed<>(len, 2 + len);
    }

    private static final class Sections {
        final List<Record> answers = new ArrayList<>();
        final List<Record> authority = new ArrayList<>();
        final List<Record> additional = new ArrayList<>();
        Edns edns;
    }

    /** Reads {@code count} records into {@code out}; returns what was wrong, or null. */
    private static String records(ByteBuffer in, int base, Cursor c, int count, String section, List<Record> out, Sections s) {
        for (int i = 0; i < count; i++) {
            String where = section + " record " + (i + 1) + " of " + count + ": ";
            ParseResult<DnsName> n = name(in, base, c);
            if (n instanceof ParseResult.Invalid<DnsName> bad) {
                return where + bad.detail();
            }
            int type = c.u16();
            int rclass = c.u16();
            long ttl = c.u32();
            Cursor rdata = c.vector(2);
            if (!c.ok()) {
                return where + "runs past the end";
            }
            if (type == DnsCodes.TYPE_OPT) {
                String why = opt(value(n), rclass, ttl, rdata, section, s);
                if (why != null) {
                    return where + why;
                }
                continue;
            }
            out.add(new Record(value(n), type, rclass, ttl, rdata.bytes(rdata.remaining())));
        }
        return null;
    }

    private static String opt(DnsName name, int rclass, long ttl, Cursor rdata, String section, Sections s) {
        if (!section.equals("additional")) {
            return "OPT record outside the additional section";
        }
        if (s.edns != null) {
            return "more than one OPT record";
        }
        if (!name.isRoot()) {
            return "OPT record named '" + name.text() + "', not the root";
        }
        int optionsLength = rdata.remaining();
        while (rdata.remaining() > 0) {
            rdata.u16(); // option code
            rdata.vector(2);
            if (!rdata.ok()) {
                return "EDNS option runs past the end of the OPT record";
            }
        }
        s.edns = new Edns(rclass, (int) (ttl >>> 24), (int) (ttl >>> 16) & 0xff, (ttl & 0x8000) != 0, optionsLength);
        return null;
    }

    /**
     * Reads a possibly compressed name at the cursor, which moves past it (past the first
     * pointer, if any). Offsets in messages count from {@code base}.
     */
    static ParseResult<DnsName> name(ByteBuffer in, int base, Cursor main) {
        byte[] out = new byte[DnsName.MAX_WIRE];
        int n = 0;
        Cursor c = main;
        int runStart = main.position();
        int pointers = 0;
        while (true) {
            int at = c.position();
            int len = c.u8();
            if (!c.ok()) {
                return invalid("name runs past the end at offset " + (at - base));
            }
            if (len == 0) {
                out[n++] = 0;
                return new ParseResult.Parsed<>(new DnsName(java.util.Arrays.copyOf(out, n)), 0);
            }
            switch (len & 0xc0) {
                case 0xc0 -> {
                    c.u8(); // the pointer's low byte, read to check it is there
                    if (!c.ok()) {
                        return invalid("compression pointer cut off at offset " + (at - base));
                    }
                    int target = BigEndian.u16(in, at) & 0x3fff; // the offset: 14 bits after the tag bits 11
                    if (target < HEADER) {
                        return invalid("compression pointer at offset " + (at - base) + " points into the header (" + target + ")");
                    }
                    if (base + target >= runStart) {
                        return invalid("compression pointer at offset " + (at - base) + " points to " + target
                                + ", not before offset " + (runStart - base) + " (a pointer loop or forward pointer)");
                    }
                    if (++pointers > MAX_POINTERS) {
                        return invalid("more than " + MAX_POINTERS + " compression pointers in one name");
                    }
                    runStart = base + target;
                    // The main cursor stays after the first pointer; the labels go on over there.
                    c = new Cursor(in, base + target, in.limit());
                }
                case 0x00 -> {
                    if (n + 1 + len + 1 > DnsName.MAX_WIRE) {
                        return invalid("name longer than " + DnsName.MAX_WIRE + " bytes");
                    }
                    if (!c.has(len)) {
                        return invalid("label of " + len + " bytes at offset " + (at - base) + " runs past the end");
                    }
                    out[n++] = (byte) len;
                    for (byte b : c.bytes(len)) {
                        out[n++] = b;
                    }
                }
                default -> {
                    return invalid("label type 0x" + Integer.toHexString(len & 0xc0) + " at offset " + (at - base)
                            + " is not supported");
                }
            }
        }
    }

    private static <T> T value(ParseResult<T> r) {
        return ((ParseResult.Parsed<T>) r).value();
    }

    private static <T> ParseResult<T> invalid(String detail) {
        return ParseResult.invalid(MALFORMED, detail);
    }
}
