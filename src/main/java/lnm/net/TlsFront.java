package lnm.net;

import java.net.InetAddress;

import lnm.audit.Reason;
import lnm.config.Config;
import lnm.config.Decision;
import lnm.config.Enforcement;
import lnm.config.Policy;
import lnm.tls.Alerts;
import lnm.tls.ClientHello;

/**
 * The front of a {@code tls} listener: reads the ClientHello, decides on its SNI with the
 * allowlist (or, in report mode, relays a name off it as would-deny), and refuses with a TLS alert.
 */
final class TlsFront implements Front {
    private final Config cfg;
    private final InetAddress source;
    private final int localPort;
    private final boolean proxyTrusted;
    private final Enforcement policy;

    TlsFront(Config cfg, InetAddress source, int localPort, boolean proxyTrusted, Enforcement policy) {
        this.cfg = cfg;
        this.source = source;
        this.localPort = localPort;
        this.proxyTrusted = proxyTrusted;
        this.policy = policy;
    }

    @Override
    public int headAllowance() {
        return 0;
    }

    @Override
    public Step start(Head head) {
        return NeedMore.INSTANCE;
    }

    @Override
    public Step onHead(Head head) {
        return HelloReader.read(head, cfg.maxHelloBytes(), proxyTrusted, this::decide);
    }

    private Step decide(ClientHello h) {
        Decision d = Policy.decide(cfg, policy, h.sni(), localPort, source);
        Seen seen = new Seen(h, null, d);
        if (!d.allowed()) {
            return new Refuse(Reason.of(d.reason()), null, Alerts.ACCESS_DENIED, seen);
        }
        if (h.ech() && !cfg.echAllowed()) { // allowed on its outer name, but its real one is hidden
            return new Refuse(Reason.ECH, "encrypted_client_hello refused (tls.ech = deny)", Alerts.ACCESS_DENIED, seen);
        }
        return Connect.of(d, localPort, 0, seen);
    }
}
