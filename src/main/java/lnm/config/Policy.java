package lnm.config;

import java.net.InetAddress;
import java.util.Optional;

/**
 * The allow/deny decision for one connection, as a pure function of the config snapshot and
 * what the connection told us, so it can be tested without sockets and explained by
 * {@code lnm explain}.
 */
public final class Policy {
    private Policy() {}

    /**
     * Decides a TLS (or HTTP) connection: the source first, so a client outside {@code sources}
     * learns nothing about the allowlist; then the SNI name against the allowlist.
     *
     * @param sni the server name from the ClientHello; null (or empty) if it sent none
     * @param listenerPort the port the client connected to: the upstream port unless the
     *     destination or parent names one
     * @param source the client address (a PROXY v2 origin was checked against {@code sources}
     *     before: its header is read before any hello)
     */
    public static Decision decide(Config c, String sni, int listenerPort, InetAddress source) {
        return decide(c, Enforcement.ENFORCE, sni, listenerPort, source);
    }

    /**
     * As {@link #decide(Config, String, int, InetAddress)} for a listener with {@code policy}: in
     * {@link Enforcement#REPORT} a name no rule matches is allowed the way an empty rule sends
     * it (the parent when one is configured, else direct), its decision saying enforcement
     * would have refused it as {@link PolicyReason#NOT_ALLOWLISTED}. Every other refusal stands.
     */
    public static Decision decide(Config c, Enforcement policy, String sni, int listenerPort, InetAddress source) {
        if (!c.sources().contains(source)) {
            return Decision.deny(PolicyReason.SOURCE_NOT_ALLOWED);
        }
        if (sni == null || sni.isEmpty()) {
            return Decision.deny(PolicyReason.NO_SNI);
        }
        Optional<Rule> match = c.allowlist().match(sni);
        if (match.isEmpty()) {
            if (policy != Enforcement.REPORT) {
                return Decision.deny(PolicyReason.NOT_ALLOWLISTED);
            }
            if (c.parent().isPresent()) {
                return Decision.report(PolicyReason.NOT_ALLOWLISTED, Via.PARENT, c.parent().get().withDefaultPort(listenerPort));
            }
            String name = Names.normalize(sni);
            if (name == null) { // not a DNS name (an IPv6 literal): nothing to look up directly, so refused as enforced
                return Decision.deny(PolicyReason.NOT_ALLOWLISTED);
            }
            return Decision.report(PolicyReason.NOT_ALLOWLISTED, Via.DIRECT, new HostPort(name, listenerPort));
        }
        Rule rule = match.get();
        Destination d = rule.destination();
        if (d instanceof Destination.Default) {
            d = c.parent().isPresent() ? new Destination.Parent() : new Destination.Direct();
        }
        if (d instanceof Destination.Fixed f) {
            return Decision.allow(rule, Via.FIXED, f.target().withDefaultPort(listenerPort));
        }
        if (d instanceof Destination.Parent) {
            HostPort parent = c.parent().orElseThrow(() ->
                    new IllegalStateException("rule '" + rule.pattern() + "' goes to parent but none is configured"));
            return Decision.allow(rule, Via.PARENT, parent.withDefaultPort(listenerPort));
        }
        // Direct: the name is valid (it matched), so its normalized form is what DNS is asked for.
        return Decision.allow(rule, Via.DIRECT, new HostPort(Names.normalize(sni), listenerPort));
    }
}
