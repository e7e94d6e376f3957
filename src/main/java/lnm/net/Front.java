package lnm.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

import lnm.audit.Reason;
import lnm.config.Config;
import lnm.config.Decision;
import lnm.config.HostPort;
import lnm.config.ListenerSpec;
import lnm.config.Via;
import lnm.http.RequestHead;
import lnm.tls.ClientHello;

/**
 * The part of a {@link Connection} that knows its listener's protocol: it reads the head,
 * decides, and says what the client is told. One implementation per listener mode
 * ({@link TlsFront}, {@link TcpFront}, {@link HttpFront}); {@link ProxyPrefix} goes in front of
 * any of them when the client may send a PROXY v2 header.
 *
 * <p>A front never touches sockets, selection keys, deadlines or the audit record: it gets
 * bytes ({@link Head}) and returns a {@link Step}, a value the connection core acts on and
 * audits. To add a listener mode: write a front and add its case to {@link #forListener}.
 */
interface Front {
    /** Extra head bytes the connection may buffer before the decision, beyond a hello's allowance. */
    int headAllowance();

    /** Called once the connection is admitted: a front that needs no head decides here. */
    Step start(Head head);

    /**
     * More head bytes arrived (in {@link State#READING_HEAD}, or {@link State#TUNNEL_HELLO}
     * after this front asked for it). Parse {@link Head#view()} again from its start.
     */
    Step onHead(Head head);

    /**
     * The upstream is connected: {@link Relay}, or {@link TunnelHello} to check a hello first.
     * By default the relay starts at once.
     */
    default Step onConnected() {
        return new Relay(null, 0, Seen.NOTHING);
    }

    /**
     * Relaying starts: a gate for the client-to-upstream pump, or null for none.
     *
     * @param down the upstream-to-client pump (a gate that stops the stream ends it with a refusal)
     * @param headerLen bytes of PROXY header queued ahead of the client's bytes on the gated pump
     * @param events where the gate reports what it saw ({@link Note}, {@link Stop}) for the audit
     */
    default Pipe.Gate gate(Pipe down, int headerLen, Consumer<Step> events) {
        return null;
    }

    /**
     * What a client refused before relaying is told, or null to close at once.
     *
     * @param alert the TLS alert a TLS client gets, -1 for none
     */
    default Refusal refusal(Reason reason, int alert) {
        return alert < 0 ? null : new Refusal(lnm.tls.Alerts.fatal(alert), 0);
    }

    /** The original client a PROXY v2 header named, or null. */
    default InetSocketAddress origin() {
        return null;
    }

    /** The front for {@code listener}'s mode, behind a PROXY v2 prefix when {@code source} may send one. */
    static Front forListener(ListenerSpec listener, Config cfg, InetAddress source, int localPort) {
        boolean proxyTrusted = listener.acceptProxyProtocol().contains(source);
        Front f = switch (listener.mode()) {
            case TLS -> new TlsFront(cfg, source, localPort, proxyTrusted, listener.policy());
            case TCP -> new TcpFront(listener, localPort);
            case HTTP -> new HttpFront(cfg, source, proxyTrusted, listener.policy());
        };
        return proxyTrusted ? new ProxyPrefix(f, cfg.sources()) : f;
    }

    // ---- what a front returns ------------------------------------------------------------

    /** What the core does next. */
    sealed interface Step permits NeedMore, Refuse, Connect, Relay, TunnelHello, Note, Stop {}

    /** Not enough bytes yet: keep reading. */
    record NeedMore() implements Step {
        static final NeedMore INSTANCE = new NeedMore();
    }

    /**
     * Refuse the client.
     *
     * @param detail what was wrong, for the audit's {@code error}; may be null
     * @param alert the TLS alert for a TLS client, -1 for none
     */
    record Refuse(Reason reason, String detail, int alert, Seen seen) implements Step {}

    /**
     * Allowed: resolve {@code target} and connect; a {@link Via#PARENT} target is the first
     * parent, and the core tries every parent in the order their health gives.
     *
     * @param reason {@link Reason#ALLOWLIST} or {@link Reason#LISTENER}, completed by {@code qualifier};
     *     {@link Reason#REPORT} (no qualifier) for a name relayed in report mode
     * @param port the port the client asked for (the listener's, or an http request's): a target
     *     or parent that names no port is reached on it
     * @param skip head bytes consumed here (a CONNECT head) that are not replayed upstream
     */
    record Connect(Reason reason, String qualifier, Via via, HostPort target, int port, int skip, Seen seen) implements Step {
        /**
         * The connect of an allowed policy decision: {@link Reason#ALLOWLIST} and its rule's
         * pattern, or {@link Reason#REPORT} for a name report mode relays ({@code seen} carries the
         * decision, whose {@code wouldDeny} the core audits).
         */
        static Connect of(Decision d, int port, int skip, Seen seen) {
            return d.rule() != null
                    ? new Connect(Reason.ALLOWLIST, d.rule().pattern(), d.via(), d.upstream(), port, skip, seen)
                    : new Connect(Reason.of(d.reason()), null, d.via(), d.upstream(), port, skip, seen);
        }
    }

    /**
     * Start relaying.
     *
     * @param toClient bytes the client gets before anything from the upstream, or null
     * @param status the HTTP status lnm answered with, 0 for none
     */
    record Relay(byte[] toClient, int status, Seen seen) implements Step {}

    /** Write {@code toClient} (a CONNECT's 200), then read the tunnel's hello. */
    record TunnelHello(byte[] toClient, int status) implements Step {}

    /** While relaying: one more request went on unchanged. */
    record Note() implements Step {}

    /**
     * While relaying: the stream was stopped; {@code response} is its last bytes to the client.
     *
     * @param error what was wrong, for the audit's {@code error}; may be null
     */
    record Stop(Reason reason, String error, int status, Seen seen, byte[] response) implements Step {}

    /**
     * What a front learned, for the audit record; any part may be null.
     *
     * @param request a request head: counts one request and names its host, method and path
     * @param decision the policy decision whose rule the record names (a decision without a
     *     rule clears it)
     */
    record Seen(ClientHello hello, RequestHead request, Decision decision) {
        static final Seen NOTHING = new Seen(null, null, null);
    }

    /**
     * The last words to a refused client.
     *
     * @param status the HTTP status they carry, 0 for none
     */
    record Refusal(byte[] bytes, int status) {}
}
