package lnm.net;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import lnm.audit.Reason;
import lnm.config.Config;
import lnm.config.Decision;
import lnm.config.Enforcement;
import lnm.config.Policy;
import lnm.config.PolicyReason;
import lnm.http.HttpHeadParser;
import lnm.http.HttpLimits;
import lnm.http.HttpResponses;
import lnm.http.RequestHead;
import lnm.tls.Alerts;
import lnm.tls.ClientHello;
import lnm.wire.Fault;
import lnm.wire.ParseResult;

/**
 * The front of an {@code http} listener: reads the request head, decides on its host, and
 * refuses with an HTTP error response.
 *
 * <pre>
 *   request head ──CONNECT allowed──> (connect upstream) ──200──> tunnel hello ──SNI == host──> relay
 *      │                                    └── connect.requireMatchingSni off: 200 first on the relay ──> relay
 *      ├──plain request allowed──> (connect upstream, replay the head) ──> relay, every further head re-checked
 *      └──denied / malformed / upstream down──> an HTTP error response, linger, close
 * </pre>
 *
 * <p>A CONNECT is answered only once the upstream is connected, so an unreachable upstream is a
 * {@code 502}, not a broken tunnel. The CONNECT head itself is never forwarded: upstream sees the
 * TLS hello, so a {@code parent} is reached on its ordinary TLS listener (with PROXY v2 when
 * {@code parent.proxyProtocol = v2}) and needs no http listener. A plain request is forwarded
 * as received, head and all, to the destination its Host names; a parent must then run an http
 * listener on that port. After the 200, refusals are TLS alerts: the client speaks TLS by then.
 * Later request heads on a plain connection are checked by {@link HttpGate}, above the pump.
 */
final class HttpFront implements Front {
    static final HttpLimits LIMITS = HttpLimits.DEFAULT;
    /** A port denial names no allowlist rule. */
    private static final Decision PORT_DENIED = Decision.deny(PolicyReason.PORT_NOT_ALLOWED);

    private final Config cfg;
    private final InetAddress source;
    private final boolean proxyTrusted;
    private final Enforcement policy;
    /** The request that was allowed: the host every later request must keep. */
    private RequestHead first;
    /** True once a CONNECT's 200 is out and the tunnel's hello is read: refusals are TLS alerts. */
    private boolean tunnel;
    /** What the refusal message names: the request's host, or null before one is known. */
    private String host;
    private int port = -1;
    private String detail;
    /** How far the request head has been parsed: each read goes on from the last complete line. */
    private HttpHeadParser.Progress parsed = HttpHeadParser.Progress.START;

    HttpFront(Config cfg, InetAddress source, boolean proxyTrusted, Enforcement policy) {
        this.cfg = cfg;
        this.source = source;
        this.proxyTrusted = proxyTrusted;
        this.policy = policy;
    }

    /** One request head, plus one read past it. */
    @Override
    public int headAllowance() {
        return LIMITS.maxHeadBytes() + Server.BUFFER_SIZE;
    }

    @Override
    public Step start(Head head) {
        return NeedMore.INSTANCE;
    }

    @Override
    public Step onHead(Head head) {
        return tunnel ? HelloReader.read(head, cfg.maxHelloBytes(), proxyTrusted, this::checkHello) : onRequest(head.view());
    }

    // ---- the first request ---------------------------------------------------------------

    private Step onRequest(ByteBuffer view) {
        HttpHeadParser.Outcome o = HttpHeadParser.resume(view, LIMITS, parsed);
        parsed = o.progress();
        ParseResult<RequestHead> r = o.result();
        if (r instanceof ParseResult.Invalid<RequestHead> bad) {
            detail = bad.detail();
            return new Refuse(Reason.of(bad.reason()), bad.detail(), Alerts.ACCESS_DENIED, Seen.NOTHING);
        }
        if (!(r instanceof ParseResult.Parsed<RequestHead> ok)) {
            return NeedMore.INSTANCE;
        }
        RequestHead h = ok.value();
        host = h.host();
        port = h.port();
        String portRefused = portRefused(h);
        if (portRefused != null) {
            detail = portRefused;
            return new Refuse(Reason.PORT_NOT_ALLOWED, portRefused, Alerts.ACCESS_DENIED, new Seen(null, h, PORT_DENIED));
        }
        Decision d = Policy.decide(cfg, policy, h.host(), h.port(), source);
        Seen seen = new Seen(null, h, d);
        if (!d.allowed()) {
            return new Refuse(Reason.of(d.reason()), null, Alerts.ACCESS_DENIED, seen);
        }
        first = h;
        return Connect.of(d, h.port(), h.isConnect() ? ok.consumed() : 0, seen);
    }

