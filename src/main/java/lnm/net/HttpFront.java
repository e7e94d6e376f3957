package lnm.net;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.stream.Collectors;

import lnm.audit.AuditRecord;
import lnm.config.Config;
import lnm.config.Decision;
import lnm.config.Policy;
import lnm.http.HttpHeadParser;
import lnm.http.HttpLimits;
import lnm.http.HttpResponses;
import lnm.http.RequestHead;
import lnm.tls.Alerts;
import lnm.tls.ClientHello;
import lnm.wire.ParseResult;

/**
 * The HTTP side of a {@link Connection} on an {@code http} listener: it reads the request head,
 * decides, and tells the connection what to do; the connection keeps its one state machine.
 *
 * <pre>
 *   REQUEST ──CONNECT allowed──> (connect upstream) ──200──> TUNNEL_HELLO ──SNI == host──> RELAY
 *      │                                    └── requireMatchingSni off: 200 first on the relay ──> RELAY
 *      ├──plain request allowed──> (connect upstream, replay the head) ──> RELAY, every further head re-checked
 *      └──denied / malformed / upstream down──> an HTTP error response, linger, close
 * </pre>
 *
 * <p>A CONNECT is answered only once the upstream is connected, so an unreachable upstream is a
 * {@code 502}, not a broken tunnel. The CONNECT head itself is never forwarded: upstream sees the
 * TLS hello, so a {@code parent} is reached on its ordinary TLS listener (with PROXY v2 when
 * {@code parent.proxyProtocol = v2}) and needs no http listener. A plain request is forwarded
 * as received, head and all, to the destination its Host names; a parent must then run an http
 * listener on that port. After the 200, refusals are TLS alerts: the client speaks TLS by then.
 */
final class HttpFront {
    /** What the connection does after the bytes read so far. */
    sealed interface Step {}

    record NeedMore() implements Step {}

    /** Refuse with this audit reason (the response comes from {@link #refusal}). */
    record Refuse(String reason, String detail) implements Step {}

    /**
     * Connect as {@code decision} says. {@code skip} bytes of the head (the CONNECT head) are
     * not replayed upstream.
     */
    record Allow(Decision decision, int skip) implements Step {}

    private enum Phase { REQUEST, TUNNEL_HELLO, RELAY }

    static final HttpLimits LIMITS = HttpLimits.DEFAULT;

    private final Config cfg;
    private final AuditRecord rec;
    private final InetAddress source;
    private Phase phase = Phase.REQUEST;
    private RequestHead first;
    /** What the refusal message names: the request's host, or null before one is known. */
    private String host;
    private int port = -1;
    private String detail;
    /** The 200 of a CONNECT still to be written while the hello is read. */
    private ByteBuffer out;

    HttpFront(Config cfg, AuditRecord rec, InetAddress source) {
        this.cfg = cfg;
        this.rec = rec;
        this.source = source;
    }

    boolean readingRequest() {
        return phase == Phase.REQUEST;
    }

    /** Extra bytes the connection may buffer before the decision: one head. */
    static int headAllowance() {
        return LIMITS.maxHeadBytes() + Server.BUFFER_SIZE;
    }

    // ---- the first request ---------------------------------------------------------------

    Step onRequest(ByteBuffer view) {
        ParseResult<RequestHead> r = HttpHeadParser.parse(view, LIMITS);
        if (r instanceof ParseResult.Invalid<RequestHead> bad) {
            detail = bad.detail();
            return new Refuse(bad.reason(), bad.detail());
        }
        if (!(r instanceof ParseResult.Parsed<RequestHead> ok)) {
            return new NeedMore();
        }
        RequestHead h = ok.value();
        describe(h);
        rec.requests = 1;
        String denied = portCheck(h);
        if (denied != null) {
            return new Refuse(denied, detail);
        }
        Decision d = Policy.decide(cfg, h.host(), h.port(), source);
        rec.rule = d.rule() == null ? null : d.rule().pattern();
        if (!d.allowed()) {
            return new Refuse(d.reason(), null);
        }
        rec.reason = d.reason();
        first = h;
        return new Allow(d, h.isConnect() ? ok.consumed() : 0);
    }

    private void describe(RequestHead h) {
        host = h.host();
        port = h.port();
        rec.host = h.host();
        rec.method = h.method();
        rec.path = h.isConnect() ? null : clip(h.pathWithoutQuery());
    }

    private String portCheck(RequestHead h) {
        List<Integer> ports = h.isConnect() ? cfg.connectPorts() : cfg.httpPorts();
        if (ports.contains(h.port())) {
            return null;
        }
        detail = (h.isConnect() ? "CONNECT" : "plain HTTP") + " to port " + h.port() + "; allowed: "
                + ports.stream().map(String::valueOf).collect(Collectors.joining(", "));
        return "port_not_allowed";
    }

    // ---- after the upstream is connected ---------------------------------------------------

    /**
     * Called once the upstream is connected. A CONNECT that must be checked answers 200 and
     * returns true: the connection then reads the hello and calls {@link #checkHello}.
     */
    boolean holdForHello() {
        if (phase != Phase.REQUEST || first == null || !first.isConnect() || !cfg.connectRequireMatchingSni()) {
            return false;
        }
        out = ByteBuffer.wrap(HttpResponses.connectEstablished());
        rec.status = 200;
        phase = Phase.TUNNEL_HELLO;
        return true;
    }

    boolean wantsWrite() {
        return out != null && out.hasRemaining();
    }

    void flush(SocketChannel client) throws IOException {
        if (out != null) {
            client.write(out);
            if (!out.hasRemaining()) {
                out = null;
            }
        }
    }

