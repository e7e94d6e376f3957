package lnm.dns;

import java.util.List;

/**
 * A parsed DNS message (RFC 1035 section 4.1), query or response.
 *
 * <pre>
 *  header (12 bytes): ID | QR opcode(4) AA TC RD RA Z AD CD rcode(4) | QDCOUNT | ANCOUNT | NSCOUNT | ARCOUNT
 *  question section:  QDCOUNT x (name, type u16, class u16)
 *  answer, authority, additional: count x (name, type u16, class u16, ttl u32, rdlength u16, rdata)
 * </pre>
 *
 * <p>The EDNS0 OPT pseudo-record (RFC 6891) is taken out of the additional section into
 * {@link #edns()}. Record data is kept as raw bytes: names inside it may be compression
 * pointers into the message, and lnm never rewrites another server's records.
 *
 * @param size the message's length in bytes
 */
public record DnsMessage(int id, int flags, List<Question> questions, List<Record> answers, List<Record> authority,
                         List<Record> additional, Edns edns, int size) {

    /** One entry of the question section. */
    public record Question(DnsName name, int type, int qclass) {}

    /** One resource record; {@code rdata} is as received (do not modify). */
    public record Record(DnsName name, int type, int rclass, long ttl, byte[] rdata) {}

    /**
     * The OPT pseudo-record's fields.
     *
     * @param payloadSize     the UDP payload size the sender can receive, as sent (may be below 512)
     * @param extendedRcode   the upper 8 bits of a 12-bit rcode
     * @param dnssecOk        the DO bit
     * @param optionsLength   bytes of options carried (they are checked, not kept)
     */
    public record Edns(int payloadSize, int extendedRcode, int version, boolean dnssecOk, int optionsLength) {
        /** The size to keep UDP answers within: at least 512 (RFC 6891 section 6.2.5). */
        public int udpLimit() {
            return Math.max(512, payloadSize);
        }
    }

    public static final int QR = 0x8000;
    public static final int AA = 0x0400;
    public static final int TC = 0x0200;
    public static final int RD = 0x0100;
    public static final int RA = 0x0080;
    public static final int AD = 0x0020;
    public static final int CD = 0x0010;

    public DnsMessage {
        questions = List.copyOf(questions);
        answers = List.copyOf(answers);
        authority = List.copyOf(authority);
        additional = List.copyOf(additional);
    }

    public boolean isResponse() {
        return (flags & QR) != 0;
    }

    public int opcode() {
        return (flags >>> 11) & 0xf;
    }

    public boolean truncated() {
        return (flags & TC) != 0;
    }

    public boolean recursionDesired() {
        return (flags & RD) != 0;
    }

    /** The rcode: the header's 4 bits, extended by the OPT record's 8 bits when present. */
    public int rcode() {
        return (flags & 0xf) | (edns == null ? 0 : edns.extendedRcode() << 4);
    }

    /** The only question, or null if there is not exactly one. */
    public Question question() {
        return questions.size() == 1 ? questions.get(0) : null;
    }
}
