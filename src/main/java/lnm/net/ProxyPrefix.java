package lnm.net;

import java.net.InetSocketAddress;
import java.util.function.Consumer;

import lnm.audit.Reason;
import lnm.config.CidrSet;
import lnm.proxy.ProxyHeader;
import lnm.proxy.ProxyV2;
import lnm.tls.Alerts;
import lnm.wire.ParseResult;

/**
 * A PROXY v2 header in front of any listener's front, for clients listed in the listener's
 * {@code acceptProxyProtocol}: the header is read and consumed first (never replayed), its
 * source becomes the connection's origin, and then the wrapped front takes over, with the
 * bytes that followed the header.
 *
 * <p>The origin is a client like any other: outside {@code sources} it is refused
 * ({@code source_not_allowed}) before the wrapped front reads anything, as the peer itself
 * would be. A header that names no origin (the LOCAL command, or an AF_UNSPEC or AF_UNIX
 * block) means, as the spec says, that the connection is the peer's own: the peer, already
 * checked against {@code sources} at accept, is the client.
 */
final class ProxyPrefix implements Front {
    private final Front next;
    private final CidrSet sources;
    private boolean done;
    private InetSocketAddress origin;

    /** @param sources who may connect ({@code sources}): the origin a header names must be in it */
    ProxyPrefix(Front next, CidrSet sources) {
        this.next = next;
        this.sources = sources;
    }

    @Override
    public int headAllowance() {
        return next.headAllowance() + ProxyV2.MAX_HEADER;
    }

    @Override
    public Step start(Head head) {
        return NeedMore.INSTANCE; // the header comes first, whatever the front
    }

    @Override
    public Step onHead(Head head) {
        if (done) {
            return next.onHead(head);
        }
        ParseResult<ProxyHeader> r = ProxyV2.parse(head.all());
        if (r instanceof ParseResult.Invalid<ProxyHeader> bad) {
            return new Refuse(Reason.of(bad.reason()), bad.detail(), -1, Seen.NOTHING);
        }
        if (!(r instanceof ParseResult.Parsed<ProxyHeader> ok)) {
            return NeedMore.INSTANCE;
        }
        done = true;
        head.skip(ok.consumed());
        if (!ok.value().local() && ok.value().source() != null) {
            origin = ok.value().source();
            if (!sources.contains(origin.getAddress())) {
                return new Refuse(Reason.SOURCE_NOT_ALLOWED, "origin outside sources", Alerts.ACCESS_DENIED, Seen.NOTHING);
            }
        }
        Step s = next.start(head);
        return s instanceof NeedMore ? next.onHead(head) : s;
    }

    @Override
    public Step onConnected() {
        return next.onConnected();
    }

    @Override
    public Pipe.Gate gate(Pipe down, int headerLen, Consumer<Step> events) {
        return next.gate(down, headerLen, events);
    }

    @Override
    public Refusal refusal(Reason reason, int alert) {
        return next.refusal(reason, alert);
    }

    @Override
    public InetSocketAddress origin() {
        return origin;
    }
}