    /** The tunnel's hello: null if it may go on, else the audit reason for refusing it. */
    String checkHello(ClientHello h) {
        String sni = h.sni() == null ? null : stripDot(h.sni().toLowerCase(java.util.Locale.ROOT));
        if (sni != null && sni.equals(stripDot(first.host()))) {
            return null;
        }
        rec.error = "SNI " + (sni == null ? "(none)" : sni) + " differs from the CONNECT host " + first.host();
        return "sni_mismatch";
    }

    /**
     * Relaying starts: a CONNECT that was not held gets its 200 ahead of the upstream's bytes; a
     * plain request's stream is gated so every following head is checked.
     *
     * @param headerLen bytes of PROXY header queued ahead of the client's bytes on {@code up}
     */
    void relaying(Pipe up, Pipe down, int headerLen, BufferPool pool) {
        Phase was = phase;
        phase = Phase.RELAY;
        if (first.isConnect()) {
            if (was == Phase.REQUEST) {
                rec.status = 200;
                down.preload(ByteBuffer.wrap(HttpResponses.connectEstablished()), pool);
            }
            return;
        }
        up.gate(new HttpGate(this, down, headerLen));
    }

    // ---- keep-alive re-check ---------------------------------------------------------------

    /**
     * A following request on a plain connection: it may go on only to the same host and port, and
     * only if that is still allowed (the snapshot does not change, but this keeps the rule in one
     * place). Returns null to forward it, else the refusal response, with the audit record updated.
     */
    ByteBuffer recheck(RequestHead h) {
        boolean same = !h.isConnect() && h.host().equals(first.host()) && h.port() == first.port();
        if (same) {
            rec.requests++;
            return null;
        }
        describe(h);
        rec.requests++;
        String reason;
        if (h.isConnect()) {
            reason = "http_connect_in_stream";
            detail = "CONNECT after a plain request on the same connection";
        } else {
            reason = portCheck(h);
            rec.rule = null;
            if (reason == null) {
                Decision d = Policy.decide(cfg, h.host(), h.port(), source);
                reason = d.allowed() ? "host_changed" : d.reason();
                rec.rule = d.rule() == null ? null : d.rule().pattern();
            }
        }
        return stop(reason);
    }

    /** A following request that cannot be parsed. */
    ByteBuffer malformed(String reason, String why) {
        detail = why;
        rec.error = why;
        host = null;
        return stop(reason);
    }

    private ByteBuffer stop(String reason) {
        rec.decision = "deny";
        rec.reason = reason;
        rec.closedBy = "lnm";
        return ByteBuffer.wrap(response(reason));
    }

    // ---- refusals ------------------------------------------------------------------------------

    /**
     * What to send a refused client, or null to close at once. While the request is read that is
     * an HTTP response; once a CONNECT's 200 is out it is a TLS alert.
     */
    byte[] refusal(String reason, int alert) {
        if (phase == Phase.TUNNEL_HELLO) {
            rec.decision = "deny";
            byte[] tail = alert < 0 ? new byte[0] : Alerts.fatal(alert);
            byte[] rest = out == null ? new byte[0] : java.util.Arrays.copyOfRange(out.array(), out.position(), out.limit());
            byte[] all = new byte[rest.length + tail.length];
            System.arraycopy(rest, 0, all, 0, rest.length);
            System.arraycopy(tail, 0, all, rest.length, tail.length);
            return all.length == 0 ? null : all;
        }
        if (phase != Phase.REQUEST || status(reason) < 0) {
            return null;
        }
        return response(reason);
    }

    private byte[] response(String reason) {
        int status = status(reason);
        rec.status = status;
        return HttpResponses.error(status, message(reason), reason);
    }

    static int status(String reason) {
        switch (reason) {
            case "no_hello": case "hello_incomplete": case "client_error":
                return -1; // the client has gone
            case "hello_timeout":
                return 408;
            case "hello_too_large": case HttpHeadParser.TOO_LARGE: case HttpHeadParser.TOO_MANY_HEADERS:
                return 431;
            case HttpHeadParser.VERSION:
                return 505;
            case "dns_failed": case "upstream_unreachable":
                return 502;
            case "dns_timeout": case "connect_timeout":
                return 504;
            case "limit":
                return 503;
            default:
                return reason.startsWith("http_") ? 400 : 403;
        }
    }

    private String message(String reason) {
        String who = host == null ? "the request" : host;
        switch (reason) {
            case "not_allowlisted": return who + " is not on the allowlist";
            case "source_not_allowed": return "this client address may not use this proxy";
            case "port_not_allowed": return who + ": " + detail;
            case "destination_forbidden": return who + " resolves to an address lnm may not connect to";
            case "host_changed": return who + " is not " + first.host() + ", the host this connection was opened for; use a new connection";
            case "dns_failed": return "cannot resolve " + who;
            case "dns_timeout": return "no DNS answer for " + who + " in time";
            case "upstream_unreachable": return "cannot reach " + who + (port > 0 ? " port " + port : "");
            case "connect_timeout": return "connecting to " + who + " timed out";
            case "hello_timeout": return "no complete request in time";
            case "hello_too_large": return "request head too large";
            case "limit": return "too many connections, try again later";
            default:
                return reason.startsWith("http_") ? "bad request: " + (detail == null ? reason : detail) : who + " is refused";
        }
    }

    private static String stripDot(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static String clip(String s) {
        return s == null || s.length() <= 512 ? s : s.substring(0, 512) + "...";
    }
}
