package lnm.dns;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import lnm.config.IpLiteral;
import lnm.wire.BigEndian;
import lnm.wire.ParseResult;

/**
 * Whether a datagram that arrived on a forwarded query's own socket is the answer to that
 * query: it must come from an upstream address and port the query was sent to, carry the ID
 * sent, be a response, and ask the question that was asked (name compared without regard to
 * ASCII case, type and class exactly). Anything else is an off-path forger's guess, a stray
 * late answer or garbage, and is dropped. The socket itself is the fourth part of the match:
 * each query has one of its own ({@link Forwarder}), so only datagrams to that port are looked at.
 *
 * <p>Pure and cheap in the order of its checks: the source and the ID are compared before
 * anything is parsed.
 */
final class AnswerMatch {
    /** Why a datagram was taken or dropped. */
    enum Verdict {
        ACCEPT,
        /** Not from an address and port the query went to. */
        WRONG_SOURCE,
        /** Shorter than a header, or does not parse. */
        MALFORMED,
        /** Not the ID the query carried. */
        WRONG_ID,
        /** QR not set: a query, not an answer. */
        NOT_RESPONSE,
        /** Another question (or not exactly one). */
        WRONG_QUESTION
    }

    /** The verdict, and the parsed answer when it is {@link Verdict#ACCEPT}. */
    record Result(Verdict verdict, DnsMessage answer) {}

    private AnswerMatch() {}

    /**
     * @param datagram its bytes in {@code [position, limit)}, not consumed
     * @param from     who sent it
     * @param sentTo   the upstreams the query has been sent to so far (IPv4 addresses unmapped)
     * @param id       the ID the query carried upstream
     * @param question the question asked
     */
    static Result check(ByteBuffer datagram, InetSocketAddress from, List<InetSocketAddress> sentTo, int id,
                        DnsMessage.Question question) {
        if (!sentTo.contains(source(from))) {
            return new Result(Verdict.WRONG_SOURCE, null);
        }
        if (datagram.remaining() < DnsParser.HEADER) {
            return new Result(Verdict.MALFORMED, null);
        }
        if (BigEndian.u16(datagram, datagram.position()) != id) {
            return new Result(Verdict.WRONG_ID, null);
        }
        if (!(DnsParser.parse(datagram.duplicate()) instanceof ParseResult.Parsed<DnsMessage> parsed)) {
            return new Result(Verdict.MALFORMED, null);
        }
        DnsMessage m = parsed.value();
        if (!m.isResponse()) {
            return new Result(Verdict.NOT_RESPONSE, null);
        }
        if (!question.equals(m.question())) {
            return new Result(Verdict.WRONG_QUESTION, null);
        }
        return new Result(Verdict.ACCEPT, m);
    }

    /** {@code from} with an IPv4-mapped address (a dual-stack socket's view) unmapped, to compare with upstreams. */
    static InetSocketAddress source(InetSocketAddress from) {
        return new InetSocketAddress(IpLiteral.unmapped(from.getAddress()), from.getPort());
    }
}
