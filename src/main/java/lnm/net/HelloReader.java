package lnm.net;

import java.util.function.Function;

import lnm.audit.Reason;
import lnm.proxy.ProxyV2;
import lnm.tls.Alerts;
import lnm.tls.ClientHello;
import lnm.tls.ClientHelloParser;
import lnm.wire.ParseResult;

/**
 * Reads a TLS ClientHello from the head, for the fronts that need one (a tls listener's, and an
 * http listener's inside a CONNECT tunnel). A hello split over reads or records is normal: the
 * parser is fed the whole head again after each read.
 */
final class HelloReader {
    private HelloReader() {}

    /**
     * @param maxHello the largest hello accepted
     * @param proxyTrusted whether a PROXY header was allowed (then bytes that look like one here
     *     are just a malformed hello; from anyone else they say the sender expects PROXY support)
     * @param then what a complete hello leads to
     */
    static Front.Step read(Head head, int maxHello, boolean proxyTrusted, Function<ClientHello, Front.Step> then) {
        java.nio.ByteBuffer view = head.view();
        ParseResult<ClientHello> r = ClientHelloParser.parse(view, maxHello);
        if (r instanceof ParseResult.Invalid<ClientHello> bad) {
            if (!proxyTrusted && ProxyV2.mayBeSignature(view) && view.remaining() >= 12) {
                return new Front.Refuse(Reason.PROXY_PROTOCOL_UNTRUSTED, bad.detail(), -1, Front.Seen.NOTHING);
            }
            Reason reason = Reason.of(bad.reason());
            int alert = reason == Reason.INVALID_SNI ? Alerts.UNRECOGNIZED_NAME : Alerts.DECODE_ERROR;
            return new Front.Refuse(reason, bad.detail(), alert, Front.Seen.NOTHING);
        }
        if (r instanceof ParseResult.Parsed<ClientHello> ok) {
            return then.apply(ok.value());
        }
        return Front.NeedMore.INSTANCE;
    }
}