    /** Why the listener does not allow the port {@code h} names, or null if it does. */
    private String portRefused(RequestHead h) {
        List<Integer> ports = h.isConnect() ? cfg.connectPorts() : cfg.httpPorts();
        if (ports.contains(h.port())) {
            return null;
        }
        return (h.isConnect() ? "CONNECT" : "plain HTTP") + " to port " + h.port() + "; allowed: "
                + ports.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    // ---- after the upstream is connected ---------------------------------------------------

    /**
     * A CONNECT whose hello must match answers 200 now and has its tunnel's hello read; one
     * that need not match gets its 200 ahead of the upstream's bytes; a plain request relays.
     */
    @Override
    public Step onConnected() {
        if (!first.isConnect()) {
            return new Relay(null, 0, Seen.NOTHING);
        }
        if (!cfg.connectRequireMatchingSni()) {
            return new Relay(HttpResponses.connectEstablished(), 200, Seen.NOTHING);
        }
        tunnel = true;
        return new TunnelHello(HttpResponses.connectEstablished(), 200);
    }

    /** The tunnel's hello: it goes on only if its SNI is the CONNECT host. */
    private Step checkHello(ClientHello h) {
        String sni = h.sni() == null ? null : stripDot(h.sni().toLowerCase(Locale.ROOT));
        Seen seen = new Seen(h, null, null);
        if (sni != null && sni.equals(stripDot(first.host()))) {
            if (h.ech() && !cfg.echAllowed()) {
                return new Refuse(Reason.ECH, "encrypted_client_hello refused (tls.ech = deny)", Alerts.ACCESS_DENIED, seen);
            }
            return new Relay(null, 0, seen);
        }
        String why = "SNI " + (sni == null ? "(none)" : sni) + " differs from the CONNECT host " + first.host();
        return new Refuse(Reason.SNI_MISMATCH, why, Alerts.ACCESS_DENIED, seen);
    }

    /** A plain request's stream is gated so every following head is checked; a tunnel is not. */
    @Override
    public Pipe.Gate gate(Pipe down, int headerLen, Consumer<Step> events) {
        return first.isConnect() ? null : new HttpGate(this, down, headerLen, events);
    }

    // ---- keep-alive re-check ---------------------------------------------------------------

    /**
     * A following request on a plain connection: it may go on only to the same host and port, and
     * only if that is still allowed (the snapshot does not change, but this keeps the rule in one
     * place). Returns {@link Note} to forward it, else the {@link Stop} with its response.
     */
    Step recheck(RequestHead h) {
        if (!h.isConnect() && h.host().equals(first.host()) && h.port() == first.port()) {
            return new Note();
        }
        host = h.host();
        port = h.port();
        if (h.isConnect()) {
            detail = "CONNECT after a plain request on the same connection";
            return stop(Reason.HTTP_CONNECT_IN_STREAM, null, new Seen(null, h, null));
        }
        String portRefused = portRefused(h);
        if (portRefused != null) {
            detail = portRefused;
            return stop(Reason.PORT_NOT_ALLOWED, null, new Seen(null, h, PORT_DENIED));
        }
        Decision d = Policy.decide(cfg, policy, h.host(), h.port(), source);
        return stop(d.allowed() ? Reason.HOST_CHANGED : Reason.of(d.reason()), null, new Seen(null, h, d));
    }

    /** A following request that cannot be parsed. */
    Stop malformed(Fault reason, String why) {
        detail = why;
        host = null;
        return stop(Reason.of(reason), why, Seen.NOTHING);
    }

    private Stop stop(Reason reason, String error, Seen seen) {
        return new Stop(reason, error, reason.httpStatus(), seen, response(reason));
    }

    // ---- refusals ------------------------------------------------------------------------------

    /**
     * While the request is read, an HTTP response (none when the client has gone); once a
     * CONNECT's 200 is out, a TLS alert.
     */
    @Override
    public Refusal refusal(Reason reason, int alert) {
        if (tunnel) {
            return alert < 0 ? null : new Refusal(Alerts.fatal(alert), 0);
        }
        if (reason.httpStatus() < 0) {
            return null;
        }
        return new Refusal(response(reason), reason.httpStatus());
    }

    private byte[] response(Reason reason) {
        String d = reason == Reason.HOST_CHANGED ? first.host() : detail;
        return HttpResponses.error(reason.httpStatus(), reason.message(host, port, d), reason.text());
    }

    private static String stripDot(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
